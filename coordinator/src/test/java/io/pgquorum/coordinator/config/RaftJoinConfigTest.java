package io.pgquorum.coordinator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code raft.join}: off by default, a YAML boolean, overridden by PATRONI_RAFT_JOIN (what --join sets). */
class RaftJoinConfigTest {
  private static Map<String, Object> withJoin(Object value) {
    return TestConfigs.set(TestConfigs.minimal(), "raft.join", value);
  }

  @Test
  void offByDefault() {
    assertThat(TestConfigs.parse(TestConfigs.minimal(), Map.of()).raft().join()).isFalse();
  }

  @Test
  void aBooleanInThePatroniSpellings() {
    assertThat(TestConfigs.parse(withJoin(true), Map.of()).raft().join()).isTrue();
    assertThat(TestConfigs.parse(withJoin("on"), Map.of()).raft().join()).isTrue();
    assertThat(TestConfigs.parse(withJoin(false), Map.of()).raft().join()).isFalse();
  }

  @Test
  void theEnvironmentOverridesTheFile() {
    assertThat(TestConfigs.parse(TestConfigs.minimal(), Map.of("PATRONI_RAFT_JOIN", "true")).raft().join())
        .isTrue();
    assertThat(TestConfigs.parse(withJoin(true), Map.of("PATRONI_RAFT_JOIN", "false")).raft().join()).isFalse();
  }

  @Test
  void anythingElseIsAnErrorNamingTheKey() {
    assertThatThrownBy(() -> TestConfigs.parse(withJoin("maybe"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).anyMatch(p -> p.startsWith("raft.join")
            && p.contains("must be a boolean")));
  }
}
