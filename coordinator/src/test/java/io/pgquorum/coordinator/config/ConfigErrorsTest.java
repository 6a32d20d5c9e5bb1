package io.pgquorum.coordinator.config;

import static io.pgquorum.coordinator.config.TestConfigs.list;
import static io.pgquorum.coordinator.config.TestConfigs.map;
import static io.pgquorum.coordinator.config.TestConfigs.remove;
import static io.pgquorum.coordinator.config.TestConfigs.set;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Each invalid value is refused with its full key path and the reason. */
class ConfigErrorsTest {

  private static Arguments bad(String expectedProblem, Consumer<Map<String, Object>> change) {
    return Arguments.of(expectedProblem, change);
  }

  static Stream<Arguments> singleProblems() {
    return Stream.of(
        bad("postgresql.listen: expected host:port, got 5432", t -> set(t, "postgresql.listen", 5432)),
        bad("postgresql.listen: expected host:port, got \"5432\"", t -> set(t, "postgresql.listen", "5432")),
        bad("restapi.listen: port 70000 is outside 1..65535, got \"127.0.0.1:70000\"",
            t -> set(t, "restapi.listen", "127.0.0.1:70000")),
        bad("restapi.listen: port 0 is outside 1..65535, got \"127.0.0.1:0\"",
            t -> set(t, "restapi.listen", "127.0.0.1:0")),
        bad("restapi.listen: expected host:port with a numeric port, got \"localhost:http\"",
            t -> set(t, "restapi.listen", "localhost:http")),
        bad("restapi.listen: expected a single host, got \"127.0.0.1,10.0.0.1:8008\"",
            t -> set(t, "restapi.listen", "127.0.0.1,10.0.0.1:8008")),
        bad("postgresql.connect_address: IPv6 addresses must be in brackets, e.g. [::1]:5432, got \"::1:5432\"",
            t -> set(t, "postgresql.connect_address", "::1:5432")),
        bad("postgresql.connect_address: must be an address other members can reach, not the wildcard 0.0.0.0, "
            + "got \"0.0.0.0:5432\"", t -> set(t, "postgresql.connect_address", "0.0.0.0:5432")),
        bad("restapi.connect_address: is required when restapi.listen is the wildcard 0.0.0.0:8008: other "
            + "members and pgctl need an address they can reach", t -> set(t, "restapi.listen", "0.0.0.0:8008")),
        bad("postgresql.connect_address: is required when postgresql.listen is *:5432: replicas and clients need "
            + "one address they can reach", t -> set(t, "postgresql.listen", "*:5432")),
        bad("restapi.listen: the host is missing (write 0.0.0.0:8008 to listen on every interface), got "
            + "\":8008\"", t -> set(t, "restapi.listen", ":8008")),
        bad("bootstrap.dcs.ttl: must be a number of seconds (at most 3 decimals), got \"abc\"",
            t -> set(t, "bootstrap.dcs.ttl", "abc")),
        bad("bootstrap.dcs.ttl: must be at least 4 seconds, got 2 (a shorter lease cannot be refreshed reliably "
            + "on a busy machine, and every hiccup would become a failover)", t -> set(t, "bootstrap.dcs.ttl", 2)),
        bad("bootstrap.dcs.ttl: must be at least 4 seconds, got -8 (a shorter lease cannot be refreshed reliably "
            + "on a busy machine, and every hiccup would become a failover)", t -> set(t, "bootstrap.dcs.ttl", -8)),
        bad("bootstrap.dcs.loop_wait: must be at least 0.1 seconds, got 0", t -> set(t, "bootstrap.dcs.loop_wait", 0)),
        bad("bootstrap.dcs.retry_timeout: must be a number of seconds (at most 3 decimals), got 2.5005",
            t -> set(t, "bootstrap.dcs.retry_timeout", 2.5005)),
        bad("bootstrap.dcs.maximum_lag_on_failover: must be at least 0, got -1",
            t -> set(t, "bootstrap.dcs.maximum_lag_on_failover", -1)),
        bad("bootstrap.dcs.postgresql.use_slots: must be a boolean (true/false, on/off, yes/no), got \"maybe\"",
            t -> set(t, "bootstrap.dcs.postgresql.use_slots", "maybe")),
        bad("bootstrap.dcs.postgresql.parameters.shared_preload_libraries: must be a single value (text, number "
            + "or on/off), got a list", t -> set(t, "bootstrap.dcs.postgresql.parameters",
                map("shared_preload_libraries", list("pg_stat_statements")))),
        bad("raft.partner_addrs[1]: expected host:port, got \"nohost\"",
            t -> set(t, "raft.partner_addrs[1]", "nohost")),
        bad("raft.partner_addrs[1]: is this member itself (raft.self_addr); list only the other members",
            t -> set(t, "raft.partner_addrs[1]", "127.0.0.1:5010")),
        bad("raft.partner_addrs[1]: repeats raft.partner_addrs[0]",
            t -> set(t, "raft.partner_addrs[1]", "127.0.0.1:5011")),
        bad("raft.partner_addrs: must be a list of host:port, got \"127.0.0.1:5011\"",
            t -> set(t, "raft.partner_addrs", "127.0.0.1:5011")),
        bad("raft.self_addr: is required (host:port this member's peers dial, e.g. 10.0.0.1:5010)",
            t -> remove(t, "raft.self_addr")),
        bad("raft.self_addr: must be an address other members can reach, not the wildcard 0.0.0.0, got "
            + "\"0.0.0.0:5010\"", t -> set(t, "raft.self_addr", "0.0.0.0:5010")),
        bad("raft.bind_addr: expected host:port without an id@ prefix, got \"n1@0.0.0.0:5010\"",
            t -> set(t, "raft.bind_addr", "n1@0.0.0.0:5010")),
        bad("raft.data_dir: is required", t -> remove(t, "raft.data_dir")),
        bad("raft.tls.cafile: is required", t -> set(t, "raft.tls", map("certfile", "/c.pem", "keyfile", "/k.pem"))),
        bad("scope: is required", t -> remove(t, "scope")),
        bad("scope: must be 1-64 letters, digits, '.', '_' or '-' (it also names the Raft group), got "
            + "\"my cluster\"", t -> set(t, "scope", "my cluster")),
        bad("name: is required", t -> remove(t, "name")),
        bad("name: must not contain '/', control characters or surrounding spaces (it is part of the DCS key "
            + "members/<name>), got \"a/b\"", t -> set(t, "name", "a/b")),
        bad("namespace: must be a path such as /service/, got \"/\"", t -> set(t, "namespace", "/")),
        bad("restapi: is required, with at least listen (for example restapi: {listen: 0.0.0.0:8008, "
            + "connect_address: 10.0.0.1:8008})", t -> remove(t, "restapi")),
        bad("restapi.authentication.password: is required when restapi.authentication is set",
            t -> set(t, "restapi.authentication", map("username", "admin"))),
        bad("postgresql: must be a mapping (a section of keys), got \"yes please\"",
            t -> set(t, "postgresql", "yes please")),
        bad("postgresql.data_dir: is required", t -> remove(t, "postgresql.data_dir")),
        bad("postgresql.data_dir: \"~\" is not expanded; write the full path, got \"~/data\"",
            t -> set(t, "postgresql.data_dir", "~/data")),
        bad("postgresql.authentication.superuser: is required (username, and password unless the role "
            + "authenticates otherwise)", t -> remove(t, "postgresql.authentication.superuser")),
        bad("postgresql.authentication.replication.username: is required",
            t -> remove(t, "postgresql.authentication.replication.username")),
        bad("postgresql.pg_ctl_timeout: must be at least 1, got 0", t -> set(t, "postgresql.pg_ctl_timeout", 0)),
        bad("postgresql.parameters.shared_buffers: must be a single value (text, number or on/off), got a mapping",
            t -> set(t, "postgresql.parameters", map("shared_buffers", map("a", 1)))),
        bad("postgresql.pg_hba[1]: must be a non-empty string, got a mapping",
            t -> set(t, "postgresql.pg_hba", list("local all all peer", map("host", "all")))),
        bad("postgresql.create_replica_methods: must name at least one method (basebackup is built in)",
            t -> set(t, "postgresql.create_replica_methods", list())),
        bad("postgresql.wal_e: is required: the method wal_e is selected in postgresql.create_replica_methods and "
            + "needs a section with at least a command",
            t -> set(t, "postgresql.create_replica_methods", list("wal_e", "basebackup"))),
        bad("postgresql.wal_e.command: is required", t -> {
          set(t, "postgresql.create_replica_methods", list("wal_e"));
          set(t, "postgresql.wal_e", map("no_leader", true));
        }),
        bad("postgresql.basebackup[0]: option format is set by pgquorum and must not be given here",
            t -> set(t, "postgresql.basebackup", list(map("format", "tar")))),
        bad("bootstrap.restore: is required: the method restore is selected in bootstrap.method and needs a "
            + "section with at least a command", t -> set(t, "bootstrap.method", "restore")),
        bad("bootstrap.initdb[0]: option pgdata is set by pgquorum and must not be given here",
            t -> set(t, "bootstrap.initdb", list(map("pgdata", "/x")))),
        bad("bootstrap.initdb[1]: must be an option name or a one-key mapping {name: value}, got a list",
            t -> set(t, "bootstrap.initdb", list("data-checksums", list("a")))),
        bad("bootstrap.initdb[0]: must be an option name or a one-key mapping {name: value}, got a mapping",
            t -> set(t, "bootstrap.initdb", list(map("a", 1, "b", 2)))),
        bad("bootstrap.initdb: must be a list of options (names, or one-key mappings name: value), got "
            + "\"--data-checksums\"", t -> set(t, "bootstrap.initdb", "--data-checksums")),
        bad("bootstrap.initdb.encoding: the value of encoding must be a single value, got nothing",
            t -> set(t, "bootstrap.initdb", map("encoding", null))),
        bad("tags.failover_priority: must be at least 0, got -1", t -> set(t, "tags.failover_priority", -1)),
        bad("tags.nofailover: must be a boolean (true/false, on/off, yes/no), got \"maybe\"",
            t -> set(t, "tags.nofailover", "maybe")),
        bad("log.level: must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got \"LOUD\"",
            t -> set(t, "log.level", "LOUD")),
        bad("restapi.keyfile: needs restapi.certfile: HTTPS is on only when certfile (and keyfile) are set; "
            + "without it the API would serve plain HTTP although keyfile, cafile are configured", t -> {
              set(t, "restapi.keyfile", "/etc/ssl/api.key");
              set(t, "restapi.cafile", "/etc/ssl/ca.pem");
            }),
        bad("restapi.verify_client: required needs restapi.cafile, the CA that client certificates must chain to",
            t -> {
              set(t, "restapi.certfile", "/etc/ssl/api.pem");
              set(t, "restapi.verify_client", "required");
            }),
        bad("raft.lease_refresh: must be one of leader_local, durable, got \"local\"",
            t -> set(t, "raft.lease_refresh", "local")),
        bad("restapi.verify_client: must be one of none, optional, required, got \"always\"", t -> {
          set(t, "restapi.certfile", "/etc/ssl/api.pem");
          set(t, "restapi.verify_client", "always");
        }),
        bad("restapi.ciphers: is not supported: it takes OpenSSL cipher strings, which the JVM does not understand; "
            + "pgquorum serves TLS 1.2 and 1.3 with the JDK's default cipher suites. Remove restapi.ciphers "
            + "(refusing to start rather than ignore a restriction you configured)", t -> {
              set(t, "restapi.certfile", "/etc/ssl/api.pem");
              set(t, "restapi.ciphers", "ECDHE+AESGCM");
            }),
        bad("ctl.keyfile: needs ctl.certfile (the certificate whose key it is)",
            t -> set(t, "ctl", map("keyfile", "/etc/ssl/ctl.key"))),
        bad("raft.insecure: must be a boolean (true/false, on/off, yes/no), got \"please\"",
            t -> set(t, "raft.insecure", "please")),
        bad("raft.password: is not supported: pgquorum does not use pysyncobj's shared-password encryption. "
            + "Configure raft.tls (certfile, keyfile, cafile) to encrypt and authenticate member traffic, or "
            + "remove raft.password to run without encryption (on a non-loopback address that also needs "
            + "raft.insecure: true)", t -> set(t, "raft.password", "raft-Secret")),
        // Cross-section checks.
        bad("raft.self_addr: port 8008 on 127.0.0.1 is also used by restapi.listen; each service needs its own "
            + "host:port", t -> set(t, "raft.self_addr", "127.0.0.1:8008")),
        bad("postgresql.listen: port 8008 on 0.0.0.0 is also used by restapi.listen; each service needs its own "
            + "host:port", t -> {
              set(t, "postgresql.listen", "0.0.0.0:8008");
              set(t, "postgresql.connect_address", "127.0.0.1:8008");
            }),
        bad("raft.bind_addr: port 5432 on 0.0.0.0 is also used by postgresql.listen; each service needs its own "
            + "host:port", t -> set(t, "raft.bind_addr", "0.0.0.0:5432")),
        bad("raft.data_dir: must not be inside postgresql.data_dir (PostgreSQL's data directory is emptied and "
            + "rewritten when a replica is re-cloned or rewound)", t -> set(t, "raft.data_dir", "/srv/pgq/data/raft")),
        bad("postgresql.data_dir: must not be inside raft.data_dir (the Raft log and snapshots live there)",
            t -> set(t, "postgresql.data_dir", "/srv/pgq/raft/pg")),
        bad("raft.data_dir: must not be inside postgresql.data_dir (PostgreSQL's data directory is emptied and "
            + "rewritten when a replica is re-cloned or rewound)", t -> set(t, "raft.data_dir", "/srv/pgq/data/")),
        bad("postgresql.pgpass: must not be inside postgresql.data_dir (PostgreSQL's data directory is emptied "
            + "and rewritten when a replica is re-cloned or rewound)",
            t -> set(t, "postgresql.pgpass", "/srv/pgq/data/.pgpass")),
        bad("log.dir: must not be inside postgresql.data_dir (PostgreSQL's data directory is emptied and "
            + "rewritten when a replica is re-cloned or rewound)", t -> set(t, "log.dir", "/srv/pgq/data/log")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("singleProblems")
  void eachInvalidValueIsReportedWithItsKeyPath(String expected, Consumer<Map<String, Object>> change) {
    Map<String, Object> tree = TestConfigs.minimal();
    change.accept(tree);
    assertThat(TestConfigs.problems(tree, Map.of())).containsExactly(expected);
  }

  @Test
  void allProblemsAreReportedTogether() {
    Map<String, Object> tree = TestConfigs.minimal();
    set(tree, "postgresql.listen", "5432");
    set(tree, "bootstrap.dcs.ttl", "abc");
    set(tree, "raft.partner_addrs[1]", "x");
    remove(tree, "name");

    assertThatThrownBy(() -> TestConfigs.parse(tree)).isInstanceOfSatisfying(ConfigException.class, e -> {
      assertThat(e.problems()).containsExactly(
          "name: is required",
          "raft.partner_addrs[1]: expected host:port, got \"x\"",
          "bootstrap.dcs.ttl: must be a number of seconds (at most 3 decimals), got \"abc\"",
          "postgresql.listen: expected host:port, got \"5432\"");
      assertThat(e.getMessage()).isEqualTo(String.join("\n", e.problems()));
    });
  }

  @ParameterizedTest
  @ValueSource(strings = {"etcd", "etcd3", "consul", "zookeeper", "kubernetes", "exhibitor"})
  void aForeignDcsSectionExplainsTheRaftSection(String dcs) {
    Map<String, Object> tree = TestConfigs.minimal();
    set(tree, dcs, map("hosts", list("10.0.0.1:2379")));
    List<String> problems = TestConfigs.problems(tree, Map.of());
    assertThat(problems).singleElement().asString()
        .startsWith(dcs + ": pgquorum does not use " + dcs + ": it embeds its own DCS")
        .contains("raft:", "self_addr: 10.0.0.1:5010", "partner_addrs:", "- 10.0.0.2:5010", "data_dir:");
  }

  @Test
  void aMissingRaftSectionIsNamedAndAForeignDcsIsExplainedOnce() {
    Map<String, Object> tree = TestConfigs.minimal();
    remove(tree, "raft");
    assertThat(TestConfigs.problems(tree, Map.of())).singleElement().asString()
        .startsWith("raft: is required: pgquorum keeps the cluster state in a Raft group").contains("self_addr:");

    set(tree, "etcd3", map("hosts", "10.0.0.1:2379"));
    List<String> problems = TestConfigs.problems(tree, Map.of());
    assertThat(problems).hasSize(2);
    assertThat(problems.get(0)).startsWith("etcd3: pgquorum does not use etcd3").contains("self_addr:");
    assertThat(problems.get(1)).isEqualTo("raft: is required: pgquorum keeps the cluster state in a Raft group "
        + "embedded in its nodes (see above)");
  }

  @Test
  void aMissingFileIsNamed(@TempDir Path dir) {
    Path file = dir.resolve("patroni.yml");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of())).isInstanceOfSatisfying(ConfigException.class,
        e -> assertThat(e.problems()).containsExactly(file + ": configuration file does not exist"));
  }

  @Test
  void aDirectoryIsNotAConfigurationFile(@TempDir Path dir) {
    assertThatThrownBy(() -> ConfigLoader.load(dir, Map.of())).isInstanceOfSatisfying(ConfigException.class,
        e -> assertThat(e.problems()).containsExactly(dir + ": is a directory; pgquorum reads one configuration "
            + "file"));
  }

  @Test
  void neitherAFileNorTheVariableIsAnError() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PATRONI_CONFIGURATION", " ")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
            "configuration: no configuration file given and PATRONI_CONFIGURATION is not set"));
  }

  @Test
  void aFileThatIsNotUtf8IsNamed(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("patroni.yml");
    Files.write(file, new byte[] {'s', 'c', 'o', 'p', 'e', ':', ' ', (byte) 0xff, '\n'});
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of())).isInstanceOfSatisfying(ConfigException.class,
        e -> assertThat(e.problems()).containsExactly(file + ": configuration file is not valid UTF-8"));
  }

  @Test
  void syntaxErrorsGiveLineAndColumnButNotTheLine() {
    String yaml = "scope: demo\npostgresql:\n  authentication:\n    superuser:\n"
        + "      password: \"unterminated-Secret\n";
    List<String> problems = TestConfigs.problems(yaml, Map.of());
    assertThat(problems).singleElement().asString().startsWith("test.yml: invalid YAML at line ")
        .doesNotContain("unterminated-Secret");
  }

  @Test
  void aRepeatedKeyIsAnError() {
    List<String> problems = TestConfigs.problems(TestConfigs.MINIMAL + "name: node2\n", Map.of());
    assertThat(problems).singleElement().asString().startsWith("test.yml: invalid YAML at line ")
        .contains("duplicate key name");
  }

  @Test
  void aDocumentThatIsNotAMappingIsRefused() {
    assertThat(TestConfigs.problems("- a\n- b\n", Map.of())).singleElement().asString()
        .startsWith("test.yml: the configuration must be a YAML mapping");
  }
}
