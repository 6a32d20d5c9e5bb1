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

  /** Patroni's {@code failsafe} key: member name to api_url; anything else reads as absent (no member kept out). */
  @Test
  void theFailsafeKeyRoundTripsAndBadShapesReadAsAbsent() {
    String written = ClusterCodec.encodeFailsafe(java.util.Map.of("node2", "http://b:8008/patroni",
        "node1", "http://a:8008/patroni"));
    assertThat(written).isEqualTo("{\"node1\":\"http://a:8008/patroni\",\"node2\":\"http://b:8008/patroni\"}");
    ClusterSnapshot s = new ClusterCodec(KEYS).decode(new PrefixSnapshot("/service/demo/", 9,
        List.of(kv(KEYS.failsafe(), written))));
    assertThat(s.failsafe()).contains(java.util.Map.of("node1", "http://a:8008/patroni",
        "node2", "http://b:8008/patroni"));
    for (String bad : List.of("null", "42", "[]", "{\"node1\": 7}", "{")) {
      assertThat(new ClusterCodec(KEYS).decode(new PrefixSnapshot("/service/demo/", 9,
          List.of(kv(KEYS.failsafe(), bad)))).failsafe()).as(bad).isEmpty();
    }
  }

  @Test
  void wrongFieldTypesInStatusReadAsNoPosition() {
    PrefixSnapshot read = new PrefixSnapshot("/service/demo/", 9,
        List.of(kv(KEYS.status(), "{\"optime\": \"x\", \"slots\": 7}")));
    assertThat(new ClusterCodec(KEYS).decode(read).lastLeaderOptime()).isZero();
  }

  /**
   * Issue 17, item 7: the status key as Patroni 4 writes it (dcs/__init__.py update_leader): optime, slots by name
   * with their positions, retain_slots; null for none. Round trip, and Patroni's own value decodes the same.
   */
  @Test
  void statusCarriesSlotsAndRetainedSlotsAsPatroni4Does() {
    String written = ClusterCodec.encodeStatus(500, java.util.Map.of("node3", 400L, "node2", 450L),
        List.of("node3", "node2"));
    assertThat(written).isEqualTo(
        "{\"optime\":500,\"slots\":{\"node2\":450,\"node3\":400},\"retain_slots\":[\"node2\",\"node3\"]}");
    assertThat(ClusterCodec.encodeStatus(500, java.util.Map.of()))
        .isEqualTo("{\"optime\":500,\"slots\":null,\"retain_slots\":null}");
    for (String value : List.of(written,
        "{\"optime\": 500, \"slots\": {\"node2\": 450, \"node3\": 400}, \"retain_slots\": [\"node2\", \"node3\"]}")) {
      ClusterStatus st = new ClusterCodec(KEYS).decode(new PrefixSnapshot("/service/demo/", 9,
          List.of(kv(KEYS.status(), value)))).status().orElseThrow();
      assertThat(st.optime()).isEqualTo(500);
      assertThat(st.slots()).containsExactlyInAnyOrderEntriesOf(java.util.Map.of("node2", 450L, "node3", 400L));
      assertThat(st.retainSlots()).containsExactly("node2", "node3");
    }
    ClusterStatus none = new ClusterCodec(KEYS).decode(new PrefixSnapshot("/service/demo/", 9,
        List.of(kv(KEYS.status(), "{\"optime\": 5, \"slots\": null, \"retain_slots\": null}")))).status()
        .orElseThrow();
    assertThat(none.slots()).isEmpty();
    assertThat(none.retainSlots()).isEmpty();
  }

  /**
   * The history key carries the promotion's fencing token as a sixth field when known (which fork of a timeline
   * number is the cluster's: LeaderTimeline.otherEpoch); an entry without it is written as Patroni's five fields,
   * and Patroni's five-field rows decode without an epoch.
   */
  @Test
  void historyCarriesThePromotionsEpochAsASixthField() {
    List<HistoryEntry> history = List.of(
        new HistoryEntry(1, 100, "no recovery target specified", java.util.Optional.of("t"),
            java.util.Optional.of("n3"), java.util.OptionalLong.of(41)),
        new HistoryEntry(2, 200, "r", java.util.Optional.empty(), java.util.Optional.empty()));
    String written = ClusterCodec.encodeHistory(history);
    assertThat(written)
        .isEqualTo("[[1,100,\"no recovery target specified\",\"t\",\"n3\",41],[2,200,\"r\",null,null]]");
    List<HistoryEntry> read = new ClusterCodec(KEYS).decode(new PrefixSnapshot("/service/demo/", 9,
        List.of(kv(KEYS.history(), written)))).history();
    assertThat(read).isEqualTo(history);
    List<HistoryEntry> patroni = new ClusterCodec(KEYS).decode(new PrefixSnapshot("/service/demo/", 9,
        List.of(kv(KEYS.history(), "[[1, 100, \"no recovery target specified\", \"t\", \"n3\"]]")))).history();
    assertThat(patroni.get(0).epoch()).isEmpty();
  }
}
