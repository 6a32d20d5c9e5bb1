package io.pgquorum.jepsen.dcs;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Spreads client threads over keys so that the linearizability search stays cheap: threads are grouped
 * {@code clientsPerKey} at a time, each group works on its own key, and a group moves on to a fresh key after
 * {@code opsPerKey} operations. Checking cost explodes with the number of operations concurrent on one key (an
 * operation with an unknown outcome stays concurrent with everything after it), so both bounds matter: 5-10
 * clients per key, and a few hundred operations per key.
 */
final class KeyRotation {
  private final String prefix;
  private final int clientsPerKey;
  private final int opsPerKey;
  private final ConcurrentMap<Integer, AtomicLong> opsByGroup = new ConcurrentHashMap<>();

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
    long n = opsByGroup.computeIfAbsent(group, g -> new AtomicLong()).getAndIncrement();
    return prefix + "/g" + group + "/k" + (n / opsPerKey);
  }
}
