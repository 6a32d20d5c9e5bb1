package io.pgquorum.jepsen.checker;

import io.pgquorum.jepsen.checker.LeaseModel.Incarnation;
import io.pgquorum.jepsen.history.History;
import io.pgquorum.jepsen.history.History.Pair;
import io.pgquorum.jepsen.history.Op;
import io.pgquorum.jepsen.history.OpType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The DCS's lease guarantee, checked on the history's one clock (the harness's monotonic clock, never a member's):
 * <b>a lease never disappears earlier than {@code ttl * factor} after the invocation of its last acknowledged
 * refresh</b>, unless its owner released it. Histories follow {@link io.pgquorum.jepsen.dcs.LeaseWorkload}'s
 * conventions; everything that does not depend on time (one holder, no resurrection, reads) is {@link LeaseModel}'s.
 *
 * <h2>The rule, precisely</h2>
 * For each key and each incarnation {@code I = [owner, r]} of it:
 * <ul>
 *   <li>an <em>arming</em> operation is an acknowledged (OK) {@code acquire} that created {@code I} or an OK
 *       {@code refresh} of {@code I}. The DCS's leader arms the lease when it applies the operation, which is after
 *       the client sent it, which is after the harness recorded the invocation: so the invocation time is a lower
 *       bound of when the lease was last armed;
 *   <li>a <em>gone</em> observation is an operation that saw the key absent or holding a later incarnation
 *       ({@code r' > r}) at its linearization point: an OK {@code read}, an OK {@code acquire} (it created
 *       {@code r'}), or a FAIL {@code acquire}, {@code refresh} or {@code release} whose value says what the key held
 *       (absent, or {@code r'}). It happened no later than its completion;
 *   <li>a violation is a gone observation {@code X} and an arming operation {@code A} of {@code I} that completed
 *       before {@code X} was invoked (so {@code I} existed, armed by {@code A}, before {@code X}'s linearization
 *       point), with {@code X.completion < A.invocation + ttl * factor}, and no {@code release} of {@code I} (OK or
 *       unknown outcome) invoked before {@code X} completed.
 * </ul>
 *
 * <p>Unknown outcomes: an unknown-outcome refresh may or may not have re-armed the lease; it can only have made
 * the lease last longer, so leaving it out gives an earlier deadline, a weaker check, and can never turn a valid
 * history invalid. An unknown-outcome acquire arms nothing acknowledged, likewise. An unknown-outcome release may
 * have deleted the key, so it excuses a disappearance (from its invocation on). Failed reads carry no observation.
 *
 * <h2>The factor</h2>
 * The DCS leader expires a lease once {@code ttl (1+rho)/(1-rho)} has passed <em>on its own monotonic clock</em>
 * since it applied the arming operation ({@code raft-dcs/.../lease/LeaseTracker}). A leader whose clock runs at
 * rate {@code c} times real time waits {@code ttl (1+rho)/((1-rho) c)} of real time; so for a run in which no
 * member's clock ran faster than {@code maxRate} (at least 1: a member without a clock fault runs at real time),
 * the guaranteed factor is {@code (1+rho)/((1-rho) maxRate)} ({@link #guaranteedFactor}). Within the DCS's
 * assumption ({@code maxRate <= 1+rho}) that is at least {@code 1/(1-rho)}: more than the ttl the owner counts on.
 */
public final class LeaseExpiryChecker implements Checker {
  private static final int MAX_REPORTED = 20;

  private final String name;
  private final Predicate<Op> filter;
  private final long ttlNanos;
  private final double factor;

  /**
   * @param name what is checked, for the report ({@code "dcs-lease"} gives the checker {@code
   *     "lease-expiry(dcs-lease)"})
   * @param filter which client events are lease operations (applied to invocations and completions alike)
   * @param ttlNanos the leases' ttl
   * @param factor the guaranteed minimum lifetime as a multiple of the ttl ({@link #guaranteedFactor})
   */
  public LeaseExpiryChecker(String name, Predicate<Op> filter, long ttlNanos, double factor) {
    if (ttlNanos <= 0) {
      throw new IllegalArgumentException("ttl must be positive, got " + ttlNanos + " ns");
    }
    if (!(factor > 0)) {
      throw new IllegalArgumentException("factor must be positive, got " + factor);
    }
    this.name = name;
    this.filter = filter;
    this.ttlNanos = ttlNanos;
    this.factor = factor;
  }

  /**
   * What the DCS guarantees in real time: {@code (1+rho)/((1-rho) * max(1, maxRate))} (see the class comment).
   *
   * @param rho the members' {@code maxClockRateDrift}
   * @param maxRate the fastest clock rate any member ran at during the run (libfaketime rates; 1.0 without)
   */
  public static double guaranteedFactor(double rho, double maxRate) {
    if (!(rho >= 0 && rho < 0.5)) {
      throw new IllegalArgumentException("rho must be in [0, 0.5), got " + rho);
    }
    if (!(maxRate > 0)) {
      throw new IllegalArgumentException("maxRate must be positive, got " + maxRate);
    }
    return (1 + rho) / ((1 - rho) * Math.max(1.0, maxRate));
  }

  /** The guaranteed lifetime in nanoseconds, rounded down (the check is strict: earlier than this is red). */
  public long boundNanos() {
    return (long) Math.floor(ttlNanos * factor);
  }

  @Override
  public CheckResult check(History history) {
    String checker = "lease-expiry(" + name + ")";
    List<Pair> pairs;
    try {
      pairs = history.pairs(op -> op.isClient() && filter.test(op));
    } catch (IllegalStateException e) {
      return new CheckResult(checker, Verdict.UNKNOWN, "cannot check: malformed history: " + e.getMessage(),
          List.of(e.getMessage()), Map.of());
    }
    Map<String, List<Pair>> byKey = new LinkedHashMap<>();
    for (Pair p : pairs) {
      byKey.computeIfAbsent(p.invoke().key(), k -> new ArrayList<>()).add(p);
    }
    long bound = boundNanos();
    List<String> anomalies = new ArrayList<>();
    Tally tally = new Tally();
    for (Map.Entry<String, List<Pair>> e : byKey.entrySet()) {
      checkKey(e.getKey(), e.getValue(), bound, anomalies, tally);
    }

    Map<String, Object> stats = new LinkedHashMap<>();
    stats.put("keys", byKey.size());
    stats.put("incarnations", tally.incarnations);
    stats.put("acknowledged-arming-ops", tally.arming);
    stats.put("expiries-observed", tally.expiries);
    stats.put("released", tally.released);
    stats.put("violations", tally.violations);
    stats.put("ttl-ms", ttlNanos / 1_000_000);
    stats.put("bound-ms", bound / 1_000_000);
    stats.put("factor", String.format(Locale.ROOT, "%.4f", factor));
    if (tally.expiries > 0) {
      stats.put("earliest-expiry-ms", tally.earliestNanos / 1_000_000);
      stats.put("latest-expiry-ms", tally.latestNanos / 1_000_000);
    }
    String boundText = String.format(Locale.ROOT, "%.3f ttl = %d ms", factor, bound / 1_000_000);
    if (tally.violations > 0) {
      return new CheckResult(checker, Verdict.INVALID, tally.violations + " of " + tally.incarnations
          + " lease incarnations gone before " + boundText
          + " after the invocation of their last acknowledged refresh", anomalies, stats);
    }
    if (tally.arming == 0) {
      return new CheckResult(checker, Verdict.UNKNOWN, "nothing to check: no acknowledged acquire or refresh",
          anomalies, stats);
    }
    String observed = tally.expiries == 0 ? "no expiry observed"
        : tally.expiries + " expiries observed, the earliest " + tally.earliestNanos / 1_000_000
            + " ms after the last acknowledged refresh's invocation";
    return new CheckResult(checker, Verdict.VALID, "no lease gone before " + boundText + ": " + tally.incarnations
        + " incarnations, " + observed, anomalies, stats);
  }

  private static final class Tally {
    int incarnations;
    long arming;
    int expiries;
    int released;
    int violations;
    long earliestNanos = Long.MAX_VALUE;
    long latestNanos = Long.MIN_VALUE;
  }

  /** An operation that saw what the key held: absent ({@code revision == 0}) or the incarnation {@code revision}. */
  private record Observation(Pair pair, long revision) {
    boolean gone(long incarnation) {
      return revision == 0 || revision > incarnation;
    }
  }

  private void checkKey(String key, List<Pair> ops, long bound, List<String> anomalies, Tally tally) {
    Map<Long, List<Pair>> arming = new TreeMap<>();
    Map<Long, List<Pair>> releases = new TreeMap<>();
    List<Observation> observations = new ArrayList<>();
    for (Pair p : ops) {
      String f = p.invoke().f();
      OpType outcome = p.outcome();
      Op done = p.completion();
      switch (f) {
        case "acquire" -> {
          if (outcome == OpType.OK || outcome == OpType.FAIL) {
            Incarnation seen = LeaseModel.parse(done.value());
            if (seen != null) {
              observations.add(new Observation(p, seen.revision()));
              if (outcome == OpType.OK) {
                arming.computeIfAbsent(seen.revision(), r -> new ArrayList<>()).add(p);
              }
            }
          }
        }
        case "refresh" -> {
          Incarnation arg = LeaseModel.parse(p.invoke().value());
          if (arg != null && outcome == OpType.OK) {
            arming.computeIfAbsent(arg.revision(), r -> new ArrayList<>()).add(p);
          } else if (outcome == OpType.FAIL) {
            observe(done, p, observations);
          }
        }
        case "release" -> {
          Incarnation arg = LeaseModel.parse(p.invoke().value());
          if (outcome == OpType.FAIL) {
            observe(done, p, observations);
          } else if (arg != null) {
            releases.computeIfAbsent(arg.revision(), r -> new ArrayList<>()).add(p);
          }
        }
        case "read" -> {
          if (outcome == OpType.OK) {
            observe(done, p, observations);
          }
        }
        default -> {
          // not a lease operation: ignored
        }
      }
    }

    for (Map.Entry<Long, List<Pair>> e : arming.entrySet()) {
      long revision = e.getKey();
      List<Pair> armedBy = e.getValue();
      tally.incarnations++;
      tally.arming += armedBy.size();
      List<Pair> released = releases.getOrDefault(revision, List.of());
      Observation first = null;
      Pair firstArm = null;
      boolean excused = false;
      for (Observation x : observations) {
        if (!x.gone(revision)) {
          continue;
        }
        long xInvoke = x.pair().invoke().timeNanos();
        long xDone = x.pair().completion().timeNanos();
        // The arming op with the latest invocation among those that completed before x began.
        Pair last = null;
        for (Pair a : armedBy) {
          if (a.completion().timeNanos() < xInvoke
              && (last == null || a.invoke().timeNanos() > last.invoke().timeNanos())) {
            last = a;
          }
        }
        if (last == null) {
          continue; // x may precede the incarnation: no evidence
        }
        if (released.stream().anyMatch(rel -> rel.invoke().timeNanos() < xDone)) {
          excused = true;
          continue;
        }
        long lived = xDone - last.invoke().timeNanos();
        if (first == null || lived < livedOf(first, firstArm)) {
          first = x;
          firstArm = last;
        }
      }
      if (first != null) {
        // The shortest lifetime any observation proves for this incarnation; one verdict per incarnation.
        long lived = livedOf(first, firstArm);
        tally.expiries++;
        tally.earliestNanos = Math.min(tally.earliestNanos, lived);
        tally.latestNanos = Math.max(tally.latestNanos, lived);
        if (lived < bound) {
          tally.violations++;
          if (anomalies.size() < MAX_REPORTED) {
            anomalies.add("key " + key + ": incarnation " + describe(firstArm) + " was last armed by "
                + Describe.pair(firstArm) + " (invoked at " + ms(firstArm.invoke().timeNanos()) + "), but "
                + Describe.pair(first.pair()) + " saw " + (first.revision() == 0 ? "the key absent"
                    : "incarnation " + first.pair().completion().value()) + " by "
                + ms(first.pair().completion().timeNanos()) + ": " + ms(lived)
                + " after that invocation, before the guaranteed " + ms(bound));
          }
        }
      } else if (excused) {
        tally.released++;
      }
    }
  }

  private static long livedOf(Observation x, Pair arming) {
    return x.pair().completion().timeNanos() - arming.invoke().timeNanos();
  }

  /** A completion whose value says what the key held: null = absent, or an incarnation; anything else ignored. */
  private static void observe(Op done, Pair p, List<Observation> out) {
    Object v = done.value();
    if (v == null) {
      out.add(new Observation(p, 0));
      return;
    }
    Incarnation seen = LeaseModel.parse(v);
    if (seen != null) {
      out.add(new Observation(p, seen.revision()));
    }
  }

  private static String describe(Pair arming) {
    Object v = arming.invoke().f().equals("acquire") ? arming.completion().value() : arming.invoke().value();
    return String.valueOf(v);
  }

  private static String ms(long nanos) {
    return String.format(Locale.ROOT, "%.3f s", nanos / 1e9);
  }
}
