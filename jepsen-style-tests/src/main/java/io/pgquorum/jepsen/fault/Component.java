package io.pgquorum.jepsen.fault;

/** What a process-level fault hits on a node. */
public enum Component {
  /** The pgquorum daemon JVM (PostgreSQL, running detached, is not affected). */
  DAEMON,
  /** The node's PostgreSQL (postmaster; for pause, the whole process tree through the cgroup freezer). */
  POSTGRES,
  /** An in-JVM DCS member (DCS-level runs). */
  DCS_MEMBER,
  /**
   * The WAL sender streaming to the target replica, on its upstream (pause only, full-stack runs): the replica
   * stops receiving WAL while its server and daemon keep answering and the upstream still lists it as streaming.
   * Never drawn by the generator (its components are DAEMON and POSTGRES).
   */
  WAL_SENDER
}
