package io.pgquorum.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.dcs.api.Precondition;
import io.pgquorum.dcs.memory.InMemoryDcs;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The restore's reset ({@link ClusterStore#resetForRestore}) takes nothing from a member that won the lock or the
 * bootstrap race after the resetter's snapshot: a lock taken since stays (its holder's PostgreSQL may be writable
 * under it), and a stale second reset does not delete the new race's {@code initialize}.
 */
class RestoreResetTest {
  private static final DcsKeys KEYS = new DcsKeys("/service/demo/");
  private final InMemoryDcs dcs = new InMemoryDcs();
  private final ClusterStore node1 = new ClusterStore(dcs.client("node1"), KEYS, "node1");
  private final ClusterStore node2 = new ClusterStore(dcs.client("node2"), KEYS, "node2");
  private final ClusterStore node3 = new ClusterStore(dcs.client("node3"), KEYS, "node3");

  @AfterEach
  void close() {
    dcs.close();
  }

  private ClusterSnapshot stoppingWithOldInitialize() {
    dcs.client("node1").put(KEYS.initialize(), "7000000000000000001", Precondition.none(), null);
    assertThat(node1.writeRestore(RestoreRecord.request("20261204T112000", "lsn", Optional.of("0/3000060"), false,
        Optional.empty(), "2026-12-04T11:20:00Z"))).isTrue();
    return node1.load();
  }

  @Test
  void aLockTakenAfterTheSnapshotIsNotDeleted() {
    ClusterSnapshot seen = stoppingWithOldInitialize();
    assertThat(seen.leader()).isEmpty();
    RestoreRecord next = seen.restore().orElseThrow().inPhase(RestoreRecord.BOOTSTRAPPING, Optional.empty(), 0);
    assertThat(node2.acquireLeader(Duration.ofSeconds(30))).isPresent(); // after the resetter's snapshot

    node1.resetForRestore(next, seen.initialize());

    assertThat(node1.load().leader()).as("the holder's lock stays").isPresent()
        .hasValueSatisfying(l -> assertThat(l.name()).isEqualTo("node2"));
  }

  @Test
  void aStaleSecondResetDoesNotDeleteTheNewRacesInitialize() {
    ClusterSnapshot seen = stoppingWithOldInitialize();
    RestoreRecord next = seen.restore().orElseThrow().inPhase(RestoreRecord.BOOTSTRAPPING, Optional.empty(), 0);
    assertThat(node1.resetForRestore(next, seen.initialize())).isTrue();
    assertThat(node1.load().initialize()).isEmpty();
    assertThat(node3.raceInitialize()).as("the bootstrap race of the restore").isTrue();

    // node2 decided to reset from the same snapshot (node1's member key had expired then): its reset comes late.
    assertThat(node2.resetForRestore(next, seen.initialize())).isFalse();

    assertThat(node1.load().initialize()).as("the new race's initialize stays").isPresent()
        .hasValueSatisfying(i -> assertThat(i.bootstrapInProgress()).isTrue());
    assertThat(node1.load().restore().orElseThrow().phase()).isEqualTo(RestoreRecord.BOOTSTRAPPING);
  }

  @Test
  void anInitializeChangedSinceTheSnapshotStopsTheReset() {
    ClusterSnapshot seen = stoppingWithOldInitialize();
    RestoreRecord next = seen.restore().orElseThrow().inPhase(RestoreRecord.BOOTSTRAPPING, Optional.empty(), 0);
    dcs.client("node1").put(KEYS.initialize(), "7000000000000000002", Precondition.none(), null);

    assertThat(node1.resetForRestore(next, seen.initialize())).isFalse();

    assertThat(node1.load().restore().orElseThrow().phase()).as("never bootstrapping beside an initialize")
        .isEqualTo(RestoreRecord.STOPPING);
  }
}
