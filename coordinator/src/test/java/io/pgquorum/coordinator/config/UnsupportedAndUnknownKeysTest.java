package io.pgquorum.coordinator.config;

import static io.pgquorum.coordinator.config.TestConfigs.list;
import static io.pgquorum.coordinator.config.TestConfigs.map;
import static io.pgquorum.coordinator.config.TestConfigs.set;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Patroni keys pgquorum does not implement, and keys nobody knows: accepted, reported, ignored. */
class UnsupportedAndUnknownKeysTest {

  @Test
  void patroniFeaturesPgquorumLacksAreReported() {
    Map<String, Object> tree = TestConfigs.minimal();
    set(tree, "watchdog", map("mode", "automatic", "driver", "testing"));
    set(tree, "citus", map("group", 0));
    set(tree, "postgresql.callbacks", map("on_start", "/bin/true"));
    set(tree, "postgresql.pre_promote", "/bin/true");
    set(tree, "bootstrap.dcs.synchronous_mode", "on");
    set(tree, "bootstrap.dcs.synchronous_mode_strict", false);
    set(tree, "tags.replicatefrom", "node2");

    NodeConfig c = TestConfigs.parse(tree);

    assertThat(c.warnings()).containsExactly(
        // synchronous_mode on is enforced since issue 14's wiring: no warning (quorum still warns).
        "watchdog.driver: is not supported by pgquorum and is ignored (pgquorum drives the device named by "
            + "watchdog.device through the Linux watchdog API)",
        "citus: is not supported by pgquorum and is ignored");
    // callbacks and pre_promote are honoured since issue 12: no warning, and the scripts are read.
    assertThat(c.postgresql().callbacks().command(CallbackAction.ON_START)).contains("/bin/true");
    assertThat(c.postgresql().callbacks().prePromote()).contains("/bin/true");
    // replicatefrom is honoured since issue 17 (item 8): no warning, and the member key carries it in tags.
    assertThat(c.tags().all()).containsEntry("replicatefrom", "node2");
    assertThat(c.tags().replicatefrom()).contains("node2");
  }

  @Test
  void unknownKeysAreReportedWithTheirFullPathAndASuggestion() {
    Map<String, Object> tree = TestConfigs.minimal();
    set(tree, "postgresql.pg_ctl_timout", 30);
    set(tree, "postgresql.authentication.superuser.sslmdoe", "require");
    set(tree, "raft.partners", list("x"));
    set(tree, "bootstrap.dsc", map("ttl", 30));
    set(tree, "restapi.frobnicate", true);
    set(tree, "ttl", 30);
    set(tree, "member_slots_ttl", "30min");

    NodeConfig c = TestConfigs.parse(tree);

    assertThat(c.warnings()).containsExactly(
        "restapi.frobnicate: unknown key, ignored",
        "raft.partners: unknown key, ignored",
        "bootstrap.dsc: unknown key, ignored (did you mean dcs?)",
        "postgresql.authentication.superuser.sslmdoe: unknown key, ignored (did you mean sslmode?)",
        "postgresql.pg_ctl_timout: unknown key, ignored (did you mean pg_ctl_timeout?)",
        "ttl: ignored here: cluster-wide settings belong under bootstrap.dcs",
        "member_slots_ttl: ignored here: cluster-wide settings belong under bootstrap.dcs");
  }

  @Test
  void localSettingsThatMustBeClusterWideOrComeFromListenAreDropped() {
    Map<String, Object> tree = TestConfigs.minimal();
    set(tree, "postgresql.parameters", map("max_connections", 500, "port", 6000, "work_mem", "8MB"));

    NodeConfig c = TestConfigs.parse(tree);

    assertThat(c.postgresql().parameters()).containsOnly(entry("work_mem", "8MB"));
    assertThat(c.warnings()).containsExactly(
        "postgresql.parameters.max_connections: ignored: it must be equal on every node, so it is taken only "
            + "from the dynamic configuration (bootstrap.dcs.postgresql.parameters)",
        "postgresql.parameters.port: ignored: PostgreSQL listens where postgresql.listen says");
  }

  @Test
  void tagConflictsAndEmptyTagsAreReported() {
    Map<String, Object> tree = TestConfigs.minimal();
    set(tree, "tags", map("nofailover", "yes", "failover_priority", 3, "zone", null));

    NodeConfig c = TestConfigs.parse(tree);

    assertThat(c.tags().canFailover()).isFalse();
    assertThat(c.tags().all()).containsOnly(entry("nofailover", true), entry("failover_priority", 3));
    assertThat(c.warnings()).containsExactly("tags.zone: has no value and is ignored",
        "tags.failover_priority: is 3 but tags.nofailover is true; this node will never be promoted");
  }

  @Test
  void bothPostBootstrapSpellingsKeepTheNewOne() {
    Map<String, Object> tree = TestConfigs.minimal();
    set(tree, "bootstrap.post_init", "/bin/old");
    assertThat(TestConfigs.parse(tree).bootstrap().postBootstrap()).contains("/bin/old");
    set(tree, "bootstrap.post_bootstrap", "/bin/new");
    NodeConfig c = TestConfigs.parse(tree);
    assertThat(c.bootstrap().postBootstrap()).contains("/bin/new");
    assertThat(c.warnings()).containsExactly("bootstrap.post_init: ignored because bootstrap.post_bootstrap is "
        + "also set");
    // The ignored spelling is not read, so its value does not matter.
    set(tree, "bootstrap.post_init", true);
    assertThat(TestConfigs.parse(tree).bootstrap().postBootstrap()).contains("/bin/new");
  }
}
