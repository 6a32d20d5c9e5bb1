package io.pgquorum.jepsen.dcs;

import io.pgquorum.dcs.api.Dcs;
import io.pgquorum.dcs.api.KeyValue;
import io.pgquorum.dcs.api.Precondition;
import io.pgquorum.dcs.api.WriteResult;
import io.pgquorum.jepsen.history.OpType;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Clients that hold DCS leases the way coordinators hold the leader key: acquire a TTL key, refresh it, release
 * it, or stop refreshing and watch it expire, while everyone reads it (linearizable {@code get}). Checked by
 * {@link io.pgquorum.jepsen.checker.LeaseModel} (linearizability with expiry) and
 * {@link io.pgquorum.jepsen.checker.LeaseExpiryChecker} (expiry never before the guaranteed end); this is the
 * workload that runs the DCS's clock-dependent code (the leader's lease timers, across leader changes, restarts
 * and clock-rate faults).
 *
 * <p>History conventions (an incarnation is {@code [owner, createRevision]}: who created the key, and the Raft
 * index that created it, unique per key and increasing):
 * <ul>
 *   <li>{@code acquire} (invoke value: the owner) = {@code put(key, owner, absent, ttl)}; OK value = the new
 *       incarnation; FAIL value = the incarnation that holds the key;
 *   <li>{@code refresh} (invoke value: the incarnation) = {@code refresh(key, createRevision)} by its owner; OK
 *       value = the incarnation; FAIL value = what the key held at that moment (null = absent) and the DCS's
 *       outcome ({@code NOT_FOUND}, {@code CONDITION_FAILED}, {@code NOT_OWNER}) as the error;
 *   <li>{@code release} (invoke value: the incarnation) = delete if the key is still that incarnation (its
 *       {@code mod_revision} is the create revision: the value is never rewritten); OK value = the incarnation;
 *       FAIL value = what the key held (null = absent);
 *   <li>{@code read}: OK value = the incarnation the key holds, or null when absent.
 * </ul>
 * The owner is the DCS client's {@link Dcs#ownerId()} (the lease owner the DCS records), one per client thread,
 * kept across the thread's change of process after an unknown outcome.
 *
 * <p>Pacing: each thread waits a random think time before every operation; a holder refreshes a random
 * {@code 0.25-0.6 ttl} after the invocation of its last successful acquire or refresh, so a correct DCS never
 * expires a lease whose refreshes get through, while a DCS that expires at half the ttl does. Holders sometimes
 * release, and sometimes abandon the lease (stop refreshing, keep reading until it is gone), so expiry is observed
 * in every run, not only under faults. A thread acquires only after it read the key absent.
 */
public final class LeaseWorkload implements DcsWorkload {
  private static final double REFRESH_MIN = 0.25;
  private static final double REFRESH_MAX = 0.6;
  /** Per operation of a holder, out of 1000. */
  private static final int RELEASE_PER_MILLE = 30;
  private static final int ABANDON_PER_MILLE = 30;
  /**
   * Successful refreshes of one incarnation after which its holder abandons it for sure: without this bound a slow
   * run (a loaded machine, few operations) sometimes held every lease to the end and observed no expiry at all
   * (DcsLinearizabilityTest: "3 incarnations, no expiry observed").
   */
  private static final int MAX_REFRESHES = 6;
  /** Per operation of a non-holder that last saw the key absent, out of 1000. */
  private static final int ACQUIRE_PER_MILLE = 500;

  /** Where {@link #defaults()} puts its keys. */
  public static final String KEY_PREFIX = "jepsen/lease";
  /** The ttl of {@link #defaults()}: short, so that a run of tens of seconds sees many expiries. */
  public static final Duration DEFAULT_TTL = Duration.ofSeconds(2);

  private final KeyRotation keys;
  private final Duration ttl;
  private final Duration thinkMin;
  private final Duration thinkMax;

