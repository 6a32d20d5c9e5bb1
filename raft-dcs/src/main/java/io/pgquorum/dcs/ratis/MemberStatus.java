package io.pgquorum.dcs.ratis;

import java.util.OptionalLong;

/**
 * One DCS member as the group and the member itself describe it ({@link RatisDcsClient#memberStatus()}).
 *
 * @param id the member id
 * @param address host:port its partners dial
 * @param voter a voter (true) or a listener (false) of the current configuration
 * @param role what the member says it is: leader, follower, candidate or listener; "starting" when its server
 *     runs without a division of the group yet (a member waiting to found, join or be added); "unreachable"
 *     when it did not answer
 * @param registered the group records that this member has (had) a Raft log (see {@link Registrations})
 * @param lastIndex index of the member's last log entry (or snapshot), when it answered and has one
 * @param appliedIndex last index applied to its state machine, when it answered and has one
 */
public record MemberStatus(String id, String address, boolean voter, String role, boolean registered,
    OptionalLong lastIndex, OptionalLong appliedIndex) {}
