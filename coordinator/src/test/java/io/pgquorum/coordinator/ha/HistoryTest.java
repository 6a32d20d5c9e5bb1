package io.pgquorum.coordinator.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.ClusterStore;
import io.pgquorum.coordinator.cluster.DcsKeys;
import io.pgquorum.coordinator.cluster.HistoryEntry;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.coordinator.postgres.PgState;
import io.pgquorum.coordinator.postgres.PgState.Role;
import io.pgquorum.coordinator.postgres.TimelineSwitch;
import io.pgquorum.dcs.memory.InMemoryDcs;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Hole 6 of issue 10, the executor's side: the holder records its timeline switches in {@code history} from
 * PostgreSQL's own timeline history file, on any cycle the key lacks them (the append after a promotion is no
 * longer a one-shot), idempotently and in timeline order.
 */
class HistoryTest {
  final InMemoryDcs dcs = new InMemoryDcs();
  final FakePostgres pg = new FakePostgres();
  final HeldLease lease = new HeldLease();
  final NodeConfig config = TestConfigs.node("node1", LeaseTest.DYN);
  final ClusterStore store = new ClusterStore(dcs.client("node1"), new DcsKeys("/service/t/"), "node1");
  final ActionExecutor executor = new ActionExecutor(config, store, pg, lease, new TaskRunner("node1"),
      System::nanoTime, () -> { });

  @AfterEach
  void close() {
    dcs.close();
  }

  static PgState primaryOn(int timeline) {
    PgState p = FakePostgres.running(Role.PRIMARY, 1);
    return new PgState(p.dataDir(), true, p.pid(), p.postmasterStartTime(), p.role(), timeline, 900,
        p.receivedLsn(), p.replayedLsn(), p.replayedTimestamp(), p.replicationState(), p.upstream(),
        p.replication(), p.systemIdentifier(), p.serverVersion(), p.fencingToken(), false, false);
  }

  /** One HA cycle of the holder: decide from a fresh snapshot, execute. */
  private Decision cycle() {
    ClusterSnapshot snap = store.load();
    Decision d = Decider.decide(Optional.of(snap), new LocalState(pg.probe(), Optional.empty(), Optional.empty(),
        lease.deadlineNanos(), false), new HaPolicy("node1", config.tags(), LeaseTest.DYN), Map.of(),
        System.nanoTime());
    executor.execute(d, Optional.of(snap));
    return d;
  }

  @Test
  void aPrimaryWhoseHistoryWasNeverRecordedRecordsItOnItsNextCycleBeforeStatus() {
    store.acquireLeader(LeaseTest.DYN.ttl());
    pg.state = primaryOn(3);
    pg.histories.put(3, List.of(new TimelineSwitch(1, 0x3000000L, "no recovery target specified"),
        new TimelineSwitch(2, 0x5000100L, "no recovery target specified")));
    // The append right after the promotion was lost (the DCS was away): history only knows the first switch.
    store.appendHistory(new HistoryEntry(1, 0x3000000L, "no recovery target specified",
        Optional.of("2024-01-01T00:00:00Z"), Optional.of("node2")));

    Decision d = cycle();
    assertThat(d.actions()).containsSubsequence(new Action.RecordHistory(3), new Action.PublishStatus(900));
    List<HistoryEntry> h = store.load().history();
    assertThat(h).extracting(HistoryEntry::timeline).containsExactly(1L, 2L);
    assertThat(h.get(0).newLeader()).hasValue("node2"); // kept as it was
    assertThat(h.get(1).lsn()).isEqualTo(0x5000100L);
    assertThat(h.get(1).newLeader()).hasValue("node1");
    // Patroni's timestamp: ISO-8601 with microseconds and a numeric offset (Python's isoformat), which patronictl
    // history prints and scripts parse (datetime.fromisoformat), not Java's Instant text (nanoseconds, 'Z').
    assertThat(h.get(1).timestamp().orElseThrow())
        .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}\\+00:00");
    assertThat(store.load().status()).isPresent();

    // Recorded: the next cycle plans nothing more and writes nothing more.
    assertThat(cycle().actions()).doesNotContain(new Action.RecordHistory(3));
    assertThat(store.load().history()).isEqualTo(h);
  }

  @Test
  void aSwitchFilledInLateGoesWhereItBelongs() {
    store.appendHistory(new HistoryEntry(2, 200, "r", Optional.empty(), Optional.empty()));
    store.appendHistory(new HistoryEntry(1, 100, "r", Optional.empty(), Optional.empty()));
    store.appendHistory(new HistoryEntry(2, 999, "again", Optional.empty(), Optional.empty()));
    assertThat(store.load().history()).extracting(HistoryEntry::timeline, HistoryEntry::lsn)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, 100L), org.assertj.core.groups.Tuple.tuple(2L, 200L));
    assertThat(store.load().clusterTimeline()).isEqualTo(3);
  }

  @Test
  void anUnreadableHistoryFileDoesNotStopTheLeadersOtherDuties() {
    store.acquireLeader(LeaseTest.DYN.ttl());
    pg.state = primaryOn(2); // no history file scripted for timeline 2: reading it fails
    Decision d = cycle();
    assertThat(d.actions()).contains(new Action.RecordHistory(2));
    assertThat(store.load().history()).isEmpty();
    assertThat(store.load().status()).as("status and the rest of the plan still ran").isPresent();
  }
}
