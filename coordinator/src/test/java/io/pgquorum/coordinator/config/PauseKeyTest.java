package io.pgquorum.coordinator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pause key (maintenance mode): a boolean in any of YAML's spellings; absent or null is not paused. */
class PauseKeyTest {
  private static DynamicConfig parse(Object pause) {
    Map<String, Object> raw = new HashMap<>();
    raw.put("pause", pause);
    return ConfigLoader.parseDynamic(raw, "config", new ArrayList<>());
  }

  @Test
  void spellingsOfTrueAndFalse() {
    assertThat(parse(true).paused()).isTrue();
    assertThat(parse("on").paused()).isTrue();
    assertThat(parse(false).paused()).isFalse();
    assertThat(parse(null).paused()).isFalse();
    assertThat(ConfigLoader.parseDynamic(Map.of(), "config", new ArrayList<>()).paused()).isFalse();
  }

  @Test
  void anythingElseIsRefusedNamingTheKey() {
    assertThatThrownBy(() -> parse("maybe")).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("config.pause: must be a boolean");
  }
}
