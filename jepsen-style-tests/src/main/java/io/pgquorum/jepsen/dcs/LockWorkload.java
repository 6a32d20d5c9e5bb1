package io.pgquorum.jepsen.dcs;

import io.pgquorum.dcs.api.Dcs;
import io.pgquorum.dcs.api.KeyValue;
import io.pgquorum.dcs.api.Precondition;
import io.pgquorum.dcs.api.WriteResult;
import io.pgquorum.jepsen.history.OpType;
import java.time.Duration;
import java.util.Random;

/**
 * Client threads behave like coordinators contending for a leader lock, checked against a lock model (free, or
 * held by one owner).
 *
 * <ul>
 *   <li>{@code acquire} (value: the owner) = create-if-absent ({@link Precondition#absent()}) with the owner as
 *       the value; OK = got it, FAIL = someone (possibly this owner) holds it;
 *   <li>{@code release} (value: the owner) = delete-if-value-is-owner ({@link Precondition#value}); OK = released,
 *       FAIL = not the holder;
 *   <li>{@code read}: OK value = the holder, or null when free.
 * </ul>
 *
 * <p>Owners are per thread ({@code w<worker>}) and survive a thread's change of process after an unknown outcome,
 * like a coordinator that keeps its name across a timed-out call: after an INFO the thread reads the lock to learn
 * whether it holds it, and never acquires what it believes it holds.
 *
 * <p>No expiry: by default the lock key is written without a TTL. With a TTL it must be longer than the run
 * (nothing refreshes it), because an expiry is a state change no client invoked: the lock model has no
 * operation for it, and a history with expiries is not checkable against it without knowing when the DCS
 * expired the key.
 */
public final class LockWorkload implements DcsWorkload {
  private final KeyRotation keys;
  private final Duration ttl;

  /**
   * @param ttl lease on the lock key, or null for a plain key; must outlast the run (see the class comment)
   */
  public LockWorkload(String keyPrefix, int clientsPerKey, int opsPerKey, Duration ttl) {
    this.keys = new KeyRotation(keyPrefix, clientsPerKey, opsPerKey);
    this.ttl = ttl;
  }

  /** Lock keys under {@code jepsen/lock}, 5 clients per key, 200 operations per key, no TTL. */
  public static LockWorkload defaults() {
    return new LockWorkload("jepsen/lock", 5, 200, null);
  }

  @Override
  public String name() {
    return "lock";
  }

  private enum Belief { HOLDS, NOT_HELD, UNKNOWN }

  @Override
  public Client client(int worker, int workers, Random random) {
    String owner = "w" + worker;
    return new Client() {
      private String key;
      private Belief belief = Belief.NOT_HELD;

      @Override
      public Invocation next() {
        String k = keys.nextKey(worker);
        if (!k.equals(key)) {
          key = k; // a fresh key: this owner never acted on it, so it does not hold it
          belief = Belief.NOT_HELD;
        }
        boolean read = belief == Belief.UNKNOWN || random.nextInt(10) < 4;
        if (read) {
          return new Invocation("read", key, null, true);
        }
        return new Invocation(belief == Belief.HOLDS ? "release" : "acquire", key, owner, false);
      }

      @Override
      public Completion apply(Dcs dcs, Invocation op) {
        switch (op.f()) {
          case "read":
            return Completion.ok(dcs.get(op.key()).map(KeyValue::value).orElse(null));
          case "acquire": {
            WriteResult r = dcs.put(op.key(), owner, Precondition.absent(), ttl);
            return r.succeeded() ? Completion.ok(owner)
                : Completion.fail(owner, "held by " + r.entry().map(KeyValue::value).orElse("?"));
          }
          case "release": {
            WriteResult r = dcs.delete(op.key(), Precondition.value(owner));
            return r.succeeded() ? Completion.ok(owner)
                : Completion.fail(owner, "not the holder (holder " + r.entry().map(KeyValue::value).orElse("none")
                    + ")");
          }
          default:
            throw new IllegalStateException("lock workload has no operation " + op.f());
        }
      }

      @Override
      public void observe(Invocation op, OpType outcome, Object value) {
        if (outcome == OpType.INFO) {
          if (!op.readOnly()) {
            belief = Belief.UNKNOWN;
            keys.unknownOutcome(worker, op.key());
          }
          return;
        }
        if (op.f().equals("read")) {
          if (outcome == OpType.OK) {
            belief = owner.equals(value) ? Belief.HOLDS : Belief.NOT_HELD;
          }
        } else if (op.f().equals("acquire")) {
          // FAIL: held by someone; not by us, since we only acquire when we know we do not hold it
          belief = outcome == OpType.OK ? Belief.HOLDS : Belief.NOT_HELD;
        } else if (op.f().equals("release")) {
          belief = Belief.NOT_HELD;
        }
      }
    };
  }
}
