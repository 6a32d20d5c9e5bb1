package io.pgquorum.coordinator.config;

import static io.pgquorum.coordinator.config.TestConfigs.list;
import static io.pgquorum.coordinator.config.TestConfigs.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The dynamic configuration's standby_cluster section: what makes a standby cluster, and bad values by key. */
class StandbyClusterConfigTest {

  private static DynamicConfig parse(Map<String, Object> raw, List<String> warnings) {
    return ConfigLoader.parseDynamic(raw, "config", warnings);
  }

  @Test
  void everyKeyIsRead() {
    List<String> warnings = new ArrayList<>();
    DynamicConfig c = parse(map("standby_cluster", map("host", "10.0.0.9,10.0.0.10", "port", 5433,
        "primary_slot_name", "dr_site", "restore_command", "pgbackrest --stanza=main archive-get %f \"%p\"",
        "archive_cleanup_command", "pg_archivecleanup /archive %r", "recovery_min_apply_delay", "5min",
        "create_replica_methods", list("pgbackrest", "basebackup"))), warnings);
    assertThat(warnings).isEmpty();
    assertThat(c.standbyCluster()).contains(new StandbyCluster(Optional.of("10.0.0.9,10.0.0.10"), 5433,
        Optional.of("dr_site"), Optional.of("pgbackrest --stanza=main archive-get %f \"%p\""),
        Optional.of("pg_archivecleanup /archive %r"), Optional.of("5min"), List.of("pgbackrest", "basebackup")));
  }

  @Test
  void defaultsArePatronis() {
    DynamicConfig c = parse(map("standby_cluster", map("host", "10.0.0.9")), new ArrayList<>());
    StandbyCluster sc = c.standbyCluster().orElseThrow();
    assertThat(sc.port()).isEqualTo(5432);
    assertThat(sc.createReplicaMethods()).containsExactly("basebackup");
    assertThat(sc.primarySlotName()).isEmpty();
    assertThat(sc.streams()).isTrue();
  }

  @Test
  void aRestoreCommandAloneMakesAnArchiveOnlyStandbyCluster() {
    List<String> warnings = new ArrayList<>();
    DynamicConfig c = parse(map("standby_cluster", map("restore_command", "cp /archive/%f %p",
        "create_replica_methods", list("restore"))), warnings);
    assertThat(warnings).isEmpty();
    assertThat(c.standbyCluster()).hasValueSatisfying(sc -> assertThat(sc.streams()).isFalse());
  }

  @Test
  void anArchiveOnlyClusterThatCanOnlyBasebackupIsWarnedAbout() {
    List<String> warnings = new ArrayList<>();
    DynamicConfig c = parse(map("standby_cluster", map("restore_command", "cp /archive/%f %p")), warnings);
    assertThat(c.standbyCluster()).isPresent();
    assertThat(warnings).containsExactly("config.standby_cluster.create_replica_methods: basebackup needs "
        + "config.standby_cluster.host: an archive-only standby cluster can only be created by a method that "
        + "restores from the archive (a postgresql.<method> section listed here)");
  }

  @Test
  void absentNullOrEmptyIsNotAStandbyCluster() {
    List<String> warnings = new ArrayList<>();
    assertThat(parse(map(), warnings).standbyCluster()).isEmpty();
    Map<String, Object> withNull = new java.util.HashMap<>();
    withNull.put("standby_cluster", null); // PATCH {"standby_cluster": null} promotes the cluster
    assertThat(parse(withNull, warnings).standbyCluster()).isEmpty();
    assertThat(parse(map("standby_cluster", map()), warnings).standbyCluster()).isEmpty();
    assertThat(warnings).isEmpty();
  }

  @Test
  void withoutHostPortOrRestoreCommandItIsNotOneAndSaysSo() {
    List<String> warnings = new ArrayList<>();
    DynamicConfig c = parse(map("standby_cluster", map("primary_slot_name", "dr")), warnings);
    assertThat(c.standbyCluster()).isEmpty();
    assertThat(warnings).containsExactly("config.standby_cluster: has none of host, port and restore_command, so "
        + "this is not a standby cluster and the section is ignored");
  }

  @Test
  void badValuesAreErrorsNamingTheKey() {
    assertThatThrownBy(() -> parse(map("standby_cluster", map("host", "10.0.0.9", "port", 70000,
        "primary_slot_name", "DR-site", "recovery_min_apply_delay", "soon", "create_replica_methods",
        list("basebackup", "basebackup"), "restore_comand", "x")), new ArrayList<>()))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
            "config.standby_cluster.port: must be at most 65535, got 70000",
            "config.standby_cluster.primary_slot_name: must be a replication slot name (lower-case letters, "
                + "digits and `_`, at most 63), got \"DR-site\"",
            "config.standby_cluster.recovery_min_apply_delay: must be a number of milliseconds, or a number with "
                + "a unit (us, ms, s, min, h, d) up to 2147483647 ms (PostgreSQL's limit), got \"soon\"",
            "config.standby_cluster.create_replica_methods[1]: lists basebackup twice"));
  }

  @Test
  void aDelayBeyondPostgresqlsLimitIsAnErrorNamingTheKey() {
    // Any number of digits matches the pattern; the decision compares the delay in milliseconds and must never
    // be handed one that overflows.
    for (String delay : List.of("99999999999999999999", "25d", "2147483648")) {
      assertThatThrownBy(() -> parse(map("standby_cluster", map("host", "10.0.0.9", "recovery_min_apply_delay",
          delay)), new ArrayList<>())).as(delay).isInstanceOfSatisfying(ConfigException.class,
              e -> assertThat(e.problems()).singleElement().asString()
                  .startsWith("config.standby_cluster.recovery_min_apply_delay: must be"));
    }
    assertThat(parse(map("standby_cluster", map("host", "10.0.0.9", "recovery_min_apply_delay", "24d")),
        new ArrayList<>()).standbyCluster()).isPresent();
  }

  @Test
  void aPortWithoutAHostIsAnError() {
    assertThatThrownBy(() -> parse(map("standby_cluster", map("port", 5433)), new ArrayList<>()))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
            "config.standby_cluster.host: is required with config.standby_cluster.port (the remote primary's "
                + "host; pgquorum does not guess it)"));
  }

  @Test
  void theSectionSurvivesTheRoundTripThroughTheDcs() {
    DynamicConfig c = parse(map("standby_cluster", map("host", "10.0.0.9", "port", 5433)), new ArrayList<>());
    DynamicConfig again = parse(DynamicConfigParser.toMap(c), new ArrayList<>());
    assertThat(again.standbyCluster()).isEqualTo(c.standbyCluster());
  }
}
