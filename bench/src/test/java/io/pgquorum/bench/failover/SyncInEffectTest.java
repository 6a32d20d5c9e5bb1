package io.pgquorum.bench.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.bench.failover.SyncInEffect.Observed;
import io.pgquorum.jepsen.stack.PgClusterSpec.SyncMode;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyncInEffectTest {
  private static Observed seen(String names, String... states) {
    return new Observed(names, List.of(states));
  }

  @Test
  void onModeNeedsAPriorityListAndASynchronousStandby() {
    // pgquorum's spelling, Patroni 3's bare name, and * (strict without a named standby).
    assertThat(SyncInEffect.problem(SyncMode.ON, seen("FIRST 1 (node2)", "sync", "async"))).isNull();
    assertThat(SyncInEffect.problem(SyncMode.ON, seen("node2", "async", "sync"))).isNull();
    assertThat(SyncInEffect.problem(SyncMode.STRICT, seen("*", "sync", "potential"))).isNull();
    // Named but not (yet) acknowledged as synchronous by PostgreSQL: commits do not wait for anybody.
    assertThat(SyncInEffect.problem(SyncMode.ON, seen("FIRST 1 (node2)", "async", "async")))
        .contains("no standby is synchronous");
    // The fallback to asynchronous replication a benchmark must not measure under a synchronous label.
    assertThat(SyncInEffect.problem(SyncMode.ON, seen("", "async", "async"))).contains("priority list");
    assertThat(SyncInEffect.problem(SyncMode.ON, seen("ANY 1 (node2, node3)", "quorum", "quorum")))
        .contains("priority list");
  }

  @Test
  void quorumModeNeedsAnAnyListAndAQuorumStandby() {
    assertThat(SyncInEffect.problem(SyncMode.QUORUM, seen("ANY 1 (node2, node3)", "quorum", "quorum"))).isNull();
    assertThat(SyncInEffect.problem(SyncMode.QUORUM, seen("any 1 (\"node2\")", "quorum"))).isNull();
    assertThat(SyncInEffect.problem(SyncMode.QUORUM, seen("FIRST 1 (node2)", "sync"))).contains("ANY k");
    assertThat(SyncInEffect.problem(SyncMode.QUORUM, seen("ANY 1 (node2, node3)", "async", "async")))
        .contains("no standby is a quorum standby");
  }

  @Test
  void offModeNeedsNoListAndNoWaitedForStandby() {
    assertThat(SyncInEffect.problem(SyncMode.OFF, seen("", "async", "async"))).isNull();
    assertThat(SyncInEffect.problem(SyncMode.OFF, seen(null))).isNull();
    assertThat(SyncInEffect.problem(SyncMode.OFF, seen("FIRST 1 (node2)", "sync", "async")))
        .contains("asynchronous replication expected");
  }
}
