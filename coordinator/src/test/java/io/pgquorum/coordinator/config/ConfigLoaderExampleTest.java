package io.pgquorum.coordinator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The sample Patroni-style file loads into the values it spells out; a minimal file gets the documented defaults. */
class ConfigLoaderExampleTest {

  @Test
  void patroniStyleFileLoadsEveryValue() {
    NodeConfig c = ConfigLoader.load(TestConfigs.resource("patroni-style.yml"), Map.of());

    assertThat(c.warnings()).isEmpty();
    assertThat(c.scope()).isEqualTo("demo");
    assertThat(c.namespace()).isEqualTo("/service/");
    assertThat(c.name()).isEqualTo("node1");
    assertThat(c.keyPrefix()).isEqualTo("/service/demo/");

    assertThat(c.log()).isEqualTo(new LogConfig("WARNING", Optional.of(Path.of("/var/log/pgquorum")),
        Optional.empty()));

    RestApiConfig api = c.restapi();
    assertThat(api.listen()).isEqualTo(new HostPort("0.0.0.0", 8008));
    assertThat(api.connectAddress()).isEqualTo(new HostPort("10.0.0.1", 8008));
    assertThat(api.apiUrl()).isEqualTo("http://10.0.0.1:8008/patroni");
    assertThat(api.authentication()).hasValueSatisfying(a -> {
      assertThat(a.username()).isEqualTo("admin");
      assertThat(a.password()).contains("rest-Secret-1");
    });
    assertThat(api.allowlist()).containsExactly("127.0.0.1", "10.0.0.0/24");

    RaftConfig raft = c.raft();
    assertThat(raft.selfAddr()).isEqualTo("10.0.0.1:5010");
    assertThat(raft.bindAddr()).isEmpty();
    assertThat(raft.partnerAddrs()).containsExactly("10.0.0.2:5010", "10.0.0.3:5010");
    assertThat(raft.dataDir()).isEqualTo(Path.of("/var/lib/pgquorum/raft"));
    assertThat(raft.tls()).isEmpty();

    BootstrapConfig b = c.bootstrap();
    DynamicConfig dcs = b.dcs();
    assertThat(dcs.ttl()).isEqualTo(java.time.Duration.ofSeconds(30));
    assertThat(dcs.loopWait()).isEqualTo(java.time.Duration.ofSeconds(10));
    assertThat(dcs.retryTimeout()).isEqualTo(java.time.Duration.ofSeconds(10));
    assertThat(dcs.maximumLagOnFailover()).isEqualTo(1_048_576L);
    assertThat(dcs.primaryStartTimeout()).isEqualTo(120);
    assertThat(dcs.usePgRewind()).isTrue();
    assertThat(dcs.useSlots()).isTrue();
    assertThat(dcs.parameters()).containsOnly(
        entry("max_connections", "200"),
        entry("wal_level", "replica"),
        entry("hot_standby", "on"),
        entry("wal_log_hints", "on"),
        entry("max_wal_senders", "10"),
        entry("max_replication_slots", "10"),
        entry("wal_keep_size", "128MB"),
        entry("checkpoint_completion_target", "0.9"),
        entry("unix_socket_permissions", "511"));
    assertThat(dcs.raw()).containsEntry("ttl", 30).containsKey("postgresql");
    assertThat(b.method()).isEmpty();
    assertThat(b.methods()).isEmpty();
    assertThat(b.initdb()).containsExactly("--encoding=UTF8", "--data-checksums", "--locale=C.UTF-8");
    assertThat(b.pgHba()).containsExactly("host replication replicator 10.0.0.0/24 scram-sha-256",
        "host all all 0.0.0.0/0 scram-sha-256");
    assertThat(b.postBootstrap()).contains("/usr/local/bin/post-bootstrap.sh");

    PostgresConfig pg = c.postgresql();
    assertThat(pg.listen()).isEqualTo(new HostPort("0.0.0.0", 5432));
    assertThat(pg.connectAddress()).isEqualTo(new HostPort("10.0.0.1", 5432));
    assertThat(pg.dataDir()).isEqualTo(Path.of("/var/lib/postgresql/15/main"));
    assertThat(pg.binDir()).isEqualTo(Path.of("/usr/lib/postgresql/15/bin"));
    assertThat(pg.pgpass()).isEqualTo(Path.of("/var/lib/postgresql/.pgpass_patroni"));
    assertThat(pg.superuser().username()).isEqualTo("postgres");
    assertThat(pg.superuser().password()).contains("super-Secret-3");
    assertThat(pg.superuser().extra()).containsOnly(entry("sslmode", "prefer"));
    assertThat(pg.replication().username()).isEqualTo("replicator");
    assertThat(pg.replication().password()).contains("repl-Secret-2");
    assertThat(pg.rewind()).hasValueSatisfying(r -> assertThat(r.username()).isEqualTo("rewind_user"));
    assertThat(pg.rewindRole().username()).isEqualTo("rewind_user");
    assertThat(pg.parameters()).containsOnly(
        entry("unix_socket_directories", "/var/run/postgresql"),
        entry("shared_buffers", "256MB"),
        entry("log_min_duration_statement", "500"),
        entry("track_io_timing", "off"));
    assertThat(pg.pgHba()).hasSize(3).first().isEqualTo("local all all peer");
    assertThat(pg.createReplicaMethods()).containsExactly("pgbackrest", "basebackup");
    assertThat(pg.replicaMethods()).containsOnlyKeys("pgbackrest");
    CustomMethod pgbackrest = pg.replicaMethods().get("pgbackrest");
    assertThat(pgbackrest.command()).isEqualTo("/usr/bin/pgbackrest --stanza=demo --delta restore");
    assertThat(pgbackrest.keepData()).isTrue();
    assertThat(pgbackrest.noParams()).isTrue();
    assertThat(pgbackrest.noLeader()).isFalse();
    assertThat(pgbackrest.extra()).isEmpty();
    assertThat(pg.basebackup()).containsExactly("--max-rate=100M", "--checkpoint=fast");
    assertThat(pg.useUnixSocket()).isTrue();
    assertThat(pg.usePgRewind()).contains(true);
    assertThat(pg.pgCtlTimeout()).isEqualTo(90);
    assertThat(pg.removeDataDirectoryOnRewindFailure()).isTrue();
    assertThat(pg.removeDataDirectoryOnDivergedTimelines()).isFalse();

    Tags tags = c.tags();
    assertThat(tags.nofailover()).isFalse();
    assertThat(tags.noloadbalance()).isFalse();
    assertThat(tags.clonefrom()).isTrue();
    assertThat(tags.nosync()).isFalse();
    assertThat(tags.failoverPriority()).isEqualTo(2);
    assertThat(tags.canFailover()).isTrue();
    assertThat(tags.all()).containsOnly(entry("nofailover", false), entry("noloadbalance", false),
        entry("clonefrom", true), entry("nosync", false), entry("failover_priority", 2),
        entry("datacenter", "eu-west-1a"));
  }

