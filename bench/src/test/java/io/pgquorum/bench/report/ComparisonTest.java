package io.pgquorum.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ComparisonTest {

  static Result r(String metric, String system, String variant, boolean higher, double median) {
    return Result.of("dcs", metric, "3 members", system, variant, higher ? "ops/s" : "ms", higher,
        Summary.of(median));
  }

  @Test
  void pairsEachPgquorumResultWithEveryIncumbentOfTheSameMetricAndConfig() {
    List<Result> results = List.of(
        r("cas", Result.PGQUORUM, "", false, 2),
        r("cas", Result.ETCD, "", false, 4),
        r("read", Result.ETCD, "", false, 1), // no pgquorum counterpart
        r("failover", Result.PGQUORUM, "defaults", false, 9),
        r("failover", Result.PATRONI, "defaults", false, 36),
        r("failover", Result.PATRONI, "aggressive", false, 12));
    List<Comparison> pairs = Comparison.pair(results);
    assertThat(pairs).hasSize(3);
    assertThat(pairs.get(0).ratio()).isEqualTo(0.5);
    assertThat(pairs.get(1).incumbent().variant()).isEqualTo("defaults");
    assertThat(pairs.get(1).ratio()).isEqualTo(0.25);
    assertThat(pairs.get(2).ratio()).isEqualTo(0.75);
  }

  @Test
  void betterDependsOnTheMetricsDirection() {
    assertThat(new Comparison(r("cas", Result.PGQUORUM, "", false, 2), r("cas", Result.ETCD, "", false, 4))
        .pgquorumBetterOrEqual()).isTrue();
    assertThat(new Comparison(r("tput", Result.PGQUORUM, "", true, 2), r("tput", Result.ETCD, "", true, 4))
        .pgquorumBetterOrEqual()).isFalse();
    assertThat(new Comparison(r("tput", Result.PGQUORUM, "", true, 2), r("tput", Result.ETCD, "", true, 0))
        .ratio()).isNaN();
  }

  @Test
  void theVerdictCallsEqualMediansTheSameZerosIncluded() {
    assertThat(new Comparison(r("n", Result.PGQUORUM, "", false, 0), r("n", Result.PATRONI, "", false, 0)).verdict())
        .isEqualTo("same");
    assertThat(new Comparison(r("n", Result.PGQUORUM, "", false, 1), r("n", Result.PATRONI, "", false, 0)).verdict())
        .isEqualTo("n/a");
    assertThat(new Comparison(r("n", Result.PGQUORUM, "", false, 1), r("n", Result.PATRONI, "", false, 2)).verdict())
        .isEqualTo("pgquorum better");
    assertThat(new Comparison(r("n", Result.PGQUORUM, "", false, 3), r("n", Result.PATRONI, "", false, 2)).verdict())
        .isEqualTo("incumbent better");
  }

  @Test
  void likeForLikeDropsCrosswisePairsButKeepsUnnamedVariants() {
    List<Result> results = List.of(
        r("failover", Result.PGQUORUM, "defaults", false, 9),
        r("failover", Result.PGQUORUM, "aggressive", false, 4),
        r("failover", Result.PATRONI, "defaults", false, 36),
        r("failover", Result.PATRONI, "aggressive", false, 20),
        r("lease", Result.PGQUORUM, "", false, 2),
        r("lease", Result.ETCD, "keepalive-once", false, 1));
    assertThat(Comparison.pair(results)).hasSize(5);
    assertThat(Comparison.likeForLike(results))
        .extracting(c -> c.pgquorum().variant() + "/" + c.incumbent().variant())
        .containsExactly("defaults/defaults", "aggressive/aggressive", "/keepalive-once");
  }
}
