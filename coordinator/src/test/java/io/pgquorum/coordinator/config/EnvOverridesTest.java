package io.pgquorum.coordinator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** PATRONI_* variables override the file, as in Patroni. */
class EnvOverridesTest {

  @Test
  void everySupportedVariableWinsOverTheFile() {
    Map<String, String> env = new HashMap<>();
    env.put("PATRONI_NAME", "node7");
    env.put("PATRONI_SCOPE", "prod");
    env.put("PATRONI_NAMESPACE", "pg");
    env.put("PATRONI_LOG_LEVEL", "debug");
    env.put("PATRONI_LOG_DIR", "/var/log/pgq");
    env.put("PATRONI_LOG_FORMAT", "%(message)s");
    env.put("PATRONI_RESTAPI_LISTEN", "0.0.0.0:9008");
    env.put("PATRONI_RESTAPI_CONNECT_ADDRESS", "10.1.0.7:9008");
    env.put("PATRONI_RESTAPI_USERNAME", "ops");
    env.put("PATRONI_RESTAPI_PASSWORD", "ops-Secret");
    env.put("PATRONI_RESTAPI_ALLOWLIST", "10.1.0.0/16, 127.0.0.1");
    env.put("PATRONI_POSTGRESQL_LISTEN", "0.0.0.0:6432");
    env.put("PATRONI_POSTGRESQL_CONNECT_ADDRESS", "10.1.0.7:6432");
    env.put("PATRONI_POSTGRESQL_DATA_DIR", "/data/pg");
    env.put("PATRONI_POSTGRESQL_BIN_DIR", "/opt/pg15/bin");
    env.put("PATRONI_POSTGRESQL_PGPASS", "/data/pgpass");
    env.put("PATRONI_SUPERUSER_USERNAME", "admin");
    env.put("PATRONI_SUPERUSER_PASSWORD", "admin-Secret");
    env.put("PATRONI_SUPERUSER_SSLMODE", "verify-full");
    env.put("PATRONI_SUPERUSER_SSLROOTCERT", "/etc/ssl/root.crt");
    env.put("PATRONI_REPLICATION_USERNAME", "standby");
    env.put("PATRONI_REPLICATION_PASSWORD", "standby-Secret");
    env.put("PATRONI_REPLICATION_CHANNEL_BINDING", "require");
    env.put("PATRONI_REWIND_USERNAME", "rewinder");
    env.put("PATRONI_REWIND_PASSWORD", "rewind-Secret");
    env.put("PATRONI_RAFT_SELF_ADDR", "10.1.0.7:7010");
    env.put("PATRONI_RAFT_BIND_ADDR", "0.0.0.0:7010");
    env.put("PATRONI_RAFT_PARTNER_ADDRS", "10.1.0.8:7010,10.1.0.9:7010");
    env.put("PATRONI_RAFT_DATA_DIR", "/data/raft");
    env.put("PATRONI_UNRELATED", "ignored");
    env.put("HOME", "/root");

    NodeConfig c = TestConfigs.parse(TestConfigs.minimal(), env);

    assertThat(c.warnings()).isEmpty();
    assertThat(c.name()).isEqualTo("node7");
    assertThat(c.scope()).isEqualTo("prod");
    assertThat(c.namespace()).isEqualTo("/pg/");
    assertThat(c.keyPrefix()).isEqualTo("/pg/prod/");
    assertThat(c.log()).isEqualTo(new LogConfig("DEBUG", Optional.of(Path.of("/var/log/pgq")),
        Optional.of("%(message)s")));
    assertThat(c.restapi().listen()).isEqualTo(new HostPort("0.0.0.0", 9008));
    assertThat(c.restapi().connectAddress()).isEqualTo(new HostPort("10.1.0.7", 9008));
    assertThat(c.restapi().authentication()).hasValueSatisfying(a -> {
      assertThat(a.username()).isEqualTo("ops");
      assertThat(a.password()).contains("ops-Secret");
    });
    assertThat(c.restapi().allowlist()).containsExactly("10.1.0.0/16", "127.0.0.1");
    PostgresConfig pg = c.postgresql();
    assertThat(pg.listen()).isEqualTo(new HostPort("0.0.0.0", 6432));
    assertThat(pg.connectAddress()).isEqualTo(new HostPort("10.1.0.7", 6432));
    assertThat(pg.dataDir()).isEqualTo(Path.of("/data/pg"));
    assertThat(pg.binDir()).isEqualTo(Path.of("/opt/pg15/bin"));
    assertThat(pg.pgpass()).isEqualTo(Path.of("/data/pgpass"));
    assertThat(pg.superuser().username()).isEqualTo("admin");
    assertThat(pg.superuser().password()).contains("admin-Secret");
    assertThat(pg.superuser().extra()).containsOnly(entry("sslmode", "verify-full"),
        entry("sslrootcert", "/etc/ssl/root.crt"));
    assertThat(pg.replication().username()).isEqualTo("standby");
    assertThat(pg.replication().password()).contains("standby-Secret");
    assertThat(pg.replication().extra()).containsOnly(entry("channel_binding", "require"));
    assertThat(pg.rewind()).contains(new Credentials("rewinder", Optional.of("rewind-Secret"), Map.of()));
    assertThat(c.raft().selfAddr()).isEqualTo("10.1.0.7:7010");
    assertThat(c.raft().bindAddr()).contains("0.0.0.0:7010");
    assertThat(c.raft().partnerAddrs()).containsExactly("10.1.0.8:7010", "10.1.0.9:7010");
    assertThat(c.raft().dataDir()).isEqualTo(Path.of("/data/raft"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1:5011,127.0.0.1:5012", " 127.0.0.1:5011 , 127.0.0.1:5012 ",
      "[127.0.0.1:5011, 127.0.0.1:5012]", "['127.0.0.1:5011', \"127.0.0.1:5012\"]",
      "- 127.0.0.1:5011\n- 127.0.0.1:5012\n"})
  void partnerAddressesTakeCommaSeparatedTextOrAYamlList(String value) {
    Map<String, Object> tree = TestConfigs.minimal();
    TestConfigs.set(tree, "raft.partner_addrs", TestConfigs.list("10.9.9.9:1"));
    NodeConfig c = TestConfigs.parse(tree, Map.of("PATRONI_RAFT_PARTNER_ADDRS", value));
    assertThat(c.raft().partnerAddrs()).containsExactly("127.0.0.1:5011", "127.0.0.1:5012");
  }

  @Test
  void emptyVariablesAreIgnored() {
    NodeConfig c = TestConfigs.parse(TestConfigs.minimal(), Map.of("PATRONI_NAME", "", "PATRONI_LOG_LEVEL", ""));
    assertThat(c.name()).isEqualTo("node1");
    assertThat(c.log().level()).isEqualTo("INFO");
  }

  @Test
  void patroniConfigurationIsUsedInsteadOfTheFileAndTheOtherVariablesStillWin() {
    Path missing = Path.of("/nonexistent/patroni.yml");
    Map<String, String> env = Map.of("PATRONI_CONFIGURATION", TestConfigs.MINIMAL, "PATRONI_NAME", "node9");

    NodeConfig c = ConfigLoader.load(missing, env);

    assertThat(c.scope()).isEqualTo("demo");
    assertThat(c.name()).isEqualTo("node9");
    assertThat(c.warnings()).containsExactly("PATRONI_CONFIGURATION is set: using it instead of "
        + "/nonexistent/patroni.yml");
  }

  @Test
  void aFileOnDiskIsOverriddenByTheEnvironment(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("patroni.yml");
    Files.writeString(file, TestConfigs.MINIMAL);
    NodeConfig c = ConfigLoader.load(file, Map.of("PATRONI_SCOPE", "other", "PATRONI_RAFT_DATA_DIR", "/srv/r2"));
    assertThat(c.scope()).isEqualTo("other");
    assertThat(c.raft().dataDir()).isEqualTo(Path.of("/srv/r2"));
    assertThat(c.name()).isEqualTo("node1");
    assertThat(c.warnings()).isEmpty();
  }

  @Test
  void syntaxErrorsInPatroniConfigurationNameTheVariable() {
    Map<String, String> env = Map.of("PATRONI_CONFIGURATION", "scope: [demo\nname: x\n");
    assertThatThrownBy(() -> ConfigLoader.load(null, env))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).singleElement()
            .asString().startsWith("PATRONI_CONFIGURATION: invalid YAML at line "));
  }

  @Test
  void aConfigurationCanComeFromVariablesAlone() {
    Map<String, String> env = new HashMap<>();
    env.put("PATRONI_SCOPE", "demo");
    env.put("PATRONI_NAME", "node1");
    env.put("PATRONI_RESTAPI_LISTEN", "127.0.0.1:8008");
    env.put("PATRONI_RAFT_SELF_ADDR", "127.0.0.1:5010");
    env.put("PATRONI_RAFT_DATA_DIR", "/srv/raft");
    env.put("PATRONI_POSTGRESQL_LISTEN", "127.0.0.1:5432");
    env.put("PATRONI_POSTGRESQL_DATA_DIR", "/srv/data");
    env.put("PATRONI_SUPERUSER_USERNAME", "postgres");
    env.put("PATRONI_REPLICATION_USERNAME", "replicator");

    NodeConfig c = ConfigLoader.fromEnvironment(env);

    assertThat(c.raft().partnerAddrs()).isEmpty();
    assertThat(c.postgresql().superuser().password()).isEmpty();
    assertThat(c.restapi().connectAddress()).isEqualTo(new HostPort("127.0.0.1", 8008));
  }

  @Test
  void anErrorInAValueFromTheEnvironmentNamesTheVariable() {
    Map<String, String> env = Map.of("PATRONI_POSTGRESQL_LISTEN", "5432", "PATRONI_RAFT_PARTNER_ADDRS",
        "127.0.0.1:5011,nohost");
    List<String> problems = TestConfigs.problems(TestConfigs.minimal(), env);
    assertThat(problems).containsExactly(
        "raft.partner_addrs[1] (from PATRONI_RAFT_PARTNER_ADDRS): expected host:port, got \"nohost\"",
        "postgresql.listen (from PATRONI_POSTGRESQL_LISTEN): expected host:port, got \"5432\"");
  }

  @Test
  void aPasswordPastedIntoTheWrongVariableIsNotEchoed() {
    String secret = "Tr0ub4dor&3";
    Map<String, String> env = Map.of("PATRONI_SUPERUSER_PASSWORD", secret,
        "PATRONI_POSTGRESQL_CONNECT_ADDRESS", secret);
    List<String> problems = TestConfigs.problems(TestConfigs.minimal(), env);
    assertThat(problems).containsExactly("postgresql.connect_address (from PATRONI_POSTGRESQL_CONNECT_ADDRESS): "
        + "expected host:port, got <redacted>");
  }

  @Test
  void variablesOfOtherDcsAreReportedAndIgnored() {
    NodeConfig c = TestConfigs.parse(TestConfigs.minimal(), Map.of("PATRONI_ETCD3_HOSTS", "10.0.0.1:2379",
        "PATRONI_ETCD_SERVICE_HOST", "10.96.0.1"));
    assertThat(c.warnings()).containsExactly("PATRONI_ETCD3_HOSTS is ignored: pgquorum embeds its own DCS, "
        + "configured in the raft section");
  }

  @Test
  void unsupportedPatroniVariablesBecomeWarnings() {
    NodeConfig c = TestConfigs.parse(TestConfigs.minimal(), Map.of("PATRONI_POSTGRESQL_CONFIG_DIR", "/etc/pg",
        "PATRONI_LOG_FILE_NUM", "10"));
    assertThat(c.warnings()).containsExactlyInAnyOrder(
        "postgresql.config_dir (from PATRONI_POSTGRESQL_CONFIG_DIR): is not supported by pgquorum and is ignored "
            + "(configuration files stay in the data directory)",
        "log.file_num (from PATRONI_LOG_FILE_NUM): is not supported by pgquorum and is ignored");
  }
}
