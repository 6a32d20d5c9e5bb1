package io.pgquorum.coordinator.ha;

import java.util.Map;

/** Asks peers' REST APIs for their status during a leader race (bounded by a short timeout). */
@FunctionalInterface
public interface PeerFetcher {
  /** @param apiUrlsByName each peer's api_url; returns a view per peer (unreachable ones included). */
  Map<String, PeerView> fetch(Map<String, String> apiUrlsByName);
}