  @Test
  void minimalFileGetsTheDocumentedDefaults() {
    NodeConfig c = ConfigLoader.parse(TestConfigs.MINIMAL, "minimal.yml", Map.of());

    assertThat(c.warnings()).isEmpty();
    assertThat(c.namespace()).isEqualTo("/service/");
    assertThat(c.restapi().connectAddress()).isEqualTo(c.restapi().listen());
    assertThat(c.restapi().authentication()).isEmpty();
    assertThat(c.restapi().allowlist()).isEmpty();
    assertThat(c.raft().partnerAddrs()).containsExactly("127.0.0.1:5011", "127.0.0.1:5012");

    DynamicConfig dcs = c.bootstrap().dcs();
    assertThat(List.of(dcs.ttl(), dcs.loopWait(), dcs.retryTimeout())).containsExactly(
        TimingDefaults.TTL, TimingDefaults.LOOP_WAIT, TimingDefaults.RETRY_TIMEOUT);
    assertThat(dcs.primaryStartTimeout()).isEqualTo(TimingDefaults.PRIMARY_START_TIMEOUT);
    assertThat(dcs.maximumLagOnFailover()).isEqualTo(TimingDefaults.MAXIMUM_LAG_ON_FAILOVER);
    assertThat(dcs.usePgRewind()).isFalse();
    assertThat(dcs.useSlots()).isTrue();
    assertThat(dcs.parameters()).isEmpty();
    assertThat(c.bootstrap().initdb()).isEmpty();
    assertThat(c.bootstrap().postBootstrap()).isEmpty();

    PostgresConfig pg = c.postgresql();
    assertThat(pg.connectAddress()).isEqualTo(new HostPort("127.0.0.1", 5432));
    assertThat(pg.binDir()).isEqualTo(PostgresConfig.DEFAULT_BIN_DIR);
    assertThat(pg.pgpass()).isEqualTo(Path.of("/srv/pgq/.pgpass_pgquorum_data"));
    assertThat(pg.rewind()).isEmpty();
    assertThat(pg.rewindRole()).isEqualTo(pg.superuser());
    assertThat(pg.createReplicaMethods()).containsExactly("basebackup");
    assertThat(pg.replicaMethods()).isEmpty();
    assertThat(pg.basebackup()).isEmpty();
    assertThat(pg.useUnixSocket()).isFalse();
    assertThat(pg.usePgRewind()).isEmpty();
    assertThat(pg.pgCtlTimeout()).isEqualTo(60);
    assertThat(pg.removeDataDirectoryOnRewindFailure()).isFalse();
    assertThat(pg.removeDataDirectoryOnDivergedTimelines()).isFalse();

    assertThat(c.tags()).isEqualTo(Tags.none());
    assertThat(c.log()).isEqualTo(LogConfig.defaults());
  }

