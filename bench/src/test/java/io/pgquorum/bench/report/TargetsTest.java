package io.pgquorum.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TargetsTest {

  static Result failover(String system, String variant, double... seconds) {
    return Result.of("failover", "kill9-to-write", "3 nodes", system, variant, "s", false, Summary.of(seconds));
  }

  static Result cost(String metric, String system, double v) {
    return Result.of("cost", metric, "3 nodes, idle", system, "defaults", "MiB", false, Summary.of(v));
  }

  static Result switchover(String metric, String system, double... seconds) {
    return Result.of("switchover", metric, "3 nodes", system, "defaults", "s", false, Summary.of(seconds));
  }

  static Result soak(String metric, String system, double count) {
    return Result.of("soak", metric, "3 nodes, CPU saturated + pgbench", system, "defaults", "count", false,
        Summary.of(count));
  }

  static Result replicaLoss(String metric, double... values) {
    return Result.of("replica-loss", metric, "3 nodes, kill -9 of the Raft leader's node (a replica)",
        Result.PGQUORUM, "defaults", "count", false, Summary.of(values));
  }

  @Test
  void oneDisturbedReplicaLossTrialFailsItsTarget() {
    List<Targets.Verdict> ok = Targets.judge(List.of(replicaLoss("disturbed-trials", 0),
        replicaLoss("time-without-primary", 0, 0, 0), replicaLoss("lowest-lease-headroom", 1.25)));
    assertThat(ok.get(ok.size() - 1).status()).isEqualTo(Targets.Status.MET);
    assertThat(ok.get(ok.size() - 1).measured()).isEqualTo("0 of 3 trials disturbed; lowest lease headroom 1.25 s");
    List<Targets.Verdict> bad = Targets.judge(List.of(replicaLoss("disturbed-trials", 1)));
    assertThat(bad.get(bad.size() - 1).status()).isEqualTo(Targets.Status.NOT_MET);
  }

  @Test
  void oneSpuriousPromotionFailsTheSoak() {
    List<Targets.Verdict> v = Targets.judge(List.of(soak("spurious-promotions", Result.PGQUORUM, 1),
        soak("spurious-primary-changes", Result.PGQUORUM, 0)));
    assertThat(v.get(v.size() - 2).status()).isEqualTo(Targets.Status.NOT_MET);
  }

  @Test
  void judgesEachTargetFromTheMatchingResults() {
    List<Result> results = List.of(
        failover(Result.PGQUORUM, "defaults", 1.5, 1.8, 1.9),
        failover(Result.PGQUORUM, "aggressive", 0.5),
        failover(Result.PATRONI, "defaults", 20, 25, 30),
        failover(Result.PATRONI, "aggressive", 12),
        Result.of("dcs", "cas-sequential-latency", "3 members", Result.PGQUORUM, "", "ms", false,
            Summary.of(1, 2, 9)),
        Result.of("dcs", "cas-sequential-latency", "3 members", Result.ETCD, "", "ms", false,
            Summary.of(1, 2, 8)),
        cost("idle-rss-per-node", Result.PGQUORUM, 120),
        cost("idle-rss-per-node", Result.PATRONI, 88),
        cost("idle-pss-per-node", Result.PGQUORUM, 120),
        cost("idle-pss-per-node", Result.PATRONI, 70),
        cost("idle-cpu-per-node", Result.PGQUORUM, 2),
        cost("idle-cpu-per-node", Result.PATRONI, 1),
        switchover("write-gap", Result.PGQUORUM, 0.3, 0.4, 0.9),
        switchover("write-gap", Result.PATRONI, 1.4),
        switchover("client-outage-haproxy", Result.PGQUORUM, 1.2, 2.0),
        switchover("client-outage-haproxy", Result.PATRONI, 1.5),
        soak("spurious-promotions", Result.PGQUORUM, 0),
        soak("spurious-primary-changes", Result.PGQUORUM, 0),
        soak("spurious-promotions", Result.PATRONI, 2));
    List<Targets.Verdict> v = Targets.judge(results);
    assertThat(v).extracting(Targets.Verdict::status).containsExactly(
        Targets.Status.MET, // median 1.8 s < 2 s
        Targets.Status.MET, // 1.8 / 25 = 0.072 <= 0.1
        Targets.Status.MET, // 1.8 / 12 < 1
        Targets.Status.NOT_MET, // p99 9 > 8
        Targets.Status.MET, // RSS: 120 / 88 = 1.36 <= 1.5
        Targets.Status.NOT_MET, // PSS: 120 / 70 = 1.71 > 1.5
        Targets.Status.NOT_MET, // 2 > 1
        Targets.Status.MET, // switchover write gap: median 0.4 s <= 0.5 s
        Targets.Status.NOT_MET, // client outage: median 1.6 s > 1 s
        Targets.Status.MET, // soak: no promotion, no primary change
        Targets.Status.NOT_MEASURED); // replica loss: not in these results
    assertThat(v.get(9).measured()).contains("0 promotions").contains("Patroni + etcd 2 promotions");
    assertThat(v.get(0).measured()).contains("median 1.80 s").contains("n=3");
    assertThat(v.get(7).measured()).contains("median 0.400 s").contains("n=3").contains("Patroni + etcd median 1.40 s");
    assertThat(v.get(3).measured()).contains("p99 9.00 ms vs etcd 8.00 ms");
    assertThat(v.get(5).target()).contains("(PSS)");
    assertThat(v.get(5).measured()).contains("MiB vs 70");
  }

  @Test
  void aMissingResultIsNotMeasuredNeverMet() {
    List<Targets.Verdict> v = Targets.judge(List.of(failover(Result.PGQUORUM, "defaults", 1.0)));
    assertThat(v.get(0).status()).isEqualTo(Targets.Status.MET);
    assertThat(v.subList(1, v.size())).extracting(Targets.Verdict::status)
        .containsOnly(Targets.Status.NOT_MEASURED);
  }
}
