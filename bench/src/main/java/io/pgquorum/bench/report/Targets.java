package io.pgquorum.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The performance targets, judged against one run's results. Each target names the results it reads;
 * a target whose results are missing from the run says so instead of passing.
 */
public final class Targets {
  private Targets() {}

  /** Whether a target was met in a run. */
  public enum Status { MET, NOT_MET, NOT_MEASURED }

  /**
   * One target's verdict.
   *
   * @param target the target as the issue states it
   * @param measured what the run measured, in words and numbers
   * @param status met, not met, or not measured in this run
   */
  public record Verdict(String target, String measured, Status status) {}

  /** Judges every target against {@code results}. */
  public static List<Verdict> judge(List<Result> results) {
    List<Verdict> out = new ArrayList<>();
    Optional<Result> pgFailover = find(results, "failover", "kill9-to-write", "3 nodes", Result.PGQUORUM, "defaults");
    Optional<Result> patroniDefaults =
        find(results, "failover", "kill9-to-write", "3 nodes", Result.PATRONI, "defaults");
    Optional<Result> patroniAggressive =
        find(results, "failover", "kill9-to-write", "3 nodes", Result.PATRONI, "aggressive");

    String t1 = "failover at pgquorum's defaults: median under 2 s from kill -9 to a successful write";
    out.add(pgFailover.map(r -> new Verdict(t1, "median " + Format.number(r.summary().p50()) + " s (n="
            + r.summary().count() + ", min " + Format.number(r.summary().min()) + ", max "
            + Format.number(r.summary().max()) + ")", r.summary().p50() < 2.0 ? Status.MET : Status.NOT_MET))
        .orElse(missing(t1)));

    String t2 = "at least ten times faster than Patroni + etcd at Patroni's defaults";
    out.add(ratio(t2, pgFailover, patroniDefaults, r -> r <= 0.1));

    String t3 = "faster than Patroni at its most aggressive settings";
    out.add(ratio(t3, pgFailover, patroniAggressive, r -> r < 1.0));

    String t4 = "DCS compare-and-set p99 no worse than etcd's on the same machine";
    Optional<Result> pgCas = find(results, "dcs", "cas-sequential-latency", null, Result.PGQUORUM, "");
    Optional<Result> etcdCas = find(results, "dcs", "cas-sequential-latency", null, Result.ETCD, "");
    if (pgCas.isPresent() && etcdCas.isPresent()) {
      double a = pgCas.get().summary().p99();
      double b = etcdCas.get().summary().p99();
      out.add(new Verdict(t4, "p99 " + Format.number(a) + " ms vs etcd " + Format.number(b) + " ms ("
          + Format.ratio(a / b) + ")", a <= b ? Status.MET : Status.NOT_MET));
    } else {
      out.add(missing(t4));
    }

    // Judged both ways, as the issue asks: RSS counts the pages a node's two JVMs share (the class-data archive
    // the daemon and its watchdog both map) once in each process; PSS divides them among the processes mapping them.
    String t5 = "idle memory per node (RSS) within 1.5x of one Patroni plus one etcd process";
    out.add(ratio(t5, find(results, "cost", "idle-rss-per-node", null, Result.PGQUORUM, null),
        find(results, "cost", "idle-rss-per-node", null, Result.PATRONI, null), r -> r <= 1.5));
    String t5p = "idle memory per node (PSS) within 1.5x of one Patroni plus one etcd process";
    out.add(ratio(t5p, find(results, "cost", "idle-pss-per-node", null, Result.PGQUORUM, null),
        find(results, "cost", "idle-pss-per-node", null, Result.PATRONI, null), r -> r <= 1.5));

    String t6 = "idle CPU no higher than Patroni plus etcd";
    out.add(ratio(t6, find(results, "cost", "idle-cpu-per-node", null, Result.PGQUORUM, null),
        find(results, "cost", "idle-cpu-per-node", null, Result.PATRONI, null), r -> r <= 1.0));

    // The operations issue's switchover targets (absolute, with Patroni's number beside them for context).
    out.add(atMost("switchover: server-side write gap at most 0.5 s", find(results, "switchover", "write-gap",
        "3 nodes", Result.PGQUORUM, "defaults"), find(results, "switchover", "write-gap", "3 nodes",
        Result.PATRONI, "defaults"), 0.5));
    out.add(atMost("switchover: client outage through HAProxy at most 1 s", find(results, "switchover",
        "client-outage-haproxy", "3 nodes", Result.PGQUORUM, "defaults"), find(results, "switchover",
        "client-outage-haproxy", "3 nodes", Result.PATRONI, "defaults"), 1.0));

    // Issue 15: short leases only count if they hold on a loaded machine.
    String t9 = "soak: no spurious failover at pgquorum's defaults (CPU saturated plus a write load)";
    Optional<Result> promotions = find(results, "soak", "spurious-promotions", null, Result.PGQUORUM, "defaults");
    Optional<Result> changes = find(results, "soak", "spurious-primary-changes", null, Result.PGQUORUM, "defaults");
    if (promotions.isPresent() && changes.isPresent()) {
      double p = promotions.get().summary().max();
      double ch = changes.get().summary().max();
      out.add(new Verdict(t9, (long) p + " promotions, " + (long) ch + " primary changes"
          + find(results, "soak", "spurious-promotions", null, Result.PATRONI, "defaults")
              .map(r -> "; Patroni + etcd " + (long) r.summary().max() + " promotions").orElse(""),
          p == 0 && ch == 0 ? Status.MET : Status.NOT_MET));
    } else {
      out.add(missing(t9));
    }
    String t10 = "replica loss: the primary undisturbed at pgquorum's defaults (kill -9 of the replica node leading "
        + "Raft, CPU saturated)";
    Optional<Result> disturbed = find(results, "replica-loss", "disturbed-trials", null, Result.PGQUORUM, "defaults");
    if (disturbed.isPresent()) {
      double d = disturbed.get().summary().max();
      String trials = find(results, "replica-loss", "time-without-primary", null, Result.PGQUORUM, "defaults")
          .map(r -> " of " + r.summary().count()).orElse("");
      String headroom = find(results, "replica-loss", "lowest-lease-headroom", null, Result.PGQUORUM, "defaults")
          .map(r -> String.format(java.util.Locale.ROOT, "; lowest lease headroom %.2f s", r.summary().min()))
          .orElse("");
      out.add(new Verdict(t10, (long) d + trials + " trials disturbed" + headroom,
          d == 0 ? Status.MET : Status.NOT_MET));
    } else {
      out.add(missing(t10));
    }
    return out;
  }

