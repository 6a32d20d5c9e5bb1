package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.ClusterStatus;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which physical slots a running replica keeps, and where it moves them (Patroni 4's: every node keeps a slot for
 * every other member, so the slots exist on whichever node is promoted next). Pure: the executor only applies it.
 *
 * <p>A replica keeps: the slots of the members that cascade from it (they stream through them, so they are not
 * moved here); a copy of every member slot the leader publishes in {@code status} ({@code slots} and
 * {@code retain_slots}), moved to the leader's position for it; and the leader's own slot, moved to the leader's
 * published WAL position ({@code status.optime}), so that the old primary finds its slot on the new one after a
 * failover. Its own slot is never kept (nothing would consume it). Following the leader's {@code status} rather
 * than the member keys means a replica keeps exactly what the leader keeps: a member that cascades from another
 * (whose slot the leader does not keep) gets none here either, and a slot the leader retains for a vanished member
 * stays here as long as there.
 *
 * @param names the slot names to keep (created when missing; the ones pgquorum owns and no longer wanted dropped)
 * @param advanceTo for some of them, the position to move them forward to (never back, never past this replica's
 *     replay position: the executor caps it)
 */
public record SlotWants(Set<String> names, Map<String, Long> advanceTo) {
  public SlotWants {
    names = java.util.Collections.unmodifiableSet(new TreeSet<>(names));
    advanceTo = java.util.Collections.unmodifiableMap(new TreeMap<>(advanceTo));
  }

  /** Keep exactly these slots, moving none (a primary's member slots advance as the members stream). */
  public static SlotWants only(Set<String> names) {
    return new SlotWants(names, Map.of());
  }

  /**
   * A replica's wants: {@code cascading} (the slots of members that stream from {@code me}) plus the copies of the
   * leader's slots described above.
   */
  public static SlotWants atReplica(ClusterSnapshot c, String me, Set<String> cascading) {
    return atReplica(c, me, cascading, Set.of());
  }

  /**
   * As {@link #atReplica(ClusterSnapshot, String, Set)}, leaving out the configured logical slots ({@code logical}):
   * the leader publishes their positions in the same {@code status.slots}, but they are copied and moved by
   * {@link LogicalSlotWants}, and a physical slot of the same name would only clash with the copy.
   */
  public static SlotWants atReplica(ClusterSnapshot c, String me, Set<String> cascading, Set<String> logical) {
    String mine = Decider.slotName(me);
    TreeSet<String> names = new TreeSet<>(cascading);
    TreeMap<String, Long> advance = new TreeMap<>();
    ClusterStatus status = c.status().orElse(null);
    if (status != null) {
      for (String slot : status.retainSlots()) {
        if (!slot.equals(mine) && !logical.contains(slot)) {
          names.add(slot);
        }
      }
      status.slots().forEach((slot, at) -> {
        if (!slot.equals(mine) && !logical.contains(slot)) {
          names.add(slot);
          if (!cascading.contains(slot)) {
            advance.put(slot, at);
          }
        }
      });
    }
    c.leader().ifPresent(l -> {
      String leaderSlot = Decider.slotName(l.name());
      if (!leaderSlot.equals(mine)) {
        names.add(leaderSlot);
        if (status != null && status.optime() > 0 && !cascading.contains(leaderSlot)) {
          advance.put(leaderSlot, status.optime());
        }
      }
    });
    return new SlotWants(names, advance);
  }
}
