package io.pgquorum.jepsen.fault;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The nemesis's bookkeeping for one resource ({@link FaultKind#resource}: the network, one node's process, one
 * node's clock ...), read and changed only under the lock of this object. Overlapping steps compose through it:
 * a kill is undone by the last of its overlapping kills, a clock goes back to the rate of the step still active.
 */
public final class FaultLedger {
  /** The steps applied on the resource and not yet healed, in the order they were applied. */
  public final List<AppliedFault> active = new ArrayList<>();
  /** Reference counts (e.g. per directed link). */
  public final Map<Object, Integer> counts = new HashMap<>();
  /** What the resource was before the first active step changed it, when the heal has to restore it. */
  public Object saved;

  /** Counts one more hold on each of {@code keys}; returns those held now for the first time, in order. */
  public <K> Set<K> hold(Collection<K> keys) {
    Set<K> fresh = new LinkedHashSet<>();
    for (K k : keys) {
      if (counts.merge(k, 1, Integer::sum) == 1) {
        fresh.add(k);
      }
    }
    return fresh;
  }

  /** Counts one hold less on each of {@code keys}; returns those no longer held by anyone, in order. */
  public <K> Set<K> release(Collection<K> keys) {
    Set<K> freed = new LinkedHashSet<>();
    for (K k : keys) {
      if (counts.computeIfPresent(k, (key, n) -> n == 1 ? null : n - 1) == null) {
        freed.add(k);
      }
    }
    return freed;
  }
}
