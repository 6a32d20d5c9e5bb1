package io.pgquorum.coordinator.api;

/** A node's part in the cluster, as its REST API and {@code pgctl list} show it. */
public enum Role {
  /** PostgreSQL runs writable and this node holds the leader lock. */
  PRIMARY,
  /** PostgreSQL runs as a standby of the cluster's primary (or of another replica, cascading). */
  REPLICA,
  /** The lock holder of a standby cluster: a standby of the remote primary that the other members follow. */
  STANDBY_LEADER,
  /** PostgreSQL does not run (stopped, starting, being cloned or rewound). */
  STOPPED,
  /** Not known yet (before the first HA cycle) or not one of the above. */
  UNKNOWN
}
