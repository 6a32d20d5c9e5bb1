package io.pgquorum.jepsen.dcs;

import io.pgquorum.dcs.api.Dcs;
import io.pgquorum.dcs.api.KeyValue;
import io.pgquorum.dcs.api.Precondition;
import io.pgquorum.dcs.api.WriteResult;
import io.pgquorum.jepsen.history.OpType;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Random reads, writes and compare-and-sets on DCS keys, checked as one linearizable register per key.
 *
 * <p>History conventions: f {@code read} (invoke value null; OK value the Long read, or null when absent),
 * {@code write} (value Long), {@code cas} (value {@code [expected, new]}; OK = applied, FAIL = the key did not
 * hold {@code expected}). Written values are unique across the run, so a read names the one write it saw. A
 * compare-and-set expects the last value any client saw on that key, so that a fair share of them succeed.
 *
 * <p>Keys rotate ({@link KeyRotation}): at most {@code clientsPerKey} threads share a key, for at most
 * {@code opsPerKey} operations.
 */
public final class RegisterWorkload implements DcsWorkload {
  private final KeyRotation keys;
  private final AtomicLong nextValue = new AtomicLong(1);
  private final ConcurrentMap<String, Long> lastSeen = new ConcurrentHashMap<>();

  public RegisterWorkload(String keyPrefix, int clientsPerKey, int opsPerKey) {
    this.keys = new KeyRotation(keyPrefix, clientsPerKey, opsPerKey);
  }

  /** Keys under {@code jepsen/register}, 5 clients per key, 200 operations per key. */
  public static RegisterWorkload defaults() {
    return new RegisterWorkload("jepsen/register", 5, 200);
  }

  @Override
  public String name() {
    return "register";
  }

  @Override
  public Client client(int worker, int workers, Random random) {
    return new Client() {
      @Override
      public Invocation next() {
        String key = keys.nextKey(worker);
        int dice = random.nextInt(10);
        Long expected = lastSeen.get(key);
        if (dice < 4) {
          return new Invocation("read", key, null, true);
        }
        if (dice < 7 || expected == null) {
          return new Invocation("write", key, nextValue.getAndIncrement(), false);
        }
        return new Invocation("cas", key, List.of(expected, nextValue.getAndIncrement()), false);
      }

      @Override
      public Completion apply(Dcs dcs, Invocation op) {
        switch (op.f()) {
          case "read": {
            Optional<KeyValue> kv = dcs.get(op.key());
            return Completion.ok(kv.map(k -> parse(k.value())).orElse(null));
          }
          case "write": {
            WriteResult r = dcs.put(op.key(), op.value().toString());
            return r.succeeded() ? Completion.ok(op.value())
                : Completion.fail(op.value(), r.outcome() + " " + r.detail());
          }
          case "cas": {
            @SuppressWarnings("unchecked")
            List<Long> args = (List<Long>) op.value();
            WriteResult r = dcs.put(op.key(), args.get(1).toString(), Precondition.value(args.get(0).toString()), null);
            return r.succeeded() ? Completion.ok(op.value())
                : Completion.fail(op.value(),
                    r.outcome() + " (current " + r.entry().map(KeyValue::value).orElse("absent") + ")");
          }
          default:
            throw new IllegalStateException("register workload has no operation " + op.f());
        }
      }

      @Override
      public void observe(Invocation op, OpType outcome, Object value) {
        if (outcome == OpType.INFO && !op.readOnly()) {
          keys.unknownOutcome(worker, op.key());
        }
        if (outcome != OpType.OK) {
          return;
        }
        if (op.f().equals("read") && value instanceof Long l) {
          lastSeen.put(op.key(), l);
        } else if (op.f().equals("write")) {
          lastSeen.put(op.key(), (Long) op.value());
        } else if (op.f().equals("cas")) {
          @SuppressWarnings("unchecked")
          List<Long> args = (List<Long>) op.value();
          lastSeen.put(op.key(), args.get(1));
        }
      }
    };
  }

  /** A stored value as Long; anything else is returned as the raw string so the checker sees the anomaly. */
  private static Object parse(String stored) {
    try {
      return Long.parseLong(stored);
    } catch (NumberFormatException e) {
      return stored;
    }
  }
}
