package io.pgquorum.jepsen.dcs;

import io.pgquorum.dcs.api.Dcs;
import io.pgquorum.jepsen.history.OpType;
import java.util.Random;

/**
 * What client threads do against the DCS. {@link Workloads#run} drives it: for each client thread it asks a
 * {@link Client} for the next operation, records the invocation, {@linkplain Client#apply applies} it, records the
 * completion and tells the client how it ended.
 */
public interface DcsWorkload {

  /** A short name for reports ({@code "register"}, {@code "lock"}). */
  String name();

  /**
   * The state of client thread {@code worker} (0-based) of {@code workers}. Called once per thread before the
   * run; {@code random} is that thread's own seeded generator.
   */
  Client client(int worker, int workers, Random random);

  /**
   * As {@link #client(int, int, Random)}, for a thread that will use {@code dcs} (workloads that need to know the
   * client, such as its lease owner id, override this one). {@link Workloads} calls this.
   */
  default Client client(int worker, int workers, Random random, Dcs dcs) {
    return client(worker, workers, random);
  }

  /** One client thread's state. Used by that thread only. */
  interface Client {
    /** The next operation to invoke. */
    Invocation next();

    /**
     * Performs {@code op} and says how it ended: {@link OpType#OK} or {@link OpType#FAIL} with the result value.
     * Transport failures are thrown as they come (the runner maps them to INFO or FAIL).
     */
    Completion apply(Dcs dcs, Invocation op);

    /** How {@code op} ended (including INFO after an exception), so the client can update what it believes. */
    void observe(Invocation op, OpType outcome, Object value);
  }

  /**
   * An operation to invoke.
   *
   * @param f history function ({@code read}, {@code write}, {@code cas}, {@code acquire}, {@code release})
   * @param key the DCS key
   * @param value the invocation value (see the history conventions)
   * @param readOnly true when the operation cannot change state, so a timeout is a definite FAIL, not INFO
   */
  record Invocation(String f, String key, Object value, boolean readOnly) {}

  /**
   * A definite outcome.
   *
   * @param type OK or FAIL
   * @param value the completion value
   * @param error why it failed (null on OK)
   */
  record Completion(OpType type, Object value, String error) {
    public static Completion ok(Object value) {
      return new Completion(OpType.OK, value, null);
    }

    public static Completion fail(Object value, String why) {
      return new Completion(OpType.FAIL, value, why);
    }
  }
}
