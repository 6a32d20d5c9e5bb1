package io.pgquorum.coordinator.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgquorum.coordinator.config.Credentials;
import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.config.StandbyCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files pgquorum writes into PGDATA, without a server. */
class ConfigWriterTest {
  @TempDir
  Path base;

  private TestNodes.Builder node;
  private final AtomicReference<DynamicConfig> dynamic = new AtomicReference<>(TestNodes.dynamic(true, Map.of()));

  @BeforeEach
  void setUp() throws IOException {
    node = TestNodes.node(base, "Node-1", 5599);
    Files.createDirectories(node.dataDir());
  }

  private ConfigWriter writer() {
    return new ConfigWriter(new PgContext(node.build(), dynamic::get));
  }

  @Test
  void precedenceDefaultsThenDynamicThenLocalExceptClusterWideThenForced() {
    dynamic.set(TestNodes.dynamic(true, Map.of("max_connections", "150", "work_mem", "8MB",
        "shared_buffers", "64MB", "port", "1")));
    node.parameter("max_connections", "999").parameter("work_mem", "16MB").parameter("wal_level", "minimal")
        .parameter("Listen_Addresses", "*");
    Map<String, String> p = writer().parameters(7, Map.of());
    assertThat(p).containsEntry("max_connections", "150") // cluster-wide: dynamic only
        .containsEntry("wal_level", "replica") // cluster-wide default kept, local ignored
        .containsEntry("work_mem", "16MB") // local overrides dynamic
        .containsEntry("shared_buffers", "64MB")
        .containsEntry("listen_addresses", "127.0.0.1") // always from postgresql.listen
        .containsEntry("port", "5599")
        .containsEntry("cluster_name", TestNodes.SCOPE)
        .containsEntry("hot_standby", "on")
        .containsEntry("wal_log_hints", "on")
        .containsEntry("max_wal_senders", "10")
        .containsEntry("max_replication_slots", "10")
        .containsEntry("unix_socket_directories", base.resolve("Node-1").toString())
        .containsEntry("pgquorum.fencing_token", "7")
        .doesNotContainKeys("primary_conninfo", "primary_slot_name");
  }

  @Test
  void aNostreamReplicaGetsItsRecoverySettingsButNoPrimaryConninfoOrSlot() {
    node.recoveryConf.put("restore_command", "cp /archive/%f %p");
    node.tags = new io.pgquorum.coordinator.config.Tags(false, false, false, false, 1, Map.of("nostream", true));
    Map<String, String> s = writer().replicaSettings(new Upstream("other", "10.0.0.9", 5433));
    assertThat(s).containsEntry("restore_command", "cp /archive/%f %p")
        .doesNotContainKeys("primary_conninfo", "primary_slot_name");
  }

  @Test
  void replicaSettingsNameTheUpstreamThisNodeAndThePasswordFileButNoPassword() {
    Map<String, String> s = writer().replicaSettings(new Upstream("other", "10.0.0.9", 5433));
    String conninfo = s.get("primary_conninfo");
    assertThat(ConnInfo.parse(conninfo)).containsEntry("host", "10.0.0.9").containsEntry("port", "5433")
        .containsEntry("user", TestNodes.REPLICATION).containsEntry("application_name", "Node-1")
        .containsEntry("passfile", base.resolve("Node-1").resolve("pgpass").toString())
        .doesNotContainKey("password");
    assertThat(conninfo).doesNotContain(TestNodes.REPLICATION_PASSWORD);
    assertThat(s).containsEntry("primary_slot_name", "node_1");
    // recovery_target_timeline is restart-only: written for both roles so a promotion leaves nothing pending.
    assertThat(writer().parameters(1, s)).containsEntry("recovery_target_timeline", "latest");
    assertThat(writer().parameters(1, Map.of())).containsEntry("recovery_target_timeline", "latest");

    dynamic.set(TestNodes.dynamic(false, Map.of()));
    assertThat(writer().replicaSettings(new Upstream("other", "h", 1))).doesNotContainKey("primary_slot_name");
  }

