package io.pgquorum.pgctl;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.config.NodeConfig;

/** Where pgctl gets the cluster's state from: the DCS in production ({@link DcsClusterSource}). */
@FunctionalInterface
interface ClusterSource {
  /** One consistent snapshot of the cluster the configuration describes; failures are {@link CtlException}s. */
  ClusterSnapshot read(NodeConfig config);
}
