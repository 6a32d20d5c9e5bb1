package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.cluster.ClusterStatus;
import io.pgquorum.coordinator.config.PermanentSlots;
import io.pgquorum.coordinator.postgres.PgState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Patroni's permanent logical slots ({@code slots: {name: {type: logical, database, plugin}}}): which ones a node
 * keeps, which it moves forward, and which a replica copies from the primary. Pure: the executors only apply it.
 *
 * <p>On the primary every configured logical slot is kept (made when missing) and its confirmed_flush position is
 * published in {@code status.slots} like a physical one's ({@link Decider}'s publication).
 *
 * <p>PostgreSQL 15 cannot make a logical slot on a standby ("logical decoding cannot be used while in recovery"),
 * but it loads one found in {@code pg_replslot} at its start and then moves it with pg_replication_slot_advance
 * (measured on 15: the copy's confirmed_flush, restart_lsn and catalog_xmin all move, and after a promotion
 * pg_logical_slot_get_changes there returns the changes after the advanced point). So a replica copies the
 * primary's slot state file and restarts to load it (Patroni's way), then advances the copy to the position the
 * primary publishes, capped by the executor at what the replica has replayed.
 *
 * <p>Which replicas copy: those that may be promoted (not nofailover: the copy is for the next primary, and a
 * restart of a replica that can never use it would be for nothing); only slots the primary already publishes
 * (it has made them); and only once the replica has replayed the published position, so that the copied state never
 * points past what it holds. A replica that already holds the slot (a copy, or an old primary's own) only advances
 * it: never copied again, never moved back. One ahead of the published position is kept too: right after a copy the
 * state file read from the primary may be newer than the primary's last publication, and dropping it to copy again
 * would restart the replica over and over while a consumer is active (the README says what that costs).
 *
 * @param keep the configured logical slots this node keeps; the ones pgquorum made or copied and no longer
 *     configured are dropped (never an operator's slot)
 * @param advanceTo a replica's copies and the positions to move them to
 * @param copy a replica: the slots to copy from the primary, which needs a restart (none on a primary)
 */
public record LogicalSlotWants(Map<String, PermanentSlots.Slot> keep, Map<String, Long> advanceTo,
    List<PermanentSlots.Slot> copy) {
  public LogicalSlotWants {
    keep = java.util.Collections.unmodifiableMap(new TreeMap<>(keep));
    advanceTo = java.util.Collections.unmodifiableMap(new TreeMap<>(advanceTo));
    copy = List.copyOf(copy);
  }

  /** The configured logical slots, by name. */
  static Map<String, PermanentSlots.Slot> configured(HaPolicy policy) {
    Map<String, PermanentSlots.Slot> out = new TreeMap<>();
    PermanentSlots.from(policy.dynamic().raw()).forEach((name, slot) -> {
      if (slot.logical()) {
        out.put(name, slot);
      }
    });
    return out;
  }

  /** The primary's: keep (make) every configured logical slot. */
  static LogicalSlotWants atPrimary(HaPolicy policy) {
    return new LogicalSlotWants(configured(policy), Map.of(), List.of());
  }

  /** A running replica's, from the primary's published {@code status} (none: nothing to copy or move yet). */
  static LogicalSlotWants atReplica(java.util.Optional<ClusterStatus> status, PgState pg, HaPolicy policy) {
    Map<String, PermanentSlots.Slot> keep = configured(policy);
    Map<String, Long> advance = new TreeMap<>();
    List<PermanentSlots.Slot> copy = new ArrayList<>();
    Map<String, Long> published = status.map(ClusterStatus::slots).orElse(Map.of());
    long replayed = pg.replayedLsn().orElse(0);
    keep.forEach((name, slot) -> {
      Long at = published.get(name);
      if (at == null) {
        return; // the primary has not made it (or not published it) yet
      }
      if (pg.slots().containsKey(name)) {
        advance.put(name, at);
      } else if (policy.tags().canFailover() && replayed >= at) {
        copy.add(slot);
      }
    });
    return new LogicalSlotWants(keep, advance, copy);
  }

  /**
   * Whether a sync step is worth planning: some logical slot is configured, or this node holds a slot that no
   * physical rule accounts for ({@code physical}), which may be a logical one pgquorum made and must now drop.
   * Why not always: the step would show in every plan of every cluster without logical slots.
   */
  boolean worthSyncing(PgState pg, Set<String> physical) {
    return !keep.isEmpty() || pg.slots().keySet().stream().anyMatch(s -> !physical.contains(s));
  }
}
