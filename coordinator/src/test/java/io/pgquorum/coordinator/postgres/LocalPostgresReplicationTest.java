package io.pgquorum.coordinator.postgres;

import static io.pgquorum.coordinator.postgres.PgTestSupport.execute;
import static io.pgquorum.coordinator.postgres.PgTestSupport.queryLong;
import static io.pgquorum.coordinator.postgres.PgTestSupport.queryString;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.coordinator.postgres.PgState.DataDirState;
import io.pgquorum.testkit.FreePorts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * One cluster's life against real PostgreSQL 15, in order: bootstrap a primary, clone a replica that streams
 * through its slot, promote the replica while the old primary keeps writing (split brain on purpose), then
 * rewind the diverged old primary and make it follow the new one. Each step checks its own precondition, so a
 * failure names the step that broke.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(OrderAnnotation.class)
class LocalPostgresReplicationTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private PgTestSupport support;
  private final AtomicReference<DynamicConfig> dynamic = new AtomicReference<>(TestNodes.dynamic(true, Map.of()));
  private NodeConfig n1;
  private NodeConfig n2;
  private LocalPostgres pg1;
  private LocalPostgres pg2;
  private Upstream up1;
  private Upstream up2;

  @BeforeAll
  void setUp() throws Exception {
    support = new PgTestSupport();
    n1 = support.node("n1").build();
    // A member name that is not a valid slot name: the slot becomes node_2, application_name stays Node-2.
    n2 = support.node("Node-2").build();
    pg1 = new LocalPostgres(n1, dynamic::get);
    pg2 = new LocalPostgres(n2, dynamic::get);
    up1 = new Upstream("n1", "127.0.0.1", n1.postgresql().listen().port());
    up2 = new Upstream("Node-2", "127.0.0.1", n2.postgresql().listen().port());
  }

  @AfterAll
  void tearDown() throws Exception {
    try {
      support.assertNoSecretsLogged();
      for (Path log : new Path[] {startupLog(n1), startupLog(n2)}) {
        if (Files.exists(log)) {
          String text = Files.readString(log, StandardCharsets.UTF_8);
          for (String secret : TestNodes.SECRETS) {
            assertThat(text).as("PostgreSQL's log " + log).doesNotContain(secret);
          }
        }
      }
    } finally {
      support.close();
    }
  }

  private static Path startupLog(NodeConfig n) {
    Path data = n.postgresql().dataDir();
    return data.resolveSibling(data.getFileName() + ".postmaster.log");
  }

  @Test
  @Order(1)
  void bootstrapStartPrimaryAndCreateRoles() throws Exception {
    assertThat(pg1.probe().dataDir()).isEqualTo(DataDirState.MISSING);

    pg1.bootstrap();
    PgState stopped = pg1.probe();
    assertThat(stopped.dataDir()).isEqualTo(DataDirState.INITIALIZED);
    assertThat(stopped.running()).isFalse();
    assertThat(stopped.cleanShutdown()).isTrue();
    assertThat(stopped.systemIdentifier()).isPresent();
    assertThat(stopped.timeline()).isEqualTo(1);

    pg1.startPrimary(1);

    PgState s = pg1.probe();
    assertThat(s.isPrimary()).isTrue();
    assertThat(s.timeline()).isEqualTo(1);
    assertThat(s.fencingToken()).hasValue(1);
    assertThat(s.serverVersion()).isBetween(150000, 159999);
    assertThat(s.systemIdentifier()).isEqualTo(stopped.systemIdentifier());
    assertThat(s.pid()).isPresent();
    assertThat(s.walPosition()).isPositive();
    assertThat(s.pendingRestart()).isFalse();

    assertThat(queryString(n1, "SELECT current_setting('pgquorum.fencing_token')")).isEqualTo("1");
    assertThat(queryString(n1, "SHOW cluster_name")).isEqualTo(TestNodes.SCOPE);
    assertThat(queryString(n1, "SHOW wal_log_hints")).isEqualTo("on");
    assertThat(queryString(n1, "SHOW unix_socket_directories"))
        .isEqualTo(n1.postgresql().dataDir().getParent().toString());
    assertThat(queryString(n1, "SELECT rolreplication FROM pg_roles WHERE rolname = 'replicator'"))
        .isEqualTo("t");
    assertThat(queryString(n1, "SELECT has_function_privilege('rewinder',"
        + " 'pg_catalog.pg_read_binary_file(text, bigint, bigint, boolean)', 'EXECUTE')")).isEqualTo("t");
    assertThat(queryString(n1, "SELECT pg_has_role('rewinder', 'pg_checkpoint', 'MEMBER')")).isEqualTo("t");
    // Stored as a SCRAM verifier: the driver hashed it, the server never saw the plain text.
    assertThat(queryString(n1, "SELECT rolpassword FROM pg_authid WHERE rolname = 'replicator'"))
        .startsWith("SCRAM-SHA-256$");
    assertThat(Files.getPosixFilePermissions(n1.postgresql().pgpass()))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  @Test
  @Order(2)
  void cloneAReplicaThatStreamsThroughItsSlot() throws Exception {
    assertThat(pg1.probe().isPrimary()).as("step 1 left a running primary").isTrue();
    pg1.syncReplicationSlots(Set.of("Node-2"));
    assertThat(queryLong(n1, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'node_2'"))
        .isEqualTo(1);

    pg2.cloneReplica(up1);
    PgState cloned = pg2.probe();
    assertThat(cloned.running()).isFalse();
    assertThat(cloned.systemIdentifier()).isEqualTo(pg1.probe().systemIdentifier());
    assertThat(n2.postgresql().dataDir().resolve("standby.signal")).exists();

    pg2.startReplica(up1);
    execute(n1, "CREATE TABLE t (id int PRIMARY KEY, origin text)");
    execute(n1, "INSERT INTO t VALUES (1, 'n1')");
    await().atMost(WAIT).until(() -> "n1".equals(queryString(n2, "SELECT origin FROM t WHERE id = 1")));

    await().atMost(WAIT).untilAsserted(() -> {
      PgState r = pg2.probe();
      assertThat(r.isReplica()).isTrue();
      assertThat(r.replicationState()).contains("streaming");
      assertThat(r.upstream()).contains("127.0.0.1:" + up1.port());
      assertThat(r.receivedLsn()).isPresent();
      assertThat(r.replayedLsn()).isPresent();
      assertThat(r.timeline()).isEqualTo(1);
    });
    await().atMost(WAIT).untilAsserted(() -> assertThat(pg1.probe().replication())
        .anySatisfy(st -> {
          assertThat(st.applicationName()).isEqualTo("Node-2");
          assertThat(st.state()).isEqualTo("streaming");
          assertThat(st.flushLsn()).isPositive();
        }));
    assertThat(queryString(n1, "SELECT active FROM pg_replication_slots WHERE slot_name = 'node_2'"))
        .isEqualTo("t");
    assertThat(pg2.probe().replayedTimestamp()).isPresent();
    // Issue 17, item 7: the primary's probe reports its slots' positions (what status.slots publishes).
    long restart = queryLong(n1, "SELECT pg_wal_lsn_diff(restart_lsn, '0/0')::bigint FROM pg_replication_slots"
        + " WHERE slot_name = 'node_2'");
    assertThat(pg1.probe().slots()).containsEntry("node_2", restart).hasSize(1);
    assertThat(pg2.probe().slots()).as("a replica without slots reports none").isEmpty();
    // Issue 17: a replica reports the slot it keeps for a member cascading from it, and drops it once no member
    // does (the Decider plans that sync while the replica holds any slot).
    pg2.syncReplicationSlots(Set.of("Node-3"));
    assertThat(pg2.probe().slots()).containsOnlyKeys("node_3");
    pg2.syncReplicationSlots(Set.of());
    assertThat(pg2.probe().slots()).as("the replica's stale cascade slot is gone").isEmpty();

    // No longer wanted but in use: an active slot is never dropped.
    pg1.syncReplicationSlots(Set.of());
    assertThat(queryLong(n1, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'node_2'"))
        .isEqualTo(1);
    pg1.syncReplicationSlots(Set.of("Node-2"));
  }

  @Test
  @Order(3)
  void promoteTheReplicaWithANewFencingToken() throws Exception {
    assertThat(pg2.probe().isReplica()).as("step 2 left a running replica").isTrue();

    pg2.promote(2);

    assertThat(queryString(n2, "SELECT current_setting('pgquorum.fencing_token')")).isEqualTo("2");
    assertThat(queryString(n2, "SELECT pg_is_in_recovery()")).isEqualTo("f");
    execute(n2, "INSERT INTO t VALUES (2, 'Node-2')");
    PgState s = pg2.probe();
    assertThat(s.isPrimary()).isTrue();
    assertThat(s.timeline()).isEqualTo(2);
    assertThat(s.fencingToken()).hasValue(2);
    // The new timeline's epoch was recorded before the promotion (over the promotion's own session).
    assertThat(s.epochLine().epochOf(2)).hasValue(2);
    assertThat(n2.postgresql().dataDir().resolve("standby.signal")).doesNotExist();
    // Once the post-promotion reload is in (it drops primary_conninfo), nothing waits for a restart: the standby's
    // restart-only lines (the empty recovery targets) are still written, not removed.
    await().atMost(java.time.Duration.ofSeconds(10))
        .until(() -> queryString(n2, "SELECT current_setting('primary_conninfo')").isEmpty());
    assertThat(queryString(n2, "SELECT coalesce(string_agg(name, ','), 'none') FROM pg_settings"
        + " WHERE pending_restart")).as("parameters pending a restart after the promotion").isEqualTo("none");

    // Promoting it again (a running primary that took a new lock) only sets the new token: same server, same
    // timeline, writable throughout.
    pg2.promote(3);
    PgState again = pg2.probe();
    assertThat(again.fencingToken()).hasValue(3);
    assertThat(queryString(n2, "SELECT current_setting('pgquorum.fencing_token')")).isEqualTo("3");
    assertThat(again.timeline()).isEqualTo(2);
    assertThat(again.pid()).isEqualTo(s.pid());
    assertThat(again.postmasterStartTime()).isEqualTo(s.postmasterStartTime());
    execute(n2, "INSERT INTO t VALUES (10, 'Node-2')");

    // Split brain, on purpose: the old primary still accepts writes the new one will never see.
    execute(n1, "INSERT INTO t SELECT g, 'n1-diverged' FROM generate_series(100, 2000) g");
    pg1.stop(StopMode.IMMEDIATE);
    PgState old = pg1.probe();
    assertThat(old.running()).isFalse();
    assertThat(old.cleanShutdown()).isFalse();
  }

  @Test
  @Order(4)
  void rewindTheDivergedOldPrimaryAndFollowTheNewOne() throws Exception {
    assertThat(pg1.probe().running()).as("step 3 stopped the old primary").isFalse();
    assertThat(pg2.probe().isPrimary()).as("step 3 promoted Node-2").isTrue();
    pg2.syncReplicationSlots(Set.of("n1"));

    assertThat(pg1.needsRewind(up2)).isTrue();
    assertThat(pg1.rewind(up2)).isTrue();
    pg1.startReplica(up2);

    execute(n2, "INSERT INTO t VALUES (3, 'Node-2')");
    await().atMost(WAIT).until(() -> "Node-2".equals(queryString(n1, "SELECT origin FROM t WHERE id = 3")));
    assertThat(queryLong(n1, "SELECT count(*) FROM t WHERE origin = 'n1-diverged'")).isZero();
    await().atMost(WAIT).untilAsserted(() -> {
      PgState s = pg1.probe();
      assertThat(s.isReplica()).isTrue();
      assertThat(s.replicationState()).contains("streaming");
      assertThat(s.timeline()).isEqualTo(2);
      assertThat(s.upstream()).contains("127.0.0.1:" + up2.port());
    });
    assertThat(queryString(n2, "SELECT active FROM pg_replication_slots WHERE slot_name = 'n1'")).isEqualTo("t");

    // Cleanly stopped while following the new primary: nothing diverged any more.
    pg1.stop(StopMode.FAST);
    assertThat(pg1.probe().cleanShutdown()).isTrue();
    assertThat(pg1.needsRewind(up2)).isFalse();
  }

  @Test
  @Order(5)
  void followSwitchesAReplicaToAnotherUpstreamOnReload() throws Exception {
    assertThat(pg2.probe().isPrimary()).as("Node-2 is the primary").isTrue();
    // n1 restarts following Node-2 but with a wrong port first, then follow() points it at Node-2.
    pg1.startReplica(new Upstream("nowhere", "127.0.0.1", FreePorts.next()));
    assertThat(pg1.probe().replicationState()).contains("in archive recovery");

    pg1.follow(up2);

    execute(n2, "INSERT INTO t VALUES (4, 'Node-2')");
    await().atMost(WAIT).until(() -> "Node-2".equals(queryString(n1, "SELECT origin FROM t WHERE id = 4")));
    await().atMost(WAIT).untilAsserted(() -> assertThat(pg1.probe().replicationState()).contains("streaming"));
    // Issue 17, item 12: a replica's probe reads its own history file, which the decision compares with the
    // cluster's history (timeline 2 began where Node-2 was promoted).
    PgState following = pg1.probe();
    assertThat(following.timeline()).isEqualTo(2);
    assertThat(following.timelineHistory()).singleElement()
        .satisfies(sw -> assertThat(sw.timeline()).isEqualTo(1))
        .isEqualTo(HistoryFile.read(n2.postgresql().dataDir(), 2).get(0));
  }

  /**
   * Issue 12, as in Patroni: the recovery parameters and hot_standby never count as pending a restart (pgquorum
   * writes them per role itself). A replica whose only restart-only changes are such parameters shows nothing
   * pending, although pg_settings flags them; any other restart-only parameter still counts.
   */
  @Test
  @Order(6)
  void aReplicaWhoseOnlyChangeIsARecoveryParameterIsNotPendingARestart() throws Exception {
    assertThat(pg1.probe().isReplica()).as("step 5 left n1 a replica").isTrue();
    try {
      execute(n1, "ALTER SYSTEM SET recovery_target_action = 'shutdown'");
      execute(n1, "ALTER SYSTEM SET hot_standby = off");
      execute(n1, "SELECT pg_reload_conf()");
      await().atMost(WAIT).until(() -> "hot_standby,recovery_target_action".equals(queryString(n1,
          "SELECT string_agg(name, ',' ORDER BY name) FROM pg_settings WHERE pending_restart")));
      PgState recoveryOnly = pg1.probe();
      assertThat(recoveryOnly.pendingRestart()).as("pending restart for recovery parameters only").isFalse();
      assertThat(recoveryOnly.pendingRestartReason()).isEmpty();

      execute(n1, "ALTER SYSTEM SET max_files_per_process = 900");
      execute(n1, "SELECT pg_reload_conf()");
      await().atMost(WAIT).untilAsserted(() -> {
        PgState other = pg1.probe();
        assertThat(other.pendingRestart()).as("another restart-only parameter still counts").isTrue();
        assertThat(other.pendingRestartReason()).containsOnlyKeys("max_files_per_process");
      });
    } finally {
      for (String name : new String[] {"recovery_target_action", "hot_standby", "max_files_per_process"}) {
        execute(n1, "ALTER SYSTEM RESET " + name);
      }
      execute(n1, "SELECT pg_reload_conf()");
    }
  }

  /**
   * Issue 17, item 8: a fresh copy makes its slot on the member it will stream from before its first connection,
   * so its PostgreSQL never asks for a slot that does not exist yet (the upstream keeps its members' slots, but
   * only from its next cycle on). Here n3 is copied from the replica n1 (as from a clonefrom member) and cascades
   * from it (replicatefrom); n1 then takes the slot as its own and drops it once no member streams from it.
   */
  @Test
  @Order(7)
  void aFreshCopyMakesItsSlotOnItsUpstreamBeforeItsFirstConnection() throws Exception {
    assertThat(pg1.probe().replicationState()).as("step 5 left n1 streaming").contains("streaming");
    NodeConfig n3 = support.node("n3").build();
    LocalPostgres pg3 = new LocalPostgres(n3, dynamic::get);
    Upstream up3 = new Upstream("n1", "127.0.0.1", n1.postgresql().listen().port());
    String slotOnN1 = "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'n3'";
    try {
      pg3.cloneReplica(up3);
      assertThat(queryLong(n1, slotOnN1)).as("no slot for n3 on n1 after the copy").isZero();
      pg3.createSlotOn(up3);
      assertThat(queryLong(n1, slotOnN1)).as("n3's slot on n1").isEqualTo(1);
      pg3.createSlotOn(up3); // there already (say n1's own cycle made it first): left alone, no error
      pg3.startReplica(up3);
      execute(n2, "INSERT INTO t VALUES (5, 'Node-2')");
      await().atMost(WAIT).until(() -> "Node-2".equals(queryString(n3, "SELECT origin FROM t WHERE id = 5")));
      await().atMost(WAIT).untilAsserted(() -> assertThat(pg3.probe().replicationState()).contains("streaming"));
      assertThat(queryString(n1, "SELECT active FROM pg_replication_slots WHERE slot_name = 'n3'")).isEqualTo("t");
      assertThat(Files.readString(startupLog(n3), StandardCharsets.UTF_8)).as("n3's PostgreSQL log")
          .doesNotContain("does not exist");

      // n1 wants the slot while n3 cascades from it: it is pgquorum's now, dropped once no longer wanted.
      pg1.syncReplicationSlots(Set.of("n3"));
      pg3.stop(StopMode.FAST);
      // Polled: n1's walsender for n3 may outlive n3's shutdown for a moment, and an active slot is kept.
      await().atMost(WAIT).untilAsserted(() -> {
        pg1.syncReplicationSlots(Set.of());
        assertThat(queryLong(n1, slotOnN1)).as("n3's slot on n1 once n3 no longer cascades").isZero();
      });
    } finally {
      if (pg3.probe().running()) {
        pg3.stop(StopMode.IMMEDIATE);
      }
    }
  }
}
