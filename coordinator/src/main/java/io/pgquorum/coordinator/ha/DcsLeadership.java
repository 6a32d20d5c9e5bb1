package io.pgquorum.coordinator.ha;

import java.util.List;
import java.util.OptionalLong;

/**
 * This node's DCS member's part in the Raft group's leadership, sampled when the cycle starts (local state of the
 * member, no RPC): whether it leads, and the other voters it heard from recently enough to take over at once.
 * Never a gate for PostgreSQL decisions (two members can both believe they lead for a moment); only
 * {@link DcsLeadershipRules} reads it, to move Raft leadership off the primary's node.
 *
 * @param localLeader this node's member leads the group
 * @param handOffTargets member ids that could lead instead, in a stable order; empty when this member does not lead
 * @param handOffFailedAtNanos when this node's last hand-off failed ({@link System#nanoTime()}), if the last one
 *     it finished failed
 */
public record DcsLeadership(boolean localLeader, List<String> handOffTargets, OptionalLong handOffFailedAtNanos) {
  /** Not known (no local member, as in the simulator, or a member that does not lead). */
  public static final DcsLeadership UNKNOWN = new DcsLeadership(false, List.of(), OptionalLong.empty());

  public DcsLeadership {
    handOffTargets = List.copyOf(handOffTargets);
  }
}
