package io.pgquorum.pgctl;

import io.pgquorum.coordinator.config.NodeConfig;

/** The two cluster-key writes of the read commands: {@code remove} and the {@code flush switchover} fallback. */
interface ClusterWriter {
  /** Deletes every key of the cluster (its prefix in the DCS); returns how many there were. */
  long removeCluster(NodeConfig config);

  /**
   * Clears the {@code failover} key (writes {@code {}}, as Patroni does) if it is still at {@code revision}.
   *
   * @return false when it changed in the meantime
   */
  boolean clearFailover(NodeConfig config, long revision);
}
