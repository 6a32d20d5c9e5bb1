package io.pgquorum.coordinator.postgres;

import static io.pgquorum.coordinator.postgres.PgTestSupport.execute;
import static io.pgquorum.coordinator.postgres.PgTestSupport.queryLong;
import static io.pgquorum.coordinator.postgres.PgTestSupport.queryString;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.HistoryEntry;
import io.pgquorum.coordinator.cluster.Initialize;
import io.pgquorum.coordinator.cluster.LeaderLock;
import io.pgquorum.coordinator.cluster.Member;
import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.coordinator.config.Tags;
import io.pgquorum.coordinator.ha.Action;
import io.pgquorum.coordinator.ha.BackrestView;
import io.pgquorum.coordinator.ha.Decider;
import io.pgquorum.coordinator.ha.Decision;
import io.pgquorum.coordinator.ha.HaMemory;
import io.pgquorum.coordinator.ha.HaPolicy;
import io.pgquorum.coordinator.ha.LocalState;
import io.pgquorum.dcs.planted.PlantedBugs;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The same-number fork that SameNumberForkIT caught only on a loaded machine, made deterministically on real
 * PostgreSQL 15 (docs/findings/same-timeline-forks.md, "A promotion stopped before its checkpoint"): a standby is
 * promoted under a lock token the cluster never recorded (a holder cut off from the DCS), writes, and is fenced
 * before its promotion's end-of-recovery checkpoint; later it runs as a standby without an upstream and is stopped.
 * In both stopped states pg_control's last checkpoint is still on timeline 1 while the data is on timeline 2
 * (minimum recovery point). The stopped probe must report timeline 2 with the epoch of its own promotion, so that
 * the HA decision sees another fork of the leader's timeline 2 (a known-fork rejoin: re-clone, never pg_rewind, never
 * a plain follow).
 *
 * <p>Why it is deterministic: the promotion itself moves the minimum recovery point onto timeline 2 (its
 * end-of-recovery record), and in PostgreSQL 15 only the checkpointer process writes checkpoints and restartpoints
 * while the server runs (the promotion only requests its checkpoint, without waiting). The standby's checkpointer is
 * stopped with SIGSTOP while idle, before the old primary's CHECKPOINT, and never runs again (the fence kills it):
 * pg_control keeps the standby's last restartpoint, on timeline 1. In the later standby run the minimum recovery point
 * only moves forward along the replay (timeline 2), and a restartpoint can only be made at a replayed checkpoint
 * record: the fork wrote none, so the shutdown restartpoint is made at the old primary's CHECKPOINT record, on
 * timeline 1. No step depends on timing.
 *
 * <p>{@code -Dpgquorum.test.plant=stopped-probe-checkpoint-timeline} runs the probes with the revert planted
 * ({@link PgBug#STOPPED_PROBE_CHECKPOINT_TIMELINE}); the test must then fail.
 */
class UncheckpointedPromotionForkTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  /** The cut-off holder's token: its promotion's epoch record names it; history never does. */
  private static final long FORK_TOKEN = 7;
  /** The leader's token: history records timeline 2 as started under it. */
  private static final long LEADER_TOKEN = 41;

  private PgTestSupport support;
  private final AtomicReference<DynamicConfig> dynamic = new AtomicReference<>(TestNodes.dynamic(true, Map.of()));

  @BeforeEach
  void setUp() throws Exception {
    support = new PgTestSupport();
  }

  @AfterEach
  void tearDown() throws Exception {
    support.close();
  }

  @Test
  void aNodeFencedBeforeItsPromotionsCheckpointIsOnItsOwnForkOfTheTimeline() throws Exception {
    NodeConfig n1 = support.node("n1").build();
    // No timed restartpoint on the standby: its checkpointer must be idle (waiting for its timeout) when stopped.
    NodeConfig n2 = support.node("n2").parameter("checkpoint_timeout", "1h").build();
    LocalPostgres pg1 = new LocalPostgres(n1, dynamic::get);
    LocalPostgres pg2 = new LocalPostgres(n2, dynamic::get);
    Upstream up1 = new Upstream("n1", "127.0.0.1", n1.postgresql().listen().port());
    pg1.bootstrap();
    pg1.startPrimary(1);
    pg1.syncReplicationSlots(Set.of("n2"));
    pg2.cloneReplica(up1);
    pg2.startReplica(up1);

    long checkpointer = awaitIdleCheckpointer(n2);
    signal("STOP", checkpointer);
    // A checkpoint record on timeline 1 that the standby replays but cannot make a restartpoint of.
    execute(n1, "CREATE TABLE t (i int)");
    execute(n1, "INSERT INTO t SELECT generate_series(1, 1000)");
    execute(n1, "CHECKPOINT");
    execute(n1, "INSERT INTO t SELECT generate_series(1, 1000)");
    long end = queryLong(n1, "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint");
    await("n2 replayed " + end).atMost(WAIT).ignoreExceptions().until(() -> replayed(n2) >= end);
    pg1.stop(StopMode.IMMEDIATE); // the old primary crashes; n2 promotes from its last record

    pg2.promote(FORK_TOKEN); // writes the epoch record (timeline 2, token 7) first, as a cut-off holder's does
    execute(n2, "INSERT INTO t SELECT generate_series(1, 1000)"); // pages dirtied on timeline 2
    long forkEnd = queryLong(n2, "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint");
    pg2.stop(StopMode.IMMEDIATE); // the fence, before the promotion's checkpoint (its checkpointer never ran)

    String sysid = controlData(n2).systemIdentifier();
    long switchPoint = HistoryFile.read(n2.postgresql().dataDir(), 2).get(0).lsn();
    ClusterSnapshot leaderOnTwo = clusterWithLeaderOnTimeline2(sysid, switchPoint);

    // 1. Fenced: a crashed primary whose checkpoint is still the standby's last restartpoint.
    ControlData crashed = controlData(n2);
    assertThat(crashed.state()).isEqualTo("in production");
    assertThat(crashed.checkpointTimeline()).as("pg_control's checkpoint").isEqualTo(1);
    assertThat(crashed.minRecoveryEndTimeline()).as("pg_control's minimum recovery point").isEqualTo(2);
    // The judgement of each state is collected rather than thrown at once, so that a run with the revert planted
    // shows both states' verdicts.
    List<AssertionError> verdicts = new ArrayList<>();
    judge(verdicts, () -> assertOnItsOwnFork(n2, leaderOnTwo, "fenced before the promotion's checkpoint"));

    // 2. Then run as a standby without an upstream (replaying its own switch to timeline 2) and stopped.
    pg2.startReplica(null);
    await("n2 replayed its own fork up to " + forkEnd).atMost(WAIT).ignoreExceptions()
        .until(() -> replayed(n2) >= forkEnd);
    pg2.stop(StopMode.FAST);
    ControlData restarted = controlData(n2);
    assertThat(restarted.state()).isEqualTo("shut down in recovery");
    assertThat(restarted.checkpointTimeline()).as("pg_control's checkpoint").isEqualTo(1);
    assertThat(restarted.checkpointLocation()).as("a restartpoint at the old primary's checkpoint record")
        .isGreaterThan(crashed.checkpointLocation());
    assertThat(restarted.minRecoveryEndTimeline()).as("pg_control's minimum recovery point").isEqualTo(2);
    assertThat(restarted.minRecoveryEnd()).isGreaterThanOrEqualTo(forkEnd);
    judge(verdicts, () -> assertOnItsOwnFork(n2, leaderOnTwo, "then run as a standby without an upstream and stopped"));
    if (!verdicts.isEmpty()) {
      AssertionError all = new AssertionError(verdicts.size() + " of 2 stopped states not seen on their own fork: "
          + verdicts.stream().map(Throwable::getMessage).toList());
      verdicts.forEach(all::addSuppressed);
      throw all;
    }
  }

  private static void judge(List<AssertionError> verdicts, Runnable check) {
    try {
      check.run();
    } catch (AssertionError e) {
      verdicts.add(e);
    }
  }

  /**
   * The stopped probe (with the planted bugs this run asks for) reports timeline 2 with the fork's epoch, and the
   * decision against a leader on the recorded timeline 2 is a known-fork rejoin.
   */
  private void assertOnItsOwnFork(NodeConfig n, ClusterSnapshot cluster, String when) {
    LocalPostgres pg = new LocalPostgres(n, dynamic::get);
    pg.plantedBugs(planted());
    PgState s = pg.probe();
    assertThat(s.running()).as(when).isFalse();
    assertThat(s.timeline()).as(when + ": the data's timeline").isEqualTo(2);
    assertThat(s.timelineEpoch()).as(when + ": its promotion's epoch").hasValue(FORK_TOKEN);
    Decision d = decide(cluster, s);
    Optional<Action.Rejoin> rejoin = d.actions().stream().filter(Action.Rejoin.class::isInstance)
        .map(Action.Rejoin.class::cast).findFirst();
    assertThat(rejoin).as(when + ": " + d.message() + " " + d.actions()).isPresent();
    assertThat(rejoin.get().onDivergence().knownFork()).as(when + ": a known fork (no pg_rewind, no plain follow): "
        + rejoin.get().onDivergence()).isTrue();
  }

  /** n3 leads on timeline 2, which history records as started at {@code switchPoint} under the leader's token. */
  private static ClusterSnapshot clusterWithLeaderOnTimeline2(String sysid, long switchPoint) {
    Member leader = new Member("n3", 3, "postgres://127.0.0.1:5999/postgres", "http://127.0.0.1:8008/patroni",
        "running", "primary", "0.1.0", OptionalLong.of(switchPoint + 4096), 2, Optional.empty(), Map.of(), false,
        Map.of(Member.TIMELINE_EPOCH, LEADER_TOKEN));
    List<HistoryEntry> history = List.of(new HistoryEntry(1, switchPoint, "no recovery target specified",
        Optional.empty(), Optional.of("n3"), OptionalLong.of(LEADER_TOKEN)));
    return new ClusterSnapshot(10, Optional.of(new Initialize(sysid, 2, "n1")), Optional.empty(),
        Optional.of(new LeaderLock("n3", LEADER_TOKEN, LEADER_TOKEN, Duration.ofSeconds(30))), Map.of("n3", leader),
        Optional.empty(), Optional.empty(), history, Optional.empty());
  }

  private Decision decide(ClusterSnapshot cluster, PgState pg) {
    LocalState local = new LocalState(pg, Optional.empty(), Optional.empty(), OptionalLong.empty(), false,
        HaMemory.NONE, true, Optional.empty(), BackrestView.OFF, Optional.empty());
    return Decider.decide(Optional.of(cluster), local, new HaPolicy("n2", Tags.none(), dynamic.get()), Map.of(),
        System.nanoTime());
  }

  /** The bugs {@code -Dpgquorum.test.plant} names (comma-separated {@link PgBug} ids); none by default. */
  private static PlantedBugs planted() {
    return PlantedBugs.fromEnvironment(Map.of(PlantedBugs.VARIABLE, System.getProperty("pgquorum.test.plant", ""),
        PlantedBugs.OPT_IN, PlantedBugs.OPT_IN_VALUE), List.of(PgBug.values()));
  }

  private static long replayed(NodeConfig n) throws Exception {
    String lsn = queryString(n, "SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')::bigint");
    return lsn == null ? 0 : Long.parseLong(lsn);
  }

  /** The standby's checkpointer, once it waits in its main loop (not inside a restartpoint). */
  private static long awaitIdleCheckpointer(NodeConfig n) {
    AtomicReference<Long> pid = new AtomicReference<>();
    await("n2's checkpointer idle").atMost(WAIT).ignoreExceptions().until(() -> {
      String p = queryString(n, "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'"
          + " AND wait_event = 'CheckpointerMain'");
      pid.set(p == null ? null : Long.parseLong(p));
      return p != null;
    });
    return pid.get();
  }

  private static void signal(String name, long pid) throws Exception {
    Process p = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).redirectErrorStream(true).start();
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("kill -" + name + " " + pid + ": "
        + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
  }

  private static ControlData controlData(NodeConfig n) throws Exception {
    ProcessBuilder b = new ProcessBuilder(n.postgresql().binDir().resolve("pg_controldata").toString(),
        n.postgresql().dataDir().toString()).redirectErrorStream(true);
    b.environment().put("LC_ALL", "C");
    Process p = b.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return ControlData.parse(out);
  }
}
