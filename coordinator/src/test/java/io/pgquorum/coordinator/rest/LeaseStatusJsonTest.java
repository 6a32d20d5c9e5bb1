package io.pgquorum.coordinator.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.ha.NodeStatus;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The {@code pgquorum} object of {@code /patroni}: the lease as this node sees it, for observers. */
class LeaseStatusJsonTest {
  private static NodeStatus withLease(NodeStatus s, OptionalLong deadline, OptionalLong token, String watchdog) {
    return new NodeStatus(s.scope(), s.name(), s.pg(), s.state(), s.role(), s.holdsLock(), s.cluster(),
        s.dcsLastSeen(), s.message(), s.tags(), s.cycleAt(), s.cycleNanos(), s.cycles(), deadline, token, watchdog);
  }

  @Test
  void aHeldLeaseShowsRemainingMillisAndItsToken() {
    long now = 1_000_000_000_000L;
    NodeStatus s = withLease(Fixtures.primary(), OptionalLong.of(now + 5_500_000_000L), OptionalLong.of(42),
        "armed");
    assertThat(StatusJson.pgquorum(s, now)).containsExactly(Map.entry("lease_remaining_ms", 5500L),
        Map.entry("fencing_token", 42L), Map.entry("watchdog", "armed"));
    assertThat(StatusJson.pgquorum(s, now + 5_500_000_000L)).as("run out")
        .containsExactly(Map.entry("watchdog", "armed"));
  }

  @Test
  void noLeaseNoLeaseFieldsAndTheTopLevelTokenIsUnchanged() {
    NodeStatus s = Fixtures.primary();
    assertThat(StatusJson.pgquorum(s, System.nanoTime())).isEmpty();
    Map<String, Object> doc = StatusJson.of(s);
    assertThat(doc).containsKey("fencing_token").containsEntry("pgquorum", Map.of());
  }
}
