package io.pgquorum.jepsen.dcs;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Spreads client threads over keys so that the linearizability search stays cheap: threads are grouped
 * {@code clientsPerKey} at a time, each group works on its own key, and a group moves on to a fresh key after
 * {@code opsPerKey} operations, or as soon as {@link #MAX_UNKNOWN_PER_KEY} of its writes on the current key ended
 * with an unknown outcome. Checking cost explodes with the number of operations concurrent on one key, and an
 * operation with an unknown outcome stays concurrent with everything after it: a partition's timeouts piled 21 of
 * them on one key (long campaign, seed 20261216) and the search gave up. So all three bounds matter.
 */
final class KeyRotation {
  /** Unknown-outcome writes on one key before its group moves on (the search stays in seconds well past this). */
  static final int MAX_UNKNOWN_PER_KEY = 8;

  private final String prefix;
  private final int clientsPerKey;
  private final int opsPerKey;
  private final ConcurrentMap<Integer, Group> groups = new ConcurrentHashMap<>();

  /** One group's current key: its index, the operations sent to it and its unknown-outcome writes. */
  private static final class Group {
    long index;
    long ops;
    int unknown;
  }

  KeyRotation(String prefix, int clientsPerKey, int opsPerKey) {
    if (clientsPerKey < 1) {
      throw new IllegalArgumentException("clientsPerKey must be >= 1, got " + clientsPerKey);
    }
    if (opsPerKey < 1) {
      throw new IllegalArgumentException("opsPerKey must be >= 1, got " + opsPerKey);
    }
    if (prefix == null || prefix.isBlank()) {
      throw new IllegalArgumentException("key prefix must not be blank");
    }
    this.prefix = prefix;
    this.clientsPerKey = clientsPerKey;
    this.opsPerKey = opsPerKey;
  }

  /** The key worker's next operation goes to (counts the operation). */
  String nextKey(int worker) {
    int group = worker / clientsPerKey;
    Group g = groups.computeIfAbsent(group, x -> new Group());
    synchronized (g) {
      if (g.ops >= opsPerKey || g.unknown >= MAX_UNKNOWN_PER_KEY) {
        g.index++;
        g.ops = 0;
        g.unknown = 0;
      }
      g.ops++;
      return key(group, g.index);
    }
  }

  /**
   * A write by {@code worker} on {@code key} ended with an unknown outcome (INFO). Counts against the key only
   * while its group is still on it.
   */
  void unknownOutcome(int worker, String key) {
    int group = worker / clientsPerKey;
    Group g = groups.computeIfAbsent(group, x -> new Group());
    synchronized (g) {
      if (key(group, g.index).equals(key)) {
        g.unknown++;
      }
    }
  }

  private String key(int group, long index) {
    return prefix + "/g" + group + "/k" + index;
  }
}
