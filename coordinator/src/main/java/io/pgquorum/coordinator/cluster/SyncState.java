package io.pgquorum.coordinator.cluster;

import java.util.List;
import java.util.Optional;

/** The {@code sync} key (synchronous replication state; pgquorum reads and shows it, see the README). */
public record SyncState(Optional<String> leader, List<String> syncStandbys, long modRevision) {
  public SyncState {
    syncStandbys = List.copyOf(syncStandbys);
  }
}
