package io.pgquorum.coordinator.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Values mean what they mean to Patroni's YAML 1.1 reader. */
class Yaml11Test {

  @Test
  void snakeYamlReadsYaml11Booleans() {
    @SuppressWarnings("unchecked")
    Map<String, Object> doc = (Map<String, Object>) YamlDocument.load(
        "a: on\nb: yes\nc: off\nd: no\ne: 'on'\nf: 0777\ng: 2024-05-01\n", "t");
    assertThat(doc).containsEntry("a", true).containsEntry("b", true).containsEntry("c", false)
        .containsEntry("d", false).containsEntry("e", "on").containsEntry("f", 511)
        .containsEntry("g", "2024-05-01");
  }

  /** {@code yamlValue} is written unquoted (unless it carries its own quotes) after {@code name:}. */
  @ParameterizedTest(name = "{0}: {1} -> {2}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "hot_standby        | on          | on",
      "hot_standby        | 'on'        | on",
      "hot_standby        | yes         | on",
      "hot_standby        | True        | on",
      "fsync              | off         | off",
      "fsync              | no          | off",
      "work_mem           | 100         | 100",
      "work_mem           | '100'       | 100",
      "work_mem           | 1_000       | 1000",
      "unix_socket_permissions | 0777   | 511",
      "checkpoint_completion_target | 0.9 | 0.9",
      "random_page_cost   | 1.0         | 1.0",
      "vacuum_cost_delay  | 0.00001     | 0.00001",
      "autovacuum_vacuum_scale_factor | 1e-2 | 1e-2",
      "autovacuum_vacuum_scale_factor | 1.0e-2 | 0.01",
      "seq_page_cost      | 100.0       | 100.0",
      "shared_buffers     | 128MB       | 128MB",
      "log_line_prefix    | '%m [%p] '  | '%m [%p] '",
      "recovery_target_time | 2024-05-01 | 2024-05-01",
  })
  void parameterValuesAreRenderedAsPostgresqlReadsThem(String name, String yamlValue, String expected) {
    String yaml = TestConfigs.MINIMAL + "  parameters:\n    " + name + ": " + yamlValue + "\n";
    NodeConfig c = ConfigLoader.parse(yaml, "t.yml", Map.of());
    String want = expected.startsWith("'") ? expected.substring(1, expected.length() - 1) : expected;
    assertThat(c.postgresql().parameters()).containsEntry(name, want);
  }

  @ParameterizedTest(name = "use_pg_rewind: {0} -> {1}")
  @CsvSource(quoteCharacter = '"', value = {"yes, true", "no, false", "on, true", "off, false", "true, true",
      "False, false", "'on', true", "'1', true", "'0', false", "1, true"})
  void booleansAcceptEveryPatroniSpelling(String yamlValue, boolean expected) {
    String yaml = TestConfigs.MINIMAL + "  use_pg_rewind: " + yamlValue + "\n"
        + "bootstrap:\n  dcs:\n    postgresql:\n      use_pg_rewind: " + yamlValue + "\n"
        + "tags:\n  nofailover: " + yamlValue + "\n";
    NodeConfig c = ConfigLoader.parse(yaml, "t.yml", Map.of());
    assertThat(c.postgresql().usePgRewind()).contains(expected);
    assertThat(c.bootstrap().dcs().usePgRewind()).isEqualTo(expected);
    assertThat(c.tags().nofailover()).isEqualTo(expected);
    assertThat(c.tags().all()).containsEntry("nofailover", expected);
  }

  @Test
  void numbersMayBeStrings() {
    String yaml = TestConfigs.MINIMAL + "  pg_ctl_timeout: '45'\n"
        + "bootstrap:\n  dcs:\n    ttl: '20'\n    loop_wait: \"5\"\n    retry_timeout: ' 3 '\n";
    NodeConfig c = ConfigLoader.parse(yaml, "t.yml", Map.of());
    assertThat(c.postgresql().pgCtlTimeout()).isEqualTo(45);
    assertThat(List.of(c.bootstrap().dcs().ttl(), c.bootstrap().dcs().loopWait(), c.bootstrap().dcs().retryTimeout()))
        .containsExactly(java.time.Duration.ofSeconds(20), java.time.Duration.ofSeconds(5),
            java.time.Duration.ofSeconds(3));
  }

  @Test
  void aBooleanWhereTextIsExpectedExplainsQuoting() {
    List<String> problems = TestConfigs.problems(TestConfigs.MINIMAL.replace("name: node1", "name: yes"), Map.of());
    assertThat(problems).containsExactly("name: must be a string, got boolean true (YAML 1.1 reads unquoted "
        + "yes/no/on/off/true/false as booleans; quote the value)");
  }

  @Test
  void anUnquotedNumericPasswordIsRefusedBecauseYamlWouldChangeIt() {
    String yaml = TestConfigs.MINIMAL.replace("password: '" + TestConfigs.SUPERUSER_PASSWORD + "'",
        "password: 0123");
    List<String> problems = TestConfigs.problems(yaml, Map.of());
    assertThat(problems).hasSize(1);
    assertThat(problems.get(0)).startsWith("postgresql.authentication.superuser.password: must be a quoted string")
        .doesNotContain("0123").doesNotContain("83");
  }
}
