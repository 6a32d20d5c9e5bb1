package io.pgquorum.dcs.api;

import java.util.Optional;

/**
 * What a DCS member's Raft division reported at one moment, for metrics: published by the member (the Ratis
 * DcsServer) on its timer thread, so that a reader (the REST API's {@code /metrics}) never calls into Ratis or reads
 * the disk itself. A value with no Ratis type, so that code above the Dcs interface may read it.
 *
 * @param term the current Raft term (0 before the division exists)
 * @param leader whether this member leads the group now
 * @param leaderId the leader this member knows of, if any
 * @param commitIndex last index this member knows to be committed
 * @param appliedIndex last index applied to the state machine
 * @param logEntries entries in the log (from its start, after the last purge, to its end)
 * @param logBytes bytes of the log segment files on disk
 * @param snapshotIndex index of the latest snapshot (0 when none)
 * @param snapshotBytes bytes of the latest snapshot's files (0 when none)
 * @param elections leader elections this member ran as a candidate (won or not) since it started (Ratis' own count)
 * @param electionTimeouts elections this member started because it heard no leader in time (Ratis' own count)
 */
public record RaftStats(long term, boolean leader, Optional<String> leaderId, long commitIndex, long appliedIndex,
    long logEntries, long logBytes, long snapshotIndex, long snapshotBytes, long elections, long electionTimeouts) {

  /** Before the first sample (or a member that has no division yet): zeros, no leader. */
  public static final RaftStats NONE = new RaftStats(0, false, Optional.empty(), 0, 0, 0, 0, 0, 0, 0, 0);
}
