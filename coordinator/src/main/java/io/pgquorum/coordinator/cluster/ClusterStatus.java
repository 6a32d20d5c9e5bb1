package io.pgquorum.coordinator.cluster;

import java.util.Map;

/**
 * The {@code status} key: the leader's last published WAL position ({@code optime}) and slot positions; replicas
 * compare their own position with it to decide whether they are healthy enough to promote.
 */
public record ClusterStatus(long optime, Map<String, Long> slots, long modRevision) {
  public ClusterStatus {
    slots = Map.copyOf(slots);
  }
}
