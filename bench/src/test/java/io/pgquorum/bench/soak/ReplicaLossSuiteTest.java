package io.pgquorum.bench.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgquorum.bench.failover.Timing;
import io.pgquorum.bench.failover.Variant;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReplicaLossSuiteTest {
  @Test
  void measuresPgquorumVariantsOnlyAndTheDefaultsWhenUnset() {
    assertThat(ReplicaLossSuite.variants(null)).containsExactly(Variant.pgquorumDefaults(3));
    assertThat(ReplicaLossSuite.variants("pgquorum:6/1/1,pgquorum-defaults")).extracting(Variant::timing)
        .containsExactly(new Timing(6, 1, 1), new Timing(5, 1, 1));
    assertThatThrownBy(() -> ReplicaLossSuite.variants("pgquorum-defaults,patroni-defaults"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("PGQUORUM_BENCH_REPLICA_LOSS_VARIANTS: patroni+etcd defaults is not measured");
    assertThatThrownBy(() -> ReplicaLossSuite.variants("pgquorum:6/1"))
        .hasMessageStartingWith("PGQUORUM_BENCH_REPLICA_LOSS_VARIANTS: unknown variant 'pgquorum:6/1'");
  }

  @Test
  void watchesLongEnoughForAFencedPrimaryToBeReplaced() {
    assertThat(ReplicaLossSuite.watch(Variant.pgquorumDefaults(3))).isEqualTo(Duration.ofSeconds(15));
    assertThat(ReplicaLossSuite.watch(Variant.parseList("V", "pgquorum:2/1/1", "").get(0)))
        .isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void theCoresAreKeptBusyUnlessTurnedOff() {
    assertThat(ReplicaLossSuite.hogs(null)).isTrue();
    assertThat(ReplicaLossSuite.hogs(" ")).isTrue();
    assertThat(ReplicaLossSuite.hogs("1")).isTrue();
    assertThat(ReplicaLossSuite.hogs(" 0 ")).isFalse();
  }
}
