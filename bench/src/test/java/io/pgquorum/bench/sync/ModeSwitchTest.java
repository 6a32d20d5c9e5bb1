package io.pgquorum.bench.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgquorum.jepsen.stack.PgClusterSpec.SyncMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ModeSwitchTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String s) throws Exception {
    return JSON.readTree(s);
  }

  @ParameterizedTest
  @EnumSource(SyncMode.class)
  void theConfigurationAPatchProducesAsksForThatModeAndNoOther(SyncMode mode) throws Exception {
    JsonNode config = json(ModeSwitch.patchBody(mode));
    for (SyncMode other : SyncMode.values()) {
      if (other == mode) {
        assertThat(ModeSwitch.configProblem(other, config)).isNull();
      } else {
        assertThat(ModeSwitch.configProblem(other, config)).isNotNull();
      }
    }
  }

  @Test
  void readsTheSpellingsBothSystemsStore() throws Exception {
    assertThat(ModeSwitch.configProblem(SyncMode.OFF, json("{\"ttl\": 8}"))).isNull();
    assertThat(ModeSwitch.configProblem(SyncMode.ON, json("{\"synchronous_mode\": \"on\"}"))).isNull();
    assertThat(ModeSwitch.configProblem(SyncMode.STRICT,
        json("{\"synchronous_mode\": \"true\", \"synchronous_mode_strict\": true}"))).isNull();
    // Strict left over from an earlier mode while off is asked for is still off: strict means nothing then.
    assertThat(ModeSwitch.configProblem(SyncMode.OFF,
        json("{\"synchronous_mode\": false, \"synchronous_mode_strict\": true}"))).isNull();
    assertThat(ModeSwitch.configProblem(SyncMode.STRICT, json("{\"synchronous_mode\": true}")))
        .contains("synchronous_mode on").contains("not synchronous_mode on + strict");
  }
}
