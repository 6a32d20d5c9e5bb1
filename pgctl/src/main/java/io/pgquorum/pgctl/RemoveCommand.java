package io.pgquorum.pgctl;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.LeaderLock;
import io.pgquorum.coordinator.config.NodeConfig;
import java.io.PrintStream;
import java.util.Optional;

/**
 * {@code pgctl remove CLUSTER_NAME}: deletes every DCS key of the cluster (patronictl's remove), after showing the
 * members and asking, as patronictl does, for the cluster name, then {@code Yes I am aware}, then, while a leader
 * holds the lock, the leader's name. There is no {@code --force}: wiping a cluster's state is never done unattended,
 * so without a terminal the command refuses. Nothing but the keys is touched (no data directory, no process); the
 * running members write their keys again on their next cycle, exactly as with Patroni.
 */
final class RemoveCommand {
  static final String AWARE = "Yes I am aware";

  private RemoveCommand() {}

  static int run(ToolOptions t, NodeConfig config, ClusterSource clusters, ClusterWriter writer, Prompts prompts,
      PrintStream out) {
    prompts.requireTerminal("remove asks for confirmation", "run it from a terminal (it has no --force)");
    String name = t.clusterName().orElseThrow();
    ClusterSnapshot cluster = clusters.read(config);
    ClusterView view = ClusterView.of(config.scope(), cluster);
    out.print(MemberOutput.render(view, MemberTable.of(view, false, false), t.format()));
    if (!prompts.prompt("Please confirm the cluster name to remove").equals(name)) {
      throw CtlException.failure("Cluster names specified do not match");
    }
    if (!prompts.prompt("You are about to remove all information in DCS for " + name + ", please type: \"" + AWARE
        + "\"").equals(AWARE)) {
      throw CtlException.failure("You did not exactly type \"" + AWARE + "\"");
    }
    Optional<String> leader = cluster.leader().map(LeaderLock::name).filter(n -> !n.isEmpty());
    if (leader.isPresent()
        && !prompts.prompt("This cluster currently is healthy. Please specify the leader name to continue")
        .equals(leader.get())) {
      throw CtlException.failure("You did not specify the current leader of the cluster");
    }
    writer.removeCluster(config);
    out.flush();
    return 0;
  }
}
