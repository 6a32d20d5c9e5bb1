package io.pgquorum.coordinator.ha.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The setting's value type: only forms PostgreSQL accepts, and what each makes commits wait for. */
class SyncStandbyNamesTest {
  @Test
  void refusesFormsPgquorumNeverWrites() {
    assertThatThrownBy(() -> SyncStandbyNames.any(3, List.of("a", "b"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("count");
    assertThatThrownBy(() -> SyncStandbyNames.any(0, List.of("a"))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SyncStandbyNames.all(List.of(""))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty");
  }

  @Test
  void namesAreSortedDeduplicatedCaseInsensitively() {
    SyncStandbyNames n = SyncStandbyNames.all(List.of("node3", "Node2", "node2"));
    assertThat(n.names()).containsExactly("Node2", "node3");
    assertThat(n.count()).isEqualTo(2);
    assertThat(SyncStandbyNames.all(List.of())).isEqualTo(SyncStandbyNames.none());
  }

  @Test
  void onlyFirstOfAllNamesWaitsOnEachOfThem() {
    assertThat(SyncStandbyNames.all(List.of("a", "b")).waitsOn("B")).isTrue();
    assertThat(SyncStandbyNames.any(1, List.of("a", "b")).waitsOn("a")).isFalse();
    assertThat(SyncStandbyNames.anyStandby().waitsOn("a")).isFalse();
    assertThat(new SyncStandbyNames(SyncStandbyNames.Kind.FIRST, 1, List.of("a", "b")).waitsOn("a"))
        .as("FIRST 1 of two waits for whichever is connected first, not for a given one").isFalse();
  }
}