  @Test
  void aStandbyLeaderFollowsTheRemoteWithTheSectionsSlotAndRecoverySettings() {
    StandbyCluster section = new StandbyCluster(Optional.of("10.0.0.9,10.0.0.10"), 5433, Optional.of("dr_site"),
        Optional.of("cp /archive/%f %p"), Optional.of("pg_archivecleanup /archive %r"), Optional.of("5min"),
        List.of("basebackup"));
    Map<String, String> s = writer().replicaSettings(Upstream.remote(section));
    assertThat(ConnInfo.parse(s.get("primary_conninfo"))).containsEntry("host", "10.0.0.9,10.0.0.10")
        .containsEntry("port", "5433").containsEntry("user", TestNodes.REPLICATION)
        .containsEntry("application_name", "Node-1").containsEntry("target_session_attrs", "read-write")
        .doesNotContainKey("password");
    // The remote's slot, never this member's own (node_1), which exists nowhere on the remote.
    assertThat(s).containsEntry("primary_slot_name", "dr_site").containsEntry("restore_command", "cp /archive/%f %p")
        .containsEntry("archive_cleanup_command", "pg_archivecleanup /archive %r")
        .containsEntry("recovery_min_apply_delay", "5min");

    // Archive only: no primary_conninfo, no slot; a promotion carries these until it is done, then drops them.
    StandbyCluster archive = new StandbyCluster(Optional.empty(), 5432, Optional.empty(),
        Optional.of("cp /archive/%f %p"), Optional.empty(), Optional.empty(), List.of("restore"));
    Map<String, String> a = writer().replicaSettings(Upstream.remote(archive));
    // With the recovery settings every standby has (recovery_conf's, here none, and no recovery target).
    assertThat(a).containsEntry("restore_command", "cp /archive/%f %p")
        .containsEntry("recovery_target_timeline", "latest").containsEntry("recovery_target_lsn", "")
        .doesNotContainKeys("primary_conninfo", "primary_slot_name");
    ConfigWriter w = writer();
    w.write(3, a);
    assertThat(w.currentRoleSettings()).containsEntry("restore_command", "cp /archive/%f %p")
        .doesNotContainKeys("primary_conninfo", "primary_slot_name");
    w.write(3, Map.of());
    assertThat(w.currentSetting("restore_command")).isEmpty();

    // A member of a standby cluster streams from its standby leader like any replica: its own slot, no restore.
    assertThat(writer().replicaSettings(new Upstream("leader", "10.0.0.1", 5432)))
        .containsEntry("primary_slot_name", "node_1").doesNotContainKey("restore_command");
  }

  /**
   * Issue 17: in a standby cluster every member, not only the standby leader, runs with the section's
   * restore_command and archive_cleanup_command, over its recovery_conf's (Patroni's _get_node_to_follow passes
   * them with the member it follows), so a replica that fell behind its standby leader's WAL can still catch up
   * from the archive. recovery_min_apply_delay stays the standby leader's alone, as in Patroni.
   */
  @Test
  void membersOfAStandbyClusterGetTheSectionsRestoreAndCleanupCommands() {
    StandbyCluster section = new StandbyCluster(Optional.empty(), 5432, Optional.empty(),
        Optional.of("cp /archive/%f %p"), Optional.of("pg_archivecleanup /archive %r"), Optional.of("5min"),
        List.of("restore"));
    dynamic.set(new DynamicConfig(8, 1, 2, 0, 300, true, true, Map.of(), List.of(),
        Optional.of(section), Map.of()));
    node.recoveryConf.put("restore_command", "local-fetch %f %p");
    node.recoveryConf.put("recovery_min_apply_delay", "1min");
    Map<String, String> s = writer().replicaSettings(new Upstream("standby-leader", "10.0.0.1", 5432));
    assertThat(s).containsEntry("restore_command", "cp /archive/%f %p")
        .containsEntry("archive_cleanup_command", "pg_archivecleanup /archive %r")
        .containsEntry("recovery_min_apply_delay", "1min") // its own, never the section's
        .containsEntry("primary_slot_name", "node_1");
    assertThat(ConnInfo.parse(s.get("primary_conninfo"))).containsEntry("host", "10.0.0.1");

    // Without restore_command in the section, the member's own recovery_conf stays.
    dynamic.set(new DynamicConfig(8, 1, 2, 0, 300, true, true, Map.of(), List.of(),
        Optional.of(new StandbyCluster(Optional.of("remote"), 5432, Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty(), List.of())), Map.of()));
    assertThat(writer().replicaSettings(new Upstream("standby-leader", "10.0.0.1", 5432)))
        .containsEntry("restore_command", "local-fetch %f %p").doesNotContainKey("archive_cleanup_command");
  }

