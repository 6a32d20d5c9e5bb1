package io.pgquorum.coordinator.postgres;

import static io.pgquorum.coordinator.postgres.PgTestSupport.execute;
import static io.pgquorum.coordinator.postgres.PgTestSupport.queryString;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.coordinator.ha.sync.SyncStandbyNames;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * synchronous_standby_names as pgquorum sets it, against real PostgreSQL 15 (issue 14): the value PostgreSQL runs
 * with is what the probe reads and what the rules parse back; the standby it names is reported sync; a restarted
 * daemon keeps the value (dropping it would let commits go unprotected while the sync key names a standby); mode off
 * gives it back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(OrderAnnotation.class)
class LocalPostgresSyncStandbyNamesTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private PgTestSupport support;
  private final AtomicReference<DynamicConfig> dynamic = new AtomicReference<>(on(true));
  private NodeConfig n1;
  private NodeConfig n2;
  private LocalPostgres pg1;
  private LocalPostgres pg2;

  private static DynamicConfig on(boolean on) {
    return new DynamicConfig(8, 1, 2, 1_048_576, 300, true, true, Map.of(), List.of(), Optional.empty(),
        on ? Map.of("synchronous_mode", true) : Map.of());
  }

  @BeforeAll
  void setUp() throws Exception {
    support = new PgTestSupport();
    n1 = support.node("n1").build();
    // Upper case and a dash: the name must be quoted in the setting, and matched case-insensitively.
    n2 = support.node("Node-2").build();
    pg1 = new LocalPostgres(n1, dynamic::get);
    pg2 = new LocalPostgres(n2, dynamic::get);
    pg1.bootstrap();
    pg1.startPrimary(1);
    pg1.syncReplicationSlots(Set.of("Node-2"));
    Upstream up1 = new Upstream("n1", "127.0.0.1", n1.postgresql().listen().port());
    pg2.cloneReplica(up1);
    pg2.startReplica(up1);
    await().atMost(WAIT).until(() -> pg1.probe().replication().stream()
        .anyMatch(st -> st.applicationName().equals("Node-2") && st.state().equals("streaming")));
  }

  @AfterAll
  void tearDown() throws Exception {
    support.close();
  }

  @Test
  @Order(1)
  void theSettingNamesTheStandbyAndTheProbeReadsItBack() throws Exception {
    assertThat(pg1.probe().synchronousStandbyNames()).contains("");
    SyncStandbyNames names = SyncStandbyNames.all(List.of("Node-2"));
    pg1.setSynchronousStandbyNames(Optional.of(names.render()));
    PgState s = pg1.probe();
    assertThat(s.synchronousStandbyNames()).contains("FIRST 1 (\"Node-2\")");
    assertThat(SyncStandbyNames.parse(s.synchronousStandbyNames().get())).isEqualTo(names);
    await().atMost(WAIT).until(() -> pg1.probe().replication().stream()
        .anyMatch(st -> st.applicationName().equals("Node-2") && st.syncState().equals("sync")));
    // A commit is acknowledged by the synchronous standby (it would hang if the name did not match).
    execute(n1, "CREATE TABLE t (v int)");
    execute(n1, "INSERT INTO t VALUES (1)");
    assertThat(pg2.probe().isReplica()).isTrue();
  }

  @Test
  @Order(2)
  void aRestartedDaemonKeepsTheValueAcrossAReload() throws Exception {
    // A new LocalPostgres is what a restarted daemon has: nothing in memory, only the file.
    LocalPostgres restarted = new LocalPostgres(n1, dynamic::get);
    restarted.reload();
    assertThat(queryString(n1, "SHOW synchronous_standby_names")).isEqualTo("FIRST 1 (\"Node-2\")");
  }

  @Test
  @Order(3)
  void modeOffGivesTheSettingBack() throws Exception {
    dynamic.set(on(false));
    pg1.setSynchronousStandbyNames(Optional.empty());
    assertThat(queryString(n1, "SHOW synchronous_standby_names")).isEmpty();
    // And a daemon restarted with the mode off does not adopt a value its file no longer marks.
    new LocalPostgres(n1, dynamic::get).reload();
    assertThat(queryString(n1, "SHOW synchronous_standby_names")).isEmpty();
  }
}
