package io.pgquorum.coordinator.postgres;

import static io.pgquorum.coordinator.postgres.PgTestSupport.execute;
import static io.pgquorum.coordinator.postgres.PgTestSupport.queryString;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.coordinator.config.ConfigLoader;
import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.config.NodeConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A replica's recovery settings against real PostgreSQL 15 (issue 17): {@code recovery_conf}'s restore_command lets
 * a replica whose primary recycled the WAL it needs catch up from an archive, and a recovery target left in
 * postgresql.auto.conf (by a point-in-time restore) no longer stops a replica's replay.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(OrderAnnotation.class)
class LocalPostgresRecoveryTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String SEGMENT = "'^[0-9A-F]{24}$'";

  private PgTestSupport support;
  private Path archive;
  private DynamicConfig dynamic;
  private NodeConfig primary;
  private LocalPostgres pgPrimary;
  private Upstream up;

  @BeforeAll
  void setUp() throws Exception {
    support = new PgTestSupport();
    archive = Files.createDirectories(support.base.resolve("archive"));
    // The dynamic configuration as Patroni users write it; slots off and wal_keep_size 0, so that nothing keeps
    // WAL for a stopped replica on the primary.
    List<String> warnings = new ArrayList<>();
    dynamic = ConfigLoader.parseDynamic(Map.of("postgresql", Map.of(
        "use_slots", false,
        "parameters", Map.of("archive_mode", "on", "archive_command", "cp %p " + archive + "/%f",
            "wal_keep_size", 0, "min_wal_size", "32MB"),
        "recovery_conf", Map.of("restore_command", "cp " + archive + "/%f %p"))), "bootstrap.dcs", warnings);
    primary = support.node("primary").build();
    pgPrimary = new LocalPostgres(primary, () -> dynamic);
    pgPrimary.bootstrap();
    pgPrimary.startPrimary(1);
    execute(primary, "CREATE TABLE t (x int)");
    up = new Upstream("primary", "127.0.0.1", primary.postgresql().listen().port());
  }

  @AfterAll
  void tearDown() throws Exception {
    try {
      support.assertNoSecretsLogged();
    } finally {
      support.close();
    }
  }

  /**
   * Issue 17 item 9: postgresql.recovery_conf was ignored (a warning only), so a replica that was down while its
   * primary recycled the WAL it needed never caught up ("requested WAL segment ... has already been removed").
   */
  @Test
  @Order(1)
  void aReplicaCatchesUpFromTheArchiveWithRestoreCommand() throws Exception {
    NodeConfig replica = support.node("archive-replica").build();
    LocalPostgres pg = new LocalPostgres(replica, () -> dynamic);
    pg.cloneReplica(up);
    pg.startReplica(up);
    execute(primary, "INSERT INTO t VALUES (1)");
    await().atMost(WAIT).until(() -> "1".equals(queryString(replica, "SELECT count(*) FROM t")));
    pg.stop(StopMode.FAST);
    String lastSeen = queryString(primary, "SELECT pg_walfile_name(pg_current_wal_lsn())");

    for (int i = 0; i < 4; i++) {
      execute(primary, "INSERT INTO t SELECT generate_series(1, 1000)");
      execute(primary, "SELECT pg_switch_wal()");
    }
    String last = queryString(primary, "SELECT pg_walfile_name(pg_current_wal_lsn() - 1)");
    await().atMost(WAIT).until(() -> {
      String archived = queryString(primary, "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver");
      return archived.compareTo(last) >= 0;
    });
    execute(primary, "CHECKPOINT");
    execute(primary, "CHECKPOINT");
    String oldest = queryString(primary, "SELECT min(name) FROM pg_ls_waldir() WHERE name ~ " + SEGMENT);
    assertThat(oldest).as("precondition: the primary no longer has the WAL the replica stopped in")
        .isGreaterThan(lastSeen);

    pg.startReplica(up);

    String expected = queryString(primary, "SELECT count(*) FROM t");
    await().atMost(WAIT).until(() -> expected.equals(queryString(replica, "SELECT count(*) FROM t")));
    assertThat(queryString(replica, "SHOW restore_command")).isEqualTo("cp " + archive + "/%f %p");
    pg.stop(StopMode.FAST);
  }

  /**
   * Issue 17 item 11: a point-in-time restore leaves a recovery target in postgresql.auto.conf (pgBackRest's
   * --type=lsn writes recovery_target_lsn there); a node started as a replica later paused its replay at it and
   * never streamed. It is taken out of postgresql.auto.conf, which is kept as a copy first.
   */
  @Test
  @Order(2)
  void aRecoveryTargetInAutoConfDoesNotStopAReplica() throws Exception {
    NodeConfig replica = support.node("pitr-replica").build();
    LocalPostgres pg = new LocalPostgres(replica, () -> dynamic);
    pg.cloneReplica(up);
    execute(primary, "INSERT INTO t VALUES (-1)");
    String target = queryString(primary, "SELECT pg_current_wal_lsn()");
    Path autoConf = replica.postgresql().dataDir().resolve("postgresql.auto.conf");
    String before = Files.readString(autoConf, StandardCharsets.UTF_8);
    Files.writeString(autoConf, "recovery_target_lsn = '" + target + "'\nwork_mem = '8MB'\n",
        StandardCharsets.UTF_8, StandardOpenOption.APPEND);

    pg.startReplica(up);
    execute(primary, "INSERT INTO t VALUES (-2)");

    await().atMost(WAIT).until(() -> "1".equals(queryString(replica, "SELECT count(*) FROM t WHERE x = -2")));
    await().atMost(WAIT).until(() -> pg.probe().replicationState().filter("streaming"::equals).isPresent());
    assertThat(queryString(replica, "SHOW recovery_target_lsn")).isEmpty();
    assertThat(queryString(replica, "SHOW work_mem")).as("the other settings stay").isEqualTo("8MB");
    assertThat(Files.readString(autoConf, StandardCharsets.UTF_8)).doesNotContain("recovery_target_lsn")
        .contains("work_mem = '8MB'").startsWith(before);
    try (Stream<Path> files = Files.list(replica.postgresql().dataDir())) {
      List<Path> copies = files.filter(p -> p.getFileName().toString().startsWith("postgresql.auto.conf.pgquorum-"))
          .toList();
      assertThat(copies).as("the copy kept before the change").hasSize(1);
      assertThat(copies.get(0)).content(StandardCharsets.UTF_8).contains("recovery_target_lsn = '" + target + "'");
    }
    assertThat(support.logLines()).anyMatch(l -> l.contains("recovery_target_lsn") && l.contains("removed"));
    pg.stop(StopMode.FAST);
  }

  /**
   * Issue 17 item 11: /patroni said xlog.paused false while replay was paused. The probe reads PostgreSQL's pause
   * state (what /patroni's xlog.paused and patroni_xlog_paused render).
   */
  @Test
  @Order(3)
  void aPausedReplayIsProbedAsPaused() throws Exception {
    NodeConfig replica = support.node("paused-replica").build();
    LocalPostgres pg = new LocalPostgres(replica, () -> dynamic);
    pg.cloneReplica(up);
    pg.startReplica(up);
    assertThat(pg.probe().replayPaused()).isFalse();
    assertThat(pg.probe().replayPauseState()).contains("not paused");

    execute(replica, "SELECT pg_wal_replay_pause()");
    assertThat(pg.probe().replayPaused()).as("paused or pause requested").isTrue();
    execute(primary, "INSERT INTO t VALUES (-3)");
    await().atMost(WAIT).until(() -> pg.probe().replayPauseState().filter("paused"::equals).isPresent());
    assertThat(queryString(replica, "SELECT count(*) FROM t WHERE x = -3")).as("replay does not advance")
        .isEqualTo("0");

    execute(replica, "SELECT pg_wal_replay_resume()");
    assertThat(pg.probe().replayPaused()).isFalse();
    await().atMost(WAIT).until(() -> "1".equals(queryString(replica, "SELECT count(*) FROM t WHERE x = -3")));
    pg.stop(StopMode.FAST);
  }
}