  /**
   * @param ttl the lease's ttl
   * @param thinkMin shortest pause before an operation
   * @param thinkMax longest pause before an operation; well under ttl, so observers see an expiry soon after it
   *     happens
   */
  public LeaseWorkload(String keyPrefix, int clientsPerKey, int opsPerKey, Duration ttl, Duration thinkMin,
      Duration thinkMax) {
    if (ttl == null || ttl.toMillis() < 1) {
      throw new IllegalArgumentException("lease workload ttl must be at least 1 ms, got " + ttl);
    }
    if (thinkMin == null || thinkMax == null || thinkMin.isNegative() || thinkMax.compareTo(thinkMin) < 0) {
      throw new IllegalArgumentException("lease workload think times need 0 <= min <= max, got " + thinkMin
          + " and " + thinkMax);
    }
    this.keys = new KeyRotation(keyPrefix, clientsPerKey, opsPerKey);
    this.ttl = ttl;
    this.thinkMin = thinkMin;
    this.thinkMax = thinkMax;
  }

  /**
   * Keys under {@code jepsen/lease}, 3 clients per key, 400 operations per key, ttl 2 s, 100-250 ms think time
   * (about 17 operations a second per key, so a key lasts about 25 s: most schedules keep one key per group).
   */
  public static LeaseWorkload defaults() {
    return new LeaseWorkload(KEY_PREFIX, 3, 400, DEFAULT_TTL, Duration.ofMillis(100), Duration.ofMillis(250));
  }

  public Duration ttl() {
    return ttl;
  }

  @Override
  public String name() {
    return "lease";
  }

  private enum Belief { NOT_HELD, HOLDS, ABANDONED, UNKNOWN }

  @Override
  public Client client(int worker, int workers, Random random) {
    throw new UnsupportedOperationException("the lease workload needs the client's DCS (its owner id): use "
        + "client(worker, workers, random, dcs)");
  }