  @Test
  void writesOurFileIncludedOnceAndReadsItBack() throws IOException {
    Path dir = node.dataDir();
    Files.writeString(dir.resolve("postgresql.conf"), "# initdb's file\nshared_buffers = 128MB");
    node.parameter("search_path", "\"$user\", it's \\odd");
    ConfigWriter w = writer();
    Map<String, String> replica = w.replicaSettings(new Upstream("up", "127.0.0.1", 6000));
    w.writeStandby(42, replica);
    w.writeStandby(43, replica);
    String main = Files.readString(dir.resolve("postgresql.conf"));
    assertThat(main).startsWith("# initdb's file\nshared_buffers = 128MB\n");
    assertThat(main.lines().filter(l -> l.equals("include 'postgresql.pgquorum.conf'"))).hasSize(1);
    assertThat(w.currentToken()).hasValue(43);
    assertThat(w.currentSetting("search_path")).contains("\"$user\", it's \\odd");
    assertThat(Files.readString(dir.resolve(ConfigWriter.OUR_FILE)))
        .contains("search_path = '\"$user\", it''s \\\\odd'");
    assertThat(w.currentRoleSettings()).isEqualTo(replica);
    assertThat(Files.getPosixFilePermissions(dir.resolve(ConfigWriter.OUR_FILE)))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));

    w.signals(false); // as a promotion does
    w.write(44, Map.of());
    assertThat(w.currentRoleSettings()).isEmpty();
  }

  /**
   * recovery_conf (issue 17 item 9): a replica runs with the dynamic one, or the local one instead when set (as a
   * whole, as under Patroni), without recovery targets or connection settings, and every target blanked; a
   * primary gets none of it.
   */
  @Test
  void recoveryConfReachesReplicasOnly() {
    dynamic.set(new DynamicConfig(8, 1, 2, 0, 300, true, true, Map.of(), List.of(), Map.of(),
        Map.of("restore_command", "cp /archive/%f %p", "archive_cleanup_command", "true",
            "recovery_target_lsn", "0/3000000", "primary_conninfo", "host=elsewhere", "standby_mode", "on",
            "trigger_file", "/tmp/promote-me")));
    Map<String, String> replica = writer().replicaSettings(new Upstream("up", "10.0.0.9", 5433));
    assertThat(replica).containsEntry("restore_command", "cp /archive/%f %p")
        .containsEntry("archive_cleanup_command", "true")
        .containsEntry("promote_trigger_file", "/tmp/promote-me")
        .containsEntry("recovery_target_timeline", "latest")
        .containsEntry("recovery_target_lsn", "").containsEntry("recovery_target", "")
        .containsEntry("recovery_target_time", "").containsEntry("recovery_target_xid", "")
        .containsEntry("recovery_target_name", "")
        .doesNotContainKeys("standby_mode", "trigger_file");
    assertThat(replica.get("primary_conninfo")).contains("host=10.0.0.9");
    assertThat(writer().replicaSettings(null)).as("nothing to follow, still the archive")
        .containsEntry("restore_command", "cp /archive/%f %p").doesNotContainKey("primary_conninfo");
    // A primary gets no recovery setting of recovery_conf; the targets are written empty (their default), so that a
    // promotion removes no restart-only line.
    assertThat(writer().parameters(1, Map.of())).as("a primary")
        .doesNotContainKeys("restore_command", "archive_cleanup_command").containsEntry("recovery_target_lsn", "");

    node.recoveryConf.put("recovery_min_apply_delay", "5min");
    assertThat(writer().replicaSettings(null)).containsEntry("recovery_min_apply_delay", "5min")
        .doesNotContainKeys("restore_command", "archive_cleanup_command");

    RecoveryParameters standbyCluster = writer().recovery().with(Map.of("restore_command", "fetch %f %p"));
    assertThat(writer().replicaSettings(null, standbyCluster)).containsEntry("restore_command", "fetch %f %p")
        .containsEntry("recovery_min_apply_delay", "5min");
  }

  /**
   * A recovery parameter pgquorum writes for this standby (standby_cluster's restore_command) is taken out of
   * postgresql.auto.conf, which PostgreSQL reads last: left there it would win, and the standby rules, seeing the
   * running value differ from the section's, would rewrite and reload every cycle. One pgquorum does not write stays.
   */
  @Test
  void sanitizeAutoConfAlsoRemovesTheRecoveryParametersPgquorumWrites() throws IOException {
    Path auto = node.dataDir().resolve("postgresql.auto.conf");
    Files.writeString(auto, "work_mem = '8MB'\nrestore_command = 'pgbackrest archive-get %f \"%p\"'\n"
        + "archive_cleanup_command = 'true'\n");

    writer().sanitizeAutoConf(java.util.Set.of("restore_command", "work_mem", "primary_conninfo"));

    assertThat(Files.readString(auto)).isEqualTo("work_mem = '8MB'\narchive_cleanup_command = 'true'\n");
  }

  /** Issue 17 item 11: what postgresql.auto.conf may not carry into a standby, taken out with a copy kept. */
  @Test
  void sanitizeAutoConfRemovesOnlyWhatBreaksReplicationAndKeepsACopy() throws IOException {
    Path dir = node.dataDir();
    Path auto = dir.resolve("postgresql.auto.conf");
    String original = "# Do not edit this file manually!\n# It will be overwritten by the ALTER SYSTEM command.\n"
        + "work_mem = '8MB'\nrecovery_target_lsn = '0/3000000'\nRecovery_Target_Action = 'promote'\n"
        + "restore_command = 'pgbackrest --stanza=main archive-get %f \"%p\"'\n"
        + "primary_conninfo = 'host=old-primary'\nrecovery_target_timeline = '1'\n";
    Files.writeString(auto, original);

    writer().sanitizeAutoConf();

    assertThat(Files.readString(auto)).isEqualTo("# Do not edit this file manually!\n"
        + "# It will be overwritten by the ALTER SYSTEM command.\nwork_mem = '8MB'\n"
        + "restore_command = 'pgbackrest --stanza=main archive-get %f \"%p\"'\n");
    List<Path> copies;
    try (var files = Files.list(dir)) {
      copies = files.filter(f -> f.getFileName().toString().startsWith("postgresql.auto.conf.pgquorum-")).toList();
    }
    assertThat(copies).hasSize(1);
    assertThat(copies.get(0)).hasContent(original.stripTrailing());

    writer().sanitizeAutoConf();
    try (var files = Files.list(dir)) {
      assertThat(files.filter(f -> f.getFileName().toString().startsWith("postgresql.auto.conf.pgquorum-")))
          .as("nothing left to change: no further copy").hasSize(1);
    }
  }

  /**
   * PostgreSQL 15 applies each recovery_target_* line in file order and refuses to start ("multiple recovery
   * targets specified") when an empty one follows a set one: a bootstrap's pending target (a restore to a name, say)
   * must come after the empty lines written for the other four.
   */
  @Test
  void aPendingRecoveryTargetIsWrittenAfterTheEmptyOnes() {
    for (String target : RecoveryParameters.TARGETS) {
      writer().writePending(Map.of(target, "x", "recovery_target_action", "promote"));
      List<String> order = writer().parameters(0, Map.of()).entrySet().stream()
          .filter(e -> RecoveryParameters.TARGETS.contains(e.getKey())).map(Map.Entry::getKey).toList();
      assertThat(order).as("the targets in file order").hasSize(5).last().isEqualTo(target);
    }
  }

  @Test
  void hbaHasOurLinesFirstThenTheConfiguredOnes() throws IOException {
    dynamic.set(new DynamicConfig(8, 1, 2, 0, 300, true, true, Map.of(), List.of("host all all 10.0.0.0/8 md5"),
        Map.of()));
    writer().writeHba();
    String hba = Files.readString(node.dataDir().resolve("pg_hba.conf"));
    List<String> rules = hba.lines().filter(l -> !l.startsWith("#")).map(l -> l.trim().replaceAll("\\s+", " "))
        .toList();
    assertThat(rules).startsWith("local all \"postgres\" md5", "host all \"postgres\" 127.0.0.1/32 md5")
        .contains("host replication \"replicator\" 127.0.0.1/32 md5", "host replication \"replicator\" ::1/128 md5",
            "host all \"rewinder\" 127.0.0.1/32 md5")
        .endsWith("host all all 10.0.0.0/8 md5");

    node.pgHba.add("hostssl all all 0.0.0.0/0 scram-sha-256"); // local lines replace the dynamic ones
    writer().writeHba();
    String local = Files.readString(node.dataDir().resolve("pg_hba.conf"));
    assertThat(local).contains("hostssl all all 0.0.0.0/0 scram-sha-256").doesNotContain("10.0.0.0/8");
  }

  /**
   * Issue 10 (hole 7): a role without a password used to get {@code trust} lines on the socket and the loopback,
   * which made every local user superuser. Whatever has a password, pgquorum writes password lines or none.
   */
  @Test
  void hbaNeverTrustsAnyoneWhateverRolesLackAPassword() throws IOException {
    Credentials none = new Credentials("postgres", java.util.Optional.empty(), Map.of());
    Credentials cert = new Credentials("replicator", java.util.Optional.empty(), Map.of("sslcert", "/c.crt"));
    Credentials rewindNone = new Credentials("rewinder", java.util.Optional.empty(), Map.of());
    List<String> userLines = List.of("hostssl all postgres 127.0.0.1/32 cert", "local all all peer  # as written");
    node.pgHba.addAll(userLines);
    for (int mask = 0; mask < 8; mask++) {
      node.superuser = (mask & 1) == 0 ? none : Credentials.of("postgres", TestNodes.SUPERUSER_PASSWORD);
      node.replication = (mask & 2) == 0 ? cert : Credentials.of("replicator", TestNodes.REPLICATION_PASSWORD);
      node.rewind = java.util.Optional.of((mask & 4) == 0 ? rewindNone
          : Credentials.of("rewinder", TestNodes.REWIND_PASSWORD));
      writer().writeHba();
      List<String> rules = Files.readAllLines(node.dataDir().resolve("pg_hba.conf")).stream()
          .filter(l -> !l.startsWith("#")).toList();
      String setting = "superuser pw " + ((mask & 1) != 0) + ", replication pw " + ((mask & 2) != 0)
          + ", rewind pw " + ((mask & 4) != 0);
      assertThat(rules).as(setting).noneMatch(l -> l.matches("(?i).*\\btrust\\b.*"));
      assertThat(rules).as(setting).endsWith(userLines.toArray(String[]::new));
      for (String own : rules.subList(0, rules.size() - userLines.size())) {
        assertThat(own).as(setting).endsWith(" md5");
      }
      assertThat(rules.stream().anyMatch(l -> l.contains("\"postgres\""))).as(setting).isEqualTo((mask & 1) != 0);
      assertThat(rules.stream().anyMatch(l -> l.contains("\"replicator\""))).as(setting).isEqualTo((mask & 2) != 0);
      assertThat(rules.stream().anyMatch(l -> l.contains("\"rewinder\""))).as(setting).isEqualTo((mask & 4) != 0);
    }
  }

  @Test
  void badParametersAreNamedByKeyPath() {
    node.parameter("bad name", "1");
    assertThatThrownBy(() -> writer().parameters(1, Map.of()))
        .hasMessageContaining("postgresql.parameters.bad name");
    node.parameters.clear();
    node.parameter("work_mem", "1MB\nport = 1");
    assertThatThrownBy(() -> writer().parameters(1, Map.of()))
        .hasMessageContaining("postgresql.parameters.work_mem").hasMessageContaining("single line");
  }

  @Test
  void signalFiles() {
    ConfigWriter w = writer();
    Path dir = node.dataDir();
    w.signals(true);
    assertThat(dir.resolve("standby.signal")).exists();
    w.signals(false);
    assertThat(dir.resolve("standby.signal")).doesNotExist();
  }

  @Test
  void pgpassIsPrivateAndEscaped() throws IOException {
    Path file = base.resolve("sub").resolve("pgpass");
    PgPass.write(file, List.of(Credentials.of("su", "a:b\\c"), Credentials.of("su", "ignored"),
        new Credentials("nopw", java.util.Optional.empty(), Map.of()), Credentials.of("repl", "r")));
    assertThat(Files.readString(file, StandardCharsets.UTF_8)).isEqualTo("*:*:*:su:a\\:b\\\\c\n*:*:*:repl:r\n");
    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  /**
   * A restarted daemon keeps the synchronous_standby_names it wrote (marked in its file) while synchronous mode is
   * enforced, in quorum mode as in on mode: dropped, the next write of the configuration (a reload, a start) would
   * let the primary acknowledge commits no standby has while the sync key still counts on its voters.
   */
  @Test
  void aRestartedDaemonKeepsTheStandbyNamesItWroteInOnAndQuorumModeButNotWhenOff() {
    for (String mode : List.of("on", "quorum", "off")) {
      dynamic.set(syncMode(mode));
      ConfigWriter before = writer();
      before.ownStandbyNames(Optional.of("ANY 1 (node2, node3)"));
      before.write(7, Map.of());
      Map<String, String> after = writer().parameters(7, Map.of());
      if (mode.equals("off")) {
        assertThat(after).as(mode).doesNotContainKey("synchronous_standby_names");
      } else {
        assertThat(after).as(mode).containsEntry("synchronous_standby_names", "ANY 1 (node2, node3)");
      }
    }
  }

  private static DynamicConfig syncMode(String mode) {
    DynamicConfig d = TestNodes.dynamic(true, Map.of());
    Map<String, Object> raw = new java.util.LinkedHashMap<>(d.raw());
    raw.put("synchronous_mode", mode);
    return new DynamicConfig(d.ttl(), d.loopWait(), d.retryTimeout(), d.maximumLagOnFailover(),
        d.primaryStartTimeout(), d.usePgRewind(), d.useSlots(), d.parameters(), d.pgHba(), d.standbyCluster(), raw,
        d.recoveryConf());
  }
}
