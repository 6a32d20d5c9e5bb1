package io.pgquorum.dcs.api;

import java.time.Duration;
import java.util.Optional;

/**
 * A possibly stale read answered from one member's own state.
 *
 * @param snapshot what the member has applied
 * @param memberId the member that answered
 * @param viewAge how long ago that member last had confirmed contact with a Raft majority (as a follower:
 *     its last message from a leader; as leader: the acknowledgement that gave it a majority); empty when
 *     it has never had such contact since it started. Data younger than this bound may be missing.
 */
public record LocalView(PrefixSnapshot snapshot, String memberId, Optional<Duration> viewAge) {}
