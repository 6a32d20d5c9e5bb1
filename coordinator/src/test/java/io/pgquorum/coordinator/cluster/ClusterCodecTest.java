package io.pgquorum.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.dcs.api.KeyValue;
import io.pgquorum.dcs.api.PrefixSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Decoding is lenient: a value another tool wrote that does not parse is treated as absent, never allowed to
 * throw out of the HA loop's snapshot read (found in review: JSON {@code null} made every decoder throw a
 * NullPointerException, and every node's loop crash, fencing its primary).
 */
class ClusterCodecTest {
  private static final DcsKeys KEYS = new DcsKeys("/service/demo/");

  private static KeyValue kv(String key, String value) {
    return new KeyValue(key, value, 2, 2, 1, Duration.ZERO, 0, "tool", Instant.EPOCH);
  }

  @Test
  void jsonNullAndOtherShapesReadAsAbsent() {
    for (String bad : List.of("null", "42", "[]", "\"text\"", "{")) {
      PrefixSnapshot read = new PrefixSnapshot("/service/demo/", 9, List.of(kv(KEYS.config(), bad),
          kv(KEYS.member("node2"), bad), kv(KEYS.failover(), bad), kv(KEYS.sync(), bad), kv(KEYS.history(), bad),
          kv(KEYS.status(), bad)));
      ClusterSnapshot s = new ClusterCodec(KEYS).decode(read);
      assertThat(s.config()).as(bad).isEmpty();
      assertThat(s.members()).as(bad).isEmpty();
      assertThat(s.failover()).as(bad).isEmpty();
      assertThat(s.history()).as(bad).isEmpty();
      assertThat(s.lastLeaderOptime()).as(bad).isZero();
    }
  }

  @Test
  void wrongFieldTypesInStatusReadAsNoPosition() {
    PrefixSnapshot read = new PrefixSnapshot("/service/demo/", 9,
        List.of(kv(KEYS.status(), "{\"optime\": \"x\", \"slots\": 7}")));
    assertThat(new ClusterCodec(KEYS).decode(read).lastLeaderOptime()).isZero();
  }
}