  @Override
  public Client client(int worker, int workers, Random random, Dcs dcs) {
    String owner = dcs.ownerId();
    long ttlNanos = ttl.toNanos();
    return new Client() {
      private String key;
      private Belief belief = Belief.NOT_HELD;
      private long revision;
      private long refreshDueNanos;
      /** Successful refreshes of the incarnation held (see MAX_REFRESHES). */
      private int refreshes;
      private boolean sawFree = true;
      /** Local time of the current invocation (pacing only; the checkers use the history's clock). */
      private long invokedNanos;

      @Override
      public Invocation next() {
        think();
        String k = keys.nextKey(worker);
        if (!k.equals(key)) {
          key = k; // a fresh key: this owner never acted on it
          belief = Belief.NOT_HELD;
          sawFree = true;
        }
        invokedNanos = System.nanoTime();
        int dice = random.nextInt(1000);
        switch (belief) {
          case HOLDS:
            if (invokedNanos - refreshDueNanos >= 0) {
              return new Invocation("refresh", key, incarnation(owner, revision), false);
            }
            if (dice < RELEASE_PER_MILLE) {
              return new Invocation("release", key, incarnation(owner, revision), false);
            }
            if (dice < RELEASE_PER_MILLE + ABANDON_PER_MILLE || refreshes >= MAX_REFRESHES) {
              belief = Belief.ABANDONED; // stop refreshing; read until it is gone
            }
            return read();
          case NOT_HELD:
            if (sawFree && dice < ACQUIRE_PER_MILLE) {
              return new Invocation("acquire", key, owner, false);
            }
            return read();
          default: // UNKNOWN: learn what happened first; ABANDONED: watch it expire
            return read();
        }
      }

      private Invocation read() {
        return new Invocation("read", key, null, true);
      }

      private void think() {
        long min = thinkMin.toNanos();
        long span = thinkMax.toNanos() - min;
        long pause = min + (span == 0 ? 0 : (long) (random.nextDouble() * span));
        if (pause > 0) {
          try {
            TimeUnit.NANOSECONDS.sleep(pause); // the workload's pace, not a wait for a condition
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }

      @Override
      public Completion apply(Dcs client, Invocation op) {
        switch (op.f()) {
          case "read": {
            return Completion.ok(client.get(op.key()).map(LeaseWorkload::incarnation).orElse(null));
          }
          case "acquire": {
            WriteResult r = client.put(op.key(), owner, Precondition.absent(), ttl);
            return r.succeeded() ? Completion.ok(r.entry().map(LeaseWorkload::incarnation).orElseThrow())
                : Completion.fail(r.entry().map(LeaseWorkload::incarnation).orElse(null), describe(r));
          }
          case "refresh": {
            WriteResult r = client.refresh(op.key(), revisionOf(op));
            return r.succeeded() ? Completion.ok(op.value())
                : Completion.fail(r.entry().map(LeaseWorkload::incarnation).orElse(null), describe(r));
          }
          case "release": {
            WriteResult r = client.delete(op.key(), Precondition.modRevision(revisionOf(op)));
            return r.succeeded() ? Completion.ok(op.value())
                : Completion.fail(r.entry().map(LeaseWorkload::incarnation).orElse(null), describe(r));
          }
          default:
            throw new IllegalStateException("lease workload has no operation " + op.f());
        }
      }

      @Override
      public void observe(Invocation op, OpType outcome, Object value) {
        if (outcome == OpType.INFO) {
          if (!op.readOnly()) {
            belief = Belief.UNKNOWN;
          }
          return;
        }
        switch (op.f()) {
          case "read":
            if (outcome == OpType.OK) {
              seen(value);
            }
            break;
          case "acquire":
            if (outcome == OpType.OK) {
              belief = Belief.HOLDS;
              revision = revision(value);
              refreshes = 0;
              scheduleRefresh();
            } else {
              seen(value);
            }
            break;
          case "refresh":
            if (outcome == OpType.OK) {
              refreshes++;
              scheduleRefresh();
            } else {
              belief = Belief.NOT_HELD;
              sawFree = value == null;
            }
            break;
          case "release":
            belief = Belief.NOT_HELD;
            sawFree = outcome == OpType.OK || value == null;
            break;
          default:
            break;
        }
      }

      /** The key holds {@code value} (an incarnation, or null when absent). */
      private void seen(Object value) {
        sawFree = value == null;
        if (!(value instanceof List<?> l) || !owner.equals(l.get(0))) {
          belief = Belief.NOT_HELD;
          return;
        }
        long r = revision(value);
        if (belief == Belief.ABANDONED && r == revision) {
          return; // still there; keep watching
        }
        if (belief != Belief.HOLDS || r != revision) {
          // Ours, learnt by reading (after an unknown outcome): refresh at once, its last refresh time is unknown.
          belief = Belief.HOLDS;
          revision = r;
          refreshes = 0;
          refreshDueNanos = System.nanoTime();
        }
      }

      private void scheduleRefresh() {
        double fraction = REFRESH_MIN + random.nextDouble() * (REFRESH_MAX - REFRESH_MIN);
        refreshDueNanos = invokedNanos + (long) (fraction * ttlNanos);
      }
    };
  }

  /** {@code [owner, createRevision]} of a stored key. */
  static List<Object> incarnation(KeyValue kv) {
    return incarnation(kv.owner(), kv.createRevision());
  }

  static List<Object> incarnation(String owner, long createRevision) {
    return List.of(owner, createRevision);
  }

  private static long revision(Object incarnation) {
    return ((Number) ((List<?>) incarnation).get(1)).longValue();
  }

  private static long revisionOf(Invocation op) {
    return revision(op.value());
  }

  private static String describe(WriteResult r) {
    return r.outcome() + (r.detail().isEmpty() ? "" : ": " + r.detail());
  }
}
