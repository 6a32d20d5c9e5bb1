package io.pgquorum.coordinator.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.ClusterStatus;
import io.pgquorum.coordinator.cluster.LeaderLock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SlotWantsTest {
  private static ClusterSnapshot cluster(String leader, Optional<ClusterStatus> status) {
    return new ClusterSnapshot(1, Optional.empty(), Optional.empty(),
        Optional.of(new LeaderLock(leader, 1, 1, Duration.ofSeconds(30))), Map.of(), Optional.empty(),
        Optional.empty(), List.of(), status);
  }

  @Test
  void aReplicaKeepsTheLeadersSlotsAndTheLeadersOwnMovedToThePublishedPositions() {
    ClusterStatus status = new ClusterStatus(5000, Map.of("node2", 4000L, "node3", 3000L), List.of("node2", "node3"),
        1);
    SlotWants w = SlotWants.atReplica(cluster("Node-1", Optional.of(status)), "node2", Set.of());
    assertThat(w.names()).as("never its own slot; the leader's under its slot name").containsExactly("node3", "node_1");
    assertThat(w.advanceTo()).containsExactlyInAnyOrderEntriesOf(Map.of("node3", 3000L, "node_1", 5000L));
  }

  @Test
  void aRetainedSlotWithoutAPositionIsKeptButNotMoved() {
    ClusterStatus status = new ClusterStatus(5000, Map.of(), List.of("gone"), 1);
    SlotWants w = SlotWants.atReplica(cluster("node1", Optional.of(status)), "node2", Set.of());
    assertThat(w.names()).containsExactly("gone", "node1");
    assertThat(w.advanceTo()).containsOnlyKeys("node1");
  }

  @Test
  void slotsOfMembersCascadingFromThisReplicaAreKeptButNeverMoved() {
    // node3 streams from node2 through its slot there: node2 must not move it (it is active, and the leader's
    // position for it, if any, is not where node3 is).
    ClusterStatus status = new ClusterStatus(5000, Map.of("node3", 3000L), List.of("node3"), 1);
    SlotWants w = SlotWants.atReplica(cluster("node1", Optional.of(status)), "node2", Set.of("node3"));
    assertThat(w.names()).containsExactly("node1", "node3");
    assertThat(w.advanceTo()).containsOnlyKeys("node1");
  }

  @Test
  void aConfiguredLogicalSlotPublishedInStatusGetsNoPhysicalCopy() {
    // ls1 is a logical slot: LogicalSlotWants copies it; a physical "ls1" here would clash with that copy.
    ClusterStatus status = new ClusterStatus(5000, Map.of("node3", 3000L, "ls1", 4000L), List.of("node3"), 1);
    SlotWants w = SlotWants.atReplica(cluster("node1", Optional.of(status)), "node2", Set.of(), Set.of("ls1"));
    assertThat(w.names()).containsExactly("node1", "node3");
    assertThat(w.advanceTo()).containsOnlyKeys("node1", "node3");
  }

  @Test
  void withoutStatusOnlyTheLeadersSlotUnmoved() {
    SlotWants w = SlotWants.atReplica(cluster("node1", Optional.empty()), "node2", Set.of());
    assertThat(w.names()).containsExactly("node1");
    assertThat(w.advanceTo()).isEmpty();
  }
}