  @Test
  void customMethodsAndOptionFormsAreNormalised() {
    Map<String, Object> tree = TestConfigs.minimal();
    TestConfigs.set(tree, "bootstrap.method", "pitr");
    TestConfigs.set(tree, "bootstrap.pitr", TestConfigs.map("command", "/usr/bin/restore.sh",
        "keep_existing_recovery_conf", true, "recovery_conf",
        TestConfigs.map("recovery_target_action", "promote", "recovery_target_inclusive", false),
        "target_time", "2024-05-01 10:00:00", "jobs", 4));
    TestConfigs.set(tree, "bootstrap.initdb", TestConfigs.map("encoding", "UTF8", "auth-local", "peer"));
    TestConfigs.set(tree, "postgresql.create_replica_methods", TestConfigs.list("wal_g", "basebackup"));
    TestConfigs.set(tree, "postgresql.wal_g", TestConfigs.map("command", "wal-g-restore", "no_leader", "on",
        "threads", 4));
    TestConfigs.set(tree, "postgresql.basebackup", TestConfigs.list("--verbose", TestConfigs.map("max-rate", "10M"),
        "label=pgq"));

    NodeConfig c = TestConfigs.parse(tree);

    assertThat(c.warnings()).isEmpty();
    assertThat(c.bootstrap().method()).contains("pitr");
    CustomMethod pitr = c.bootstrap().methods().get("pitr");
    assertThat(pitr.command()).isEqualTo("/usr/bin/restore.sh");
    assertThat(pitr.keepExistingRecoveryConf()).isTrue();
    assertThat(pitr.recoveryConf()).containsOnly(entry("recovery_target_action", "promote"),
        entry("recovery_target_inclusive", "off"));
    assertThat(pitr.extra()).containsOnly(entry("target_time", "2024-05-01 10:00:00"), entry("jobs", "4"));
    assertThat(c.bootstrap().initdb()).containsExactly("--encoding=UTF8", "--auth-local=peer");
    CustomMethod walG = c.postgresql().replicaMethods().get("wal_g");
    assertThat(walG.noLeader()).isTrue();
    assertThat(walG.extraValue("threads")).contains("4");
    assertThat(c.postgresql().basebackup()).containsExactly("--verbose", "--max-rate=10M", "--label=pgq");
  }

  @Test
  void hostListsIpv6AndExplicitRaftIdsAreAccepted() {
    Map<String, Object> tree = TestConfigs.minimal();
    TestConfigs.set(tree, "postgresql.listen", "127.0.0.1,[::1]:5432");
    TestConfigs.set(tree, "postgresql.connect_address", "[::1]:5432");
    TestConfigs.set(tree, "raft.self_addr", "n1@127.0.0.1:5010");
    TestConfigs.set(tree, "raft.bind_addr", "0.0.0.0:5010");
    TestConfigs.set(tree, "raft.partner_addrs", TestConfigs.list("n2@127.0.0.1:5011", "n3@127.0.0.1:5012"));
    TestConfigs.set(tree, "raft.tls", TestConfigs.map("certfile", "/etc/pgq/node.pem", "keyfile",
        "/etc/pgq/node.key", "cafile", "/etc/pgq/ca.pem"));

    NodeConfig c = TestConfigs.parse(tree);

    assertThat(c.postgresql().listen()).isEqualTo(new HostPort("127.0.0.1,::1", 5432));
    assertThat(c.postgresql().listen()).hasToString("127.0.0.1,::1:5432");
    assertThat(c.postgresql().connectAddress()).hasToString("[::1]:5432");
    assertThat(c.raft().selfAddr()).isEqualTo("n1@127.0.0.1:5010");
    assertThat(c.raft().bindAddr()).contains("0.0.0.0:5010");
    assertThat(c.raft().partnerAddrs()).containsExactly("n2@127.0.0.1:5011", "n3@127.0.0.1:5012");
    assertThat(c.raft().tls()).contains(new RaftConfig.RaftTls(Path.of("/etc/pgq/node.pem"),
        Path.of("/etc/pgq/node.key"), Path.of("/etc/pgq/ca.pem")));
  }
}
