package io.pgquorum.coordinator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code raft.election_timeout}: 0.5 s by default, seconds to the millisecond, 0.1 to 5 s, overridden by
 * PATRONI_RAFT_ELECTION_TIMEOUT (the DCS member's use of it: {@code node.DcsTuningFromConfigTest}).
 */
class RaftElectionTimeoutConfigTest {
  private static Map<String, Object> with(Object value) {
    return TestConfigs.set(TestConfigs.minimal(), "raft.election_timeout", value);
  }

  private static Duration parsed(Map<String, Object> tree, Map<String, String> env) {
    return TestConfigs.parse(tree, env).raft().electionTimeout();
  }

  @Test
  void halfASecondByDefault() {
    assertThat(parsed(TestConfigs.minimal(), Map.of())).isEqualTo(Duration.ofMillis(500));
    assertThat(RaftConfig.DEFAULT_ELECTION_TIMEOUT).isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void secondsWithFractions() {
    assertThat(parsed(with(0.25), Map.of())).isEqualTo(Duration.ofMillis(250));
    assertThat(parsed(with(1), Map.of())).isEqualTo(Duration.ofSeconds(1));
    assertThat(parsed(with("0.3"), Map.of())).isEqualTo(Duration.ofMillis(300));
  }

  @Test
  void theEnvironmentOverridesTheFile() {
    assertThat(parsed(with(1), Map.of("PATRONI_RAFT_ELECTION_TIMEOUT", "0.2"))).isEqualTo(Duration.ofMillis(200));
  }

  @Test
  void outOfRangeOrNotANumberIsAnErrorNamingTheKey() {
    assertThatThrownBy(() -> TestConfigs.parse(with(0.05), Map.of()))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems())
            .contains("raft.election_timeout: must be at least 0.1 seconds, got 0.05"));
    assertThatThrownBy(() -> TestConfigs.parse(with(6), Map.of()))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems())
            .contains("raft.election_timeout: must be at most 5 seconds, got 6"));
    assertThatThrownBy(() -> TestConfigs.parse(with("soon"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).anyMatch(p ->
            p.startsWith("raft.election_timeout: must be a number of seconds")));
  }
}
