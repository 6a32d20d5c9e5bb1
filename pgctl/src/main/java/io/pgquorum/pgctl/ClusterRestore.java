package io.pgquorum.pgctl;

import io.pgquorum.coordinator.config.NodeConfig;
import java.io.PrintStream;

/**
 * {@code pgctl restore} without {@code --to}: the whole cluster restored in place to the plan's target (issue 13's
 * "point-in-time recovery as one command"). Called after the plan was shown and confirmed (or {@code --force}).
 * One implementation is wired in {@link PgCtl#CLUSTER_RESTORE}.
 */
@FunctionalInterface
interface ClusterRestore {
  /**
   * Carries out {@code plan} on the cluster of {@code config}.
   *
   * @return pgctl's exit status (0 done, 1 failed); a failure may also be thrown as a {@link CtlException}
   */
  int restore(RestorePlan plan, NodeConfig config, PrintStream out);

  /** Until the cluster-wide restore exists: says so, exit 1. */
  ClusterRestore NOT_AVAILABLE = (plan, config, out) -> {
    throw CtlException.failure("restoring the cluster in place is not available yet");
  };
}
