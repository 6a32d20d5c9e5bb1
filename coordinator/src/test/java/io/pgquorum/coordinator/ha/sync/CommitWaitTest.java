package io.pgquorum.coordinator.ha.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.ha.sync.StandbyReport.SyncRole;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Whether commits wait: the acknowledging rows PostgreSQL reports against what synchronous_standby_names needs. */
class CommitWaitTest {
  private static StandbyReport row(String name, boolean streaming, SyncRole role) {
    return new StandbyReport(name, streaming, role, 100);
  }

  private static boolean blocked(String names, StandbyReport... rows) {
    return CommitWait.blocked(SyncStandbyNames.parse(names), List.of(rows));
  }

  @Test
  void asynchronousNeverWaits() {
    assertThat(blocked("")).isFalse();
    assertThat(blocked("", row("a", true, SyncRole.ASYNC))).isFalse();
  }

  @Test
  void anyStandbyWaitsUntilOneAcknowledges() {
    assertThat(blocked("*")).as("strict mode alone").isTrue();
    assertThat(blocked("*", row("a", false, SyncRole.SYNC))).as("not streaming yet").isTrue();
    assertThat(blocked("*", row("a", true, SyncRole.SYNC))).isFalse();
  }

  @Test
  void firstNWaitsForNSynchronousStandbys() {
    assertThat(blocked("FIRST 1 (a)", row("a", true, SyncRole.SYNC))).isFalse();
    assertThat(blocked("FIRST 1 (a)", row("b", true, SyncRole.ASYNC))).as("the named standby is gone").isTrue();
    assertThat(blocked("FIRST 2 (a,b)", row("a", true, SyncRole.SYNC), row("b", true, SyncRole.POTENTIAL)))
        .isTrue();
    assertThat(blocked("FIRST 2 (a,b)", row("a", true, SyncRole.SYNC), row("b", true, SyncRole.SYNC))).isFalse();
  }

  @Test
  void anyNWaitsForNQuorumStandbys() {
    assertThat(blocked("ANY 1 (a,b)", row("a", true, SyncRole.QUORUM))).isFalse();
    assertThat(blocked("ANY 2 (a,b,c)", row("a", true, SyncRole.QUORUM))).isTrue();
    assertThat(blocked("ANY 2 (a,b,c)", row("a", true, SyncRole.QUORUM), row("c", true, SyncRole.QUORUM)))
        .isFalse();
  }
}
