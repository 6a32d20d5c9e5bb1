package io.pgquorum.coordinator.postgres;

import static io.pgquorum.coordinator.postgres.PgTestSupport.execute;
import static io.pgquorum.coordinator.postgres.PgTestSupport.queryString;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.coordinator.postgres.PendingRestartReason.Change;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The pending-restart reasons the probe reads from real PostgreSQL 15: a restart-only parameter changed through
 * pgquorum's configuration and one changed behind its back (ALTER SYSTEM), a replica started at pg_control's
 * higher max_connections, and every reason gone after a restart.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PendingRestartProbeTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private PgTestSupport support;
  private final AtomicReference<DynamicConfig> dynamic =
      new AtomicReference<>(TestNodes.dynamic(true, Map.of("max_connections", "100")));
  private NodeConfig n1;
  private NodeConfig n2;
  private LocalPostgres pg1;
  private LocalPostgres pg2;

  @BeforeAll
  void setUp() throws Exception {
    support = new PgTestSupport();
    n1 = support.node("n1").build();
    n2 = support.node("n2").build();
    pg1 = new LocalPostgres(n1, dynamic::get);
    pg2 = new LocalPostgres(n2, dynamic::get);
  }

  @AfterAll
  void tearDown() throws Exception {
    support.close();
  }

  /** The pids of pgquorum's sessions on n1 other than the one asking. */
  private String probeSessions() throws java.sql.SQLException {
    return queryString(n1, "SELECT string_agg(pid::text, ',' ORDER BY pid) FROM pg_stat_activity"
        + " WHERE application_name = 'pgquorum' AND pid <> pg_backend_pid()");
  }

  @Test
  void reasonsFromTheConfigurationFromOutsideAndFromPgControl() throws Exception {
    pg1.bootstrap();
    pg1.startPrimary(1);
    assertThat(pg1.probe().pendingRestart()).isFalse();
    assertThat(pg1.probe().pendingRestartReason()).isEmpty();

    // Behind pgquorum's back: ALTER SYSTEM and a reload. PostgreSQL shows the old value until a restart.
    String probeSessions = probeSessions();
    assertThat(probeSessions).as("the probe keeps a session").isNotNull();
    String loaded = queryString(n1, "SELECT pg_conf_load_time()::text");
    execute(n1, "ALTER SYSTEM SET shared_buffers = '32768'");
    execute(n1, "SELECT pg_reload_conf()");
    // A new session shows the new load time once the postmaster has read the files, and the postmaster signals its
    // children before it forks another, so the probe's kept session has its SIGHUP by then and applies it before
    // its next statement: the very next probe must see the flag, on the same session (the probe keeps what it read
    // from pg_settings per session and load time; a memo that ignored the reload would say false until the session
    // was replaced, up to 30 s later).
    await().atMost(WAIT).until(() -> !loaded.equals(queryString(n1, "SELECT pg_conf_load_time()::text")));
    assertThat(pg1.probe().pendingRestart()).as("the first probe after the reload").isTrue();
    assertThat(probeSessions()).as("the probe's kept session").isEqualTo(probeSessions);
    await().atMost(WAIT).untilAsserted(() -> assertThat(pg1.probe().pendingRestartReason())
        .containsExactly(Map.entry("shared_buffers", new Change("128MB", "256MB"))));

    // Through pgquorum: the dynamic configuration's max_connections, written and reloaded.
    dynamic.set(TestNodes.dynamic(true, Map.of("max_connections", "150")));
    pg1.reload();
    await().atMost(WAIT).untilAsserted(() -> assertThat(pg1.probe().pendingRestartReason()).containsExactly(
        Map.entry("max_connections", new Change("100", "150")),
        Map.entry("shared_buffers", new Change("128MB", "256MB"))));

    // A replica cloned now has the primary's 100 in pg_control; configured lower, it could not start as a hot
    // standby, so it starts at 100 and says a restart is pending.
    Upstream up1 = new Upstream("n1", "127.0.0.1", n1.postgresql().listen().port());
    dynamic.set(TestNodes.dynamic(true, Map.of("max_connections", "50")));
    pg1.syncReplicationSlots(java.util.Set.of("n2"));
    pg2.cloneReplica(up1);
    pg2.startReplica(up1);
    assertThat(queryString(n2, "SHOW max_connections")).isEqualTo("100");
    PgState replica = pg2.probe();
    assertThat(replica.isReplica()).isTrue();
    assertThat(replica.pendingRestart()).isTrue();
    assertThat(replica.pendingRestartReason()).containsExactly(Map.entry("max_connections",
        new Change("100", "50")));

    // A restart of the primary applies everything: nothing pending any more.
    pg1.stop(StopMode.FAST);
    pg1.startPrimary(1);
    assertThat(queryString(n1, "SHOW shared_buffers")).isEqualTo("256MB");
    assertThat(queryString(n1, "SHOW max_connections")).isEqualTo("50");
    PgState restarted = pg1.probe();
    assertThat(restarted.pendingRestart()).isFalse();
    assertThat(restarted.pendingRestartReason()).isEmpty();

    // The replica replays the primary's lower value into its pg_control; its next start uses the configured one.
    await().atMost(WAIT).until(() -> pg2.probe().replayedLsn().orElse(0)
        >= pg1.probe().walPosition());
    pg2.stop(StopMode.FAST);
    pg2.startReplica(up1);
    assertThat(queryString(n2, "SHOW max_connections")).isEqualTo("50");
    assertThat(pg2.probe().pendingRestartReason()).isEmpty();
    assertThat(pg2.probe().pendingRestart()).isFalse();
  }
}
