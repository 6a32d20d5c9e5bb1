package io.pgquorum.coordinator.postgres;

import static io.pgquorum.coordinator.postgres.PgTestSupport.execute;
import static io.pgquorum.coordinator.postgres.PgTestSupport.queryString;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.coordinator.config.StandbyCluster;
import io.pgquorum.coordinator.ha.StandbySettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A changed {@code standby_cluster} section (same host and port) reaches a running standby leader on real
 * PostgreSQL 15: its probe shows the settings it runs with, the decision's comparison ({@link StandbySettings})
 * finds the stale ones, and the follow step it plans (rewrite and reload, no restart) brings them in force.
 */
class StandbySettingsReloadTest {
  private static final List<String> KEYS = List.of("restore_command", "archive_cleanup_command",
      "recovery_min_apply_delay", "primary_conninfo", "primary_slot_name");

  private PgTestSupport support;

  @BeforeEach
  void setUp() throws Exception {
    support = new PgTestSupport();
  }

  @AfterEach
  void tearDown() throws Exception {
    support.close();
  }

  @Test
  void aChangedSectionIsReloadedIntoTheStandbyLeader() throws Exception {
    NodeConfig remoteNode = support.node("remote").build();
    NodeConfig leaderNode = support.node("sl").build();
    LocalPostgres remote = new LocalPostgres(remoteNode, () -> TestNodes.dynamic(true, Map.of()));
    remote.bootstrap();
    remote.startPrimary(1);
    execute(remoteNode, "SELECT pg_create_physical_replication_slot('dr_site')");
    int port = remoteNode.postgresql().listen().port();
    StandbyCluster before = section(port, Optional.empty(), "false", Optional.empty(), Optional.empty());
    AtomicReference<DynamicConfig> dynamic = new AtomicReference<>(withSection(before));
    LocalPostgres leader = new LocalPostgres(leaderNode, dynamic::get);
    leader.cloneReplica(Upstream.remote(before));
    leader.startReplica(Upstream.remote(before));
    assertThat(StandbySettings.staleSettings(before, leader.probe(), true, true)).isEmpty();

    // Why a reload is enough: PostgreSQL 15 reads every one of them on SIGHUP.
    for (String key : KEYS) {
      assertThat(queryString(leaderNode, "SELECT context FROM pg_settings WHERE name = '" + key + "'"))
          .as(key).isEqualTo("sighup");
    }

    // The operator edits the section: a slot on the remote, another restore_command (quotes and all), a cleanup
    // command and an apply delay in another unit than pg_settings' milliseconds.
    StandbyCluster after = section(port, Optional.of("dr_site"), "cp /nonexistent/%f \"%p\"",
        Optional.of("echo %r"), Optional.of("2s"));
    dynamic.set(withSection(after));
    assertThat(StandbySettings.staleSettings(after, leader.probe(), true, true)).containsExactly("restore_command",
        "archive_cleanup_command", "recovery_min_apply_delay", "primary_slot_name");

    long pid = leader.probe().pid().orElseThrow();
    leader.follow(Upstream.remote(after));
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(StandbySettings.staleSettings(after, leader.probe(), true, true)).isEmpty());
    assertThat(queryString(leaderNode, "SELECT setting FROM pg_settings WHERE name = 'recovery_min_apply_delay'"))
        .isEqualTo("2000");
    assertThat(leader.probe().pid().orElseThrow()).as("reloaded, not restarted").isEqualTo(pid);
    // The walreceiver restarted with the new slot: the remote sees it in use.
    await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> "t".equals(queryString(remoteNode,
        "SELECT active FROM pg_replication_slots WHERE slot_name = 'dr_site'")));
  }

  private static StandbyCluster section(int port, Optional<String> slot, String restore, Optional<String> cleanup,
      Optional<String> delay) {
    return new StandbyCluster(Optional.of("127.0.0.1"), port, slot, Optional.of(restore), cleanup, delay,
        List.of("basebackup"));
  }

  private static DynamicConfig withSection(StandbyCluster s) {
    return new DynamicConfig(8, 1, 2, 1_048_576, 300, true, true, Map.of(), List.of(), Optional.of(s), Map.of());
  }
}
