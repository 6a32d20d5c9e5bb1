package io.pgquorum.jepsen.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgquorum.dcs.memory.InMemoryDcs;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The nemesis's edit of one dynamic-configuration key: a compare-and-set that keeps every other field and returns the
 * old value for the restore, and refuses a fractional value it could only restore truncated.
 */
class DynamicConfigEditorTest {
  private static final String KEY = "/service/jepsen/config";
  private final InMemoryDcs dcs = new InMemoryDcs();
  private final DynamicConfigEditor editor = new DynamicConfigEditor(dcs.client("nemesis"), KEY);

  @AfterEach
  void close() {
    dcs.close();
  }

  @Test
  void anEditKeepsTheOtherFieldsAndReturnsTheOldValue() {
    dcs.client("node1").put(KEY, "{\"ttl\":8,\"loop_wait\":0.5}");
    assertThat(editor.set("ttl", OptionalLong.of(12))).hasValue(8);
    assertThat(dcs.client("x").get(KEY).orElseThrow().value()).isEqualTo("{\"ttl\":12,\"loop_wait\":0.5}");
    assertThat(editor.set("ttl", OptionalLong.of(8))).hasValue(12);
    assertThat(editor.set("maximum_lag_on_failover", OptionalLong.empty())).isEmpty();
  }

  @Test
  void aFractionalValueIsRefusedNotTruncated() {
    dcs.client("node1").put(KEY, "{\"ttl\":4.5}");
    assertThatThrownBy(() -> editor.set("ttl", OptionalLong.of(12))).isInstanceOf(IllegalStateException.class)
        .hasMessage("cannot edit ttl: it holds 4.5, a fraction this fault cannot restore (it edits whole numbers)");
    assertThat(dcs.client("x").get(KEY).orElseThrow().value()).isEqualTo("{\"ttl\":4.5}");
  }
}
