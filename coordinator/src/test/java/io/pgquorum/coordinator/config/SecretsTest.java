package io.pgquorum.coordinator.config;

import static io.pgquorum.coordinator.config.TestConfigs.map;
import static io.pgquorum.coordinator.config.TestConfigs.set;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Passwords never reach toString, errors or warnings. */
class SecretsTest {
  private static final List<String> SAMPLE_SECRETS =
      List.of("rest-Secret-1", "repl-Secret-2", "super-Secret-3", "rewind-Secret-4");

  @Test
  void loadedConfigurationPrintsNoPassword() {
    NodeConfig c = ConfigLoader.load(TestConfigs.resource("patroni-style.yml"), Map.of());
    String text = c.toString();
    assertThat(text).contains("username=postgres", "<redacted>");
    for (String secret : SAMPLE_SECRETS) {
      assertThat(text).doesNotContain(secret);
    }
  }

  @Test
  void sslPasswordIsKeptButNotPrinted() {
    Map<String, Object> tree = TestConfigs.minimal();
    set(tree, "postgresql.authentication.superuser.sslpassword", "ssl-Key-Secret");
    set(tree, "postgresql.authentication.superuser.sslkey", "/etc/ssl/su.key");
    NodeConfig c = TestConfigs.parse(tree);
    assertThat(c.postgresql().superuser().extra()).containsEntry("sslpassword", "ssl-Key-Secret");
    assertThat(c.toString()).doesNotContain("ssl-Key-Secret").doesNotContain(TestConfigs.SUPERUSER_PASSWORD);
  }

  @Test
  void aPasswordInTheWrongPlaceIsRedactedFromErrors() {
    Map<String, Object> tree = TestConfigs.minimal();
    // A password pasted where an address belongs, and one in a broken sub-section.
    set(tree, "postgresql.connect_address", TestConfigs.SUPERUSER_PASSWORD);
    set(tree, "restapi.connect_address", "x" + TestConfigs.REPLICATION_PASSWORD + "y");
    set(tree, "postgresql.parameters.password_hint", map("a", TestConfigs.SUPERUSER_PASSWORD));
    List<String> problems = TestConfigs.problems(tree, Map.of());
    assertThat(problems).containsExactly(
        "restapi.connect_address: expected host:port, got <redacted>",
        "postgresql.connect_address: expected host:port, got <redacted>",
        "postgresql.parameters.password_hint: must be a single value (text, number or on/off), got a mapping");
    assertNoSecret(problems, TestConfigs.SUPERUSER_PASSWORD, TestConfigs.REPLICATION_PASSWORD);
  }

  @Test
  void badPasswordTypesAreReportedWithoutTheirValue() {
    String yaml = TestConfigs.MINIMAL.replace("password: '" + TestConfigs.REPLICATION_PASSWORD + "'",
        "password: 918273645")
        + "restapi_extra: 1\n";
    yaml = yaml.replace("  listen: 127.0.0.1:8008\n", "  listen: 127.0.0.1:8008\n  authentication:\n"
        + "    username: admin\n    password: [918273645]\n");
    List<String> problems = TestConfigs.problems(yaml, Map.of());
    assertThat(problems).hasSize(2);
    assertThat(problems.get(0)).startsWith("restapi.authentication.password: must be a quoted string");
    assertThat(problems.get(1)).startsWith("postgresql.authentication.replication.password: must be a quoted string");
    assertNoSecret(problems, "918273645");
  }

  @Test
  void raftPasswordIsRefusedWithoutEchoingIt() {
    Map<String, Object> tree = TestConfigs.minimal();
    set(tree, "raft.password", "raft-Shared-Secret");
    List<String> problems = TestConfigs.problems(tree, Map.of("PATRONI_RESTAPI_USERNAME", "ops",
        "PATRONI_RESTAPI_PASSWORD", "env-Secret"));
    assertThat(problems).singleElement().asString().startsWith("raft.password: is not supported");
    assertNoSecret(problems, "raft-Shared-Secret", "env-Secret");
  }

  @Test
  void warningsCarryNoPassword() {
    Map<String, Object> tree = TestConfigs.minimal();
    set(tree, "postgresql.authentication.superuser.passwd", TestConfigs.SUPERUSER_PASSWORD);
    set(tree, "ctl", map("keyfile_password", "ctl-Secret", "keyfile_pasword", "ctl-Secret2"));
    set(tree, "restapi.keyfile_password_typo", "api-Secret");
    NodeConfig config = TestConfigs.parse(tree);
    List<String> warnings = new ArrayList<>(config.warnings());
    assertThat(warnings).containsExactly(
        "restapi.keyfile_password_typo: unknown key, ignored",
        "postgresql.authentication.superuser.passwd: unknown key, ignored (did you mean password?)",
        "ctl.keyfile_pasword: unknown key, ignored (did you mean keyfile_password?)");
    assertNoSecret(warnings, TestConfigs.SUPERUSER_PASSWORD, "ctl-Secret", "api-Secret");
    assertThat(config.ctl().toString()).contains("keyfilePassword=<redacted>").doesNotContain("ctl-Secret");
  }

  @Test
  void credentialsToStringShowsOnlyTheUserAndOptionNames() {
    Credentials c = new Credentials("postgres", java.util.Optional.of("pw-Secret"), Map.of("sslmode", "require"));
    assertThat(c.toString()).isEqualTo("Credentials[username=postgres, password=<redacted>, extra=[sslmode]]");
  }

  private static void assertNoSecret(List<String> messages, String... secrets) {
    for (String m : messages) {
      for (String s : secrets) {
        assertThat(m).doesNotContain(s);
      }
    }
  }
}