  /** pgquorum's median at most {@code limit} seconds; the incumbent's median is shown for context. */
  private static Verdict atMost(String target, Optional<Result> pg, Optional<Result> incumbent, double limit) {
    if (pg.isEmpty()) {
      return missing(target);
    }
    Summary s = pg.get().summary();
    String context = incumbent.map(r -> "; Patroni + etcd median " + Format.number(r.summary().p50()) + " s")
        .orElse("");
    return new Verdict(target, "median " + Format.number(s.p50()) + " s (n=" + s.count() + ", max "
        + Format.number(s.max()) + ")" + context, s.p50() <= limit ? Status.MET : Status.NOT_MET);
  }

  private static Verdict ratio(String target, Optional<Result> pg, Optional<Result> incumbent,
      java.util.function.DoublePredicate met) {
    if (pg.isEmpty() || incumbent.isEmpty()) {
      return missing(target);
    }
    Comparison c = new Comparison(pg.get(), incumbent.get());
    double r = c.ratio();
    return new Verdict(target, Format.number(pg.get().summary().p50()) + " " + pg.get().unit() + " vs "
        + Format.number(incumbent.get().summary().p50()) + " " + incumbent.get().unit() + " (ratio "
        + Format.ratio(r) + ")", !Double.isNaN(r) && met.test(r) ? Status.MET : Status.NOT_MET);
  }

  private static Verdict missing(String target) {
    return new Verdict(target, "not measured in this run", Status.NOT_MEASURED);
  }

  /** The first result matching; a null config or variant matches any. */
  static Optional<Result> find(List<Result> results, String suite, String metric, String config, String system,
      String variant) {
    return results.stream()
        .filter(r -> r.suite().equals(suite) && r.metric().equals(metric) && r.system().equals(system))
        .filter(r -> config == null || config.equals(r.config()))
        .filter(r -> variant == null || variant.equals(r.variant()))
        .findFirst();
  }
}
