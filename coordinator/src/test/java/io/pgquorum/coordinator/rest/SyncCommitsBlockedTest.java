package io.pgquorum.coordinator.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.ha.NodeStatus;
import io.pgquorum.coordinator.postgres.PgState;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: a primary whose commits wait for synchronous standbys that are not there says so in {@code /patroni}
 * ({@code pgquorum.sync_commits_blocked}) and {@code /metrics} ({@code pgquorum_sync_commits_blocked}), from its
 * published status alone.
 */
class SyncCommitsBlockedTest {
  private static final String LABELS = "{scope=\"" + Fixtures.SCOPE + "\",name=\"n1\"}";

  private static NodeStatus primary(String standbyNames, List<PgState.Standby> rows) {
    NodeStatus p = Fixtures.primary();
    PgState base = Fixtures.primaryPg();
    PgState pg = new PgState(base.dataDir(), base.running(), base.pid(), base.postmasterStartTime(),
        base.role(), base.timeline(), base.walPosition(), base.receivedLsn(), base.replayedLsn(),
        base.replayedTimestamp(), base.replicationState(), base.upstream(), rows, base.systemIdentifier(),
        base.serverVersion(), base.fencingToken(), false, false)
        .withSynchronousStandbyNames(Optional.of(standbyNames));
    return new NodeStatus(p.scope(), p.name(), pg, p.state(), p.role(), p.holdsLock(), p.cluster(), p.dcsLastSeen(),
        p.message(), p.tags(), p.cycleAt(), p.cycleNanos(), p.cycles());
  }

  private static PgState.Standby row(String name, String syncState) {
    return new PgState.Standby(name, "10.0.0.2", "streaming", syncState, Fixtures.OPTIME);
  }

  @Test
  void strictWithoutAStandbyIsBlockedEverywhere() {
    NodeStatus s = primary("*", List.of());
    assertThat(s.commitsBlocked()).isTrue();
    assertThat(StatusJson.pgquorum(s, System.nanoTime())).containsEntry("sync_commits_blocked", true);
    assertThat(MetricsText.of(s).lines()).contains("pgquorum_sync_commits_blocked" + LABELS + " 1");
  }

  @Test
  void aSynchronousStandbyThatAcknowledgesClearsIt() {
    NodeStatus s = primary("FIRST 1 (n2)", List.of(row("n2", "sync")));
    assertThat(s.commitsBlocked()).isFalse();
    assertThat(StatusJson.pgquorum(s, System.nanoTime())).containsEntry("sync_commits_blocked", false);
    assertThat(MetricsText.of(s).lines()).contains("pgquorum_sync_commits_blocked" + LABELS + " 0");
    NodeStatus gone = primary("FIRST 1 (n2)", List.of(row("n3", "async")));
    assertThat(gone.commitsBlocked()).as("the named standby is not connected").isTrue();
  }

  @Test
  void asynchronousReplicationHasNoFieldAndAZeroGauge() {
    NodeStatus s = Fixtures.primary();
    assertThat(StatusJson.pgquorum(s, System.nanoTime())).doesNotContainKey("sync_commits_blocked");
    assertThat(MetricsText.of(s).lines()).contains("pgquorum_sync_commits_blocked" + LABELS + " 0");
    NodeStatus replica = Fixtures.replica();
    assertThat(replica.commitsBlocked()).isFalse();
    assertThat(MetricsText.of(replica).lines()).anyMatch(l -> l.startsWith("pgquorum_sync_commits_blocked{")
        && l.endsWith(" 0"));
  }
}
