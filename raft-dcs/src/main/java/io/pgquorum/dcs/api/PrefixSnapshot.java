package io.pgquorum.dcs.api;

import java.util.List;
import java.util.Optional;

/**
 * All keys under a prefix at one point of the Raft log.
 *
 * @param prefix the prefix read
 * @param revision the last applied Raft index when the read was answered; pass it to
 *     {@link Dcs#watch(String, long, java.time.Duration)} to wait for the next change
 * @param entries the keys in key order
 */
public record PrefixSnapshot(String prefix, long revision, List<KeyValue> entries) {

  public PrefixSnapshot {
    entries = List.copyOf(entries);
  }

  public Optional<KeyValue> get(String key) {
    return entries.stream().filter(e -> e.key().equals(key)).findFirst();
  }
}
