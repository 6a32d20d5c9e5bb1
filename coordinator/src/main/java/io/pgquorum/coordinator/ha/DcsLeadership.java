package io.pgquorum.coordinator.ha;

import java.util.List;

/**
 * This node's DCS member's part in the Raft group's leadership, sampled when the cycle starts (local state of the
 * member, no RPC): whether it leads, and the other voters it heard from recently enough to take over at once.
 * Never a gate for PostgreSQL decisions (two members can both believe they lead for a moment); only
 * {@link DcsLeadershipRules} reads it, to move Raft leadership off the primary's node.
 *
 * @param localLeader this node's member leads the group
 * @param handOffTargets member ids that could lead instead, in a stable order; empty when this member does not lead
 */
public record DcsLeadership(boolean localLeader, List<String> handOffTargets) {
  /** Not known (no local member, as in the simulator, or a member that does not lead). */
  public static final DcsLeadership UNKNOWN = new DcsLeadership(false, List.of());

  public DcsLeadership {
    handOffTargets = List.copyOf(handOffTargets);
  }
}
