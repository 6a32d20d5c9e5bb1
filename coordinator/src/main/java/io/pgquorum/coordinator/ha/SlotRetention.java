package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.ClusterStatus;
import io.pgquorum.coordinator.cluster.Member;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Patroni 4's {@code member_slots_ttl}: the leader keeps the slot of a member that is gone (its member key expired:
 * stopped, crashed, cut off) for that long after it saw it gone, so that the member can come back and stream from
 * where it stopped instead of being re-cloned; the slot is published in {@code status.retain_slots} meanwhile, so
 * every replica keeps its copy ({@link SlotWants}) and a new leader after a failover keeps it too. Pure: time is
 * the loop's nano clock, and what was seen gone when is in {@link HaMemory#goneSlots()}.
 *
 * <p>Which slots count: those this leader kept for a gone member on its previous cycle (memory), and those the
 * published status retains (this leader's own last publication, or a previous leader's) whose member has no key
 * now. A member whose key is there is not gone, whatever its slot: if it cascades from another member or is tagged
 * nostream its slot is dropped at once, as before (nothing consumes it). A slot first seen gone by this leader
 * counts from then: after a failover or a restart of pgquorum the new leader cannot know since when, so it gives
 * the member a whole ttl again (Patroni does the same), erring on the side of keeping WAL rather than forcing a
 * re-clone.
 */
final class SlotRetention {
  private SlotRetention() {}

  /**
   * What the leader remembers this cycle: each gone member's slot with when it was first seen gone. An expired one
   * stays remembered while the status still lists it, so that it is not taken up again from there as newly gone
   * (the status drops it with this cycle's publication); with a ttl of 0 nothing is kept.
   */
  static Map<String, Long> remember(ClusterSnapshot c, String me, Map<String, Long> before, Duration ttl,
      long nowNanos) {
    if (ttl.isZero() || ttl.isNegative()) {
      return Map.of();
    }
    Set<String> present = new TreeSet<>();
    for (Member m : c.members().values()) {
      present.add(Decider.slotName(m.name()));
    }
    present.add(Decider.slotName(me));
    List<String> published = c.status().map(ClusterStatus::retainSlots).orElse(List.of());
    Set<String> candidates = new TreeSet<>(before.keySet());
    candidates.addAll(published);
    Map<String, Long> gone = new TreeMap<>();
    for (String slot : candidates) {
      if (present.contains(slot)) {
        continue; // back (or never gone): the member slot rules decide
      }
      long since = before.getOrDefault(slot, nowNanos);
      if (!expired(since, ttl, nowNanos) || published.contains(slot)) {
        gone.put(slot, since);
      }
    }
    return gone;
  }

  /** The gone members' slots still kept: those remembered less than {@code ttl} ago. */
  static Set<String> kept(Map<String, Long> gone, Duration ttl, long nowNanos) {
    Set<String> kept = new TreeSet<>();
    gone.forEach((slot, since) -> {
      if (!expired(since, ttl, nowNanos)) {
        kept.add(slot);
      }
    });
    return kept;
  }

  /** The slots kept for gone members on this cycle, for this node as the leader of {@code c}. */
  static Set<String> keptNow(ClusterSnapshot c, LocalState local, HaPolicy policy, long nowNanos) {
    Duration ttl = policy.dynamic().memberSlotsTtl();
    return kept(remember(c, policy.name(), local.memory().goneSlots(), ttl, nowNanos), ttl, nowNanos);
  }

  /**
   * {@code d} remembering the gone members' slots for the next cycle: only the lock holder with slots in use
   * remembers any; an unreadable DCS changes nothing (the next readable cycle goes on from there).
   */
  static Decision remembered(Decision d, Optional<ClusterSnapshot> cluster, LocalState local, HaPolicy policy,
      long nowNanos) {
    if (cluster.isEmpty()) {
      return d.withMemory(d.memory().withGoneSlots(local.memory().goneSlots()));
    }
    ClusterSnapshot c = cluster.get();
    if (!c.isLeader(policy.name()) || !policy.dynamic().useSlots()) {
      return d.withMemory(d.memory().withGoneSlots(Map.of()));
    }
    return d.withMemory(d.memory().withGoneSlots(remember(c, policy.name(), local.memory().goneSlots(),
        policy.dynamic().memberSlotsTtl(), nowNanos)));
  }

  private static boolean expired(long sinceNanos, Duration ttl, long nowNanos) {
    return nowNanos - sinceNanos >= ttl.toNanos();
  }
}
