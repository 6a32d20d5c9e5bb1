package io.pgquorum.coordinator.cluster;

import java.time.Duration;

/**
 * The {@code leader} key: a DCS lease.
 *
 * @param name the holder's member name (the key's value, as in Patroni)
 * @param modRevision revision of the last write (for compare-and-delete on release)
 * @param fencingToken the key's create revision: grows with every new acquisition cluster-wide, so a higher
 *     token always means a later primary
 * @param ttl the lease length the holder set
 */
public record LeaderLock(String name, long modRevision, long fencingToken, Duration ttl) {}
