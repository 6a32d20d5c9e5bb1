package io.pgquorum.coordinator.cluster;

import java.util.List;
import java.util.Map;

/**
 * The {@code status} key, as Patroni 4 writes it: the leader's last published WAL position ({@code optime}), the
 * positions of the replication slots it keeps ({@code slots}: name to restart_lsn, or confirmed_flush_lsn for a
 * logical slot), and the member slots it keeps ({@code retain_slots}). Replicas compare their own position with
 * {@code optime} to decide whether they are healthy enough to promote; the slot positions let them advance their
 * own copies of the slots.
 */
public record ClusterStatus(long optime, Map<String, Long> slots, List<String> retainSlots, long modRevision) {
  public ClusterStatus {
    slots = Map.copyOf(slots);
    retainSlots = List.copyOf(retainSlots);
  }

  /** A status without retained member slots. */
  public ClusterStatus(long optime, Map<String, Long> slots, long modRevision) {
    this(optime, slots, List.of(), modRevision);
  }
}
