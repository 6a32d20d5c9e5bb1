package io.pgquorum.coordinator.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The cluster-wide dynamic configuration: seeded from {@code bootstrap.dcs}, stored as JSON in the DCS
 * {@code config} key, identical on every node. Key names and JSON layout are Patroni's.
 *
 * <p>Defaults and why (see {@link TimingDefaults} for the timing invariants checked at load time):
 *
 * @param ttl leader lease length, seconds. Ours defaults to 8 (Patroni: 30): the embedded DCS commits in a few
 *     milliseconds and expires a lease within ttl*(1+rho)/(1-rho) of the last refresh, so a short lease is safe
 *     and is what makes failover fast. The DCS expires the leader key with the ttl stored on it; the holder
 *     re-arms the key when this value changes and never counts on more than min(stored, this) - retry_timeout
 *     (see {@code ha.LeaseTerms})
 * @param loopWait seconds between HA cycles (default 1; Patroni 10). Each cycle costs one DCS read and one write
 * @param retryTimeout seconds a DCS or PostgreSQL operation may take before it counts as failed (default 2)
 * @param maximumLagOnFailover bytes a replica may lag the last known primary position and still promote (1 MiB)
 * @param primaryStartTimeout seconds a crashed primary gets to restart (crash recovery, lock kept) before failing
 *     over to a replica that can take over (default 300; 0 = fail over at once); see {@link TimingDefaults}
 * @param usePgRewind rewind a diverged former primary instead of re-cloning it
 * @param useSlots the primary keeps a physical replication slot per member
 * @param parameters PostgreSQL parameters for every node (those that must match cluster-wide come only from here)
 * @param pgHba pg_hba lines for every node, when the local section does not set its own
 * @param raw the whole JSON object as stored, including keys pgquorum does not interpret, so that a round trip
 *     through the DCS never loses a user's setting
 */
public record DynamicConfig(
    int ttl,
    int loopWait,
    int retryTimeout,
    long maximumLagOnFailover,
    int primaryStartTimeout,
    boolean usePgRewind,
    boolean useSlots,
    Map<String, String> parameters,
    List<String> pgHba,
    Map<String, Object> raw) {
  public DynamicConfig {
    parameters = Map.copyOf(parameters);
    pgHba = List.copyOf(pgHba);
    raw = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(raw));
  }

  public Duration ttlDuration() {
    return Duration.ofSeconds(ttl);
  }

  public Duration loopWaitDuration() {
    return Duration.ofSeconds(loopWait);
  }

  public Duration retryTimeoutDuration() {
    return Duration.ofSeconds(retryTimeout);
  }
}
