package io.pgquorum.coordinator.cluster;

import java.time.Duration;

/**
 * What the DCS confirmed in its reply to a successful acquire, refresh or re-arm of the leader key: the key as it
 * is stored now. The holder's local deadline is derived from {@link #ttl()} (the ttl the DCS will expire the
 * lease with), never from the ttl it asked for or the one in the current configuration alone.
 *
 * @param fencingToken the key's create revision (unchanged by refreshes and re-arms)
 * @param modRevision the key's mod revision, for a compare-and-set on this exact incarnation and value
 * @param value the key's value (the holder's name, as in Patroni)
 * @param ttl the lease length the DCS stored with the key
 */
public record LeaseGrant(long fencingToken, long modRevision, String value, Duration ttl) {}
