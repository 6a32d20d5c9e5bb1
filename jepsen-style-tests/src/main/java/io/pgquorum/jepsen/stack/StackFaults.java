package io.pgquorum.jepsen.stack;

import io.pgquorum.jepsen.fault.Component;
import io.pgquorum.jepsen.fault.Link;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The fault actions of a {@link PgCluster} (its {@link io.pgquorum.jepsen.fault.FaultTarget} side); PgCluster's
 * class comment says how each fault is realised. Every action that may change who is primary marks the cached
 * primary stale. Not thread-safe by itself: PgCluster serialises the process actions and close, so that no
 * daemon is launched while the cluster is being torn down.
 */
final class StackFaults implements AutoCloseable {
  private final List<StackNode> nodes;
  private final Network network;
  private final StackProcesses processes;
  private final ClusterQueries queries;
  private DynamicConfigEditor configEditor;

  StackFaults(List<StackNode> nodes, Network network, StackProcesses processes, ClusterQueries queries) {
    this.nodes = nodes;
    this.network = network;
    this.processes = processes;
    this.queries = queries;
  }

  boolean canKill(Component component) {
    return component == Component.DAEMON || component == Component.POSTGRES;
  }

  boolean canPause(Component component) {
    return canKill(component) || component == Component.WAL_SENDER;
  }

  boolean canSkewClocks() {
    return Files.exists(StackProcesses.LIBFAKETIME);
  }

  boolean canDropPackets() {
    return network.supportsLoss();
  }

  boolean canDelay() {
    return network.supportsDelay();
  }

  /**
   * Edits the DCS {@code config} key through the harness's own DCS client, which reaches every member directly
   * (see {@link DynamicConfigEditor}); the daemons see the new value at their next cycle's snapshot.
   */
  OptionalLong setDynamicConfig(String key, OptionalLong value) {
    if (configEditor == null) {
      List<String> self = new ArrayList<>();
      List<String> hosts = new ArrayList<>();
      List<Integer> ports = new ArrayList<>();
      for (StackNode n : nodes) {
        self.add(n.addr.raftSelf());
        hosts.add(n.addr.harnessHost());
        ports.add(n.ports.raftPort());
      }
      configEditor = new DynamicConfigEditor(NodeConfigYaml.SCOPE, DynamicConfigEditor.members(self, hosts, ports),
          NodeConfigYaml.NAMESPACE + NodeConfigYaml.SCOPE + "/config");
    }
    return configEditor.set(key, value);
  }

  void cut(Set<Link> links) {
    network.cut(links);
    queries.markStale();
  }

  void restore(Set<Link> links) {
    network.restore(links);
    queries.markStale();
  }

  /** Every directed link to or from {@code node}. */
  Set<Link> linksOf(int node) {
    Set<Link> s = new HashSet<>();
    for (int j = 0; j < nodes.size(); j++) {
      if (j != node) {
        s.add(new Link(node, j));
        s.add(new Link(j, node));
      }
    }
    return s;
  }

  boolean canCutDcsOnly() {
    return network.supportsDcsOnlyCuts();
  }

  void cutDcs(Set<Link> links) {
    network.cutDcs(links);
    queries.markStale();
  }

  void restoreDcs(Set<Link> links) {
    network.restoreDcs(links);
    queries.markStale();
  }

  void kill(int node, Component component) {
    StackNode n = node(node, component);
    if (component == Component.DAEMON) {
      processes.killDaemon(n);
    } else {
      n.postmasterPid().ifPresent(pm -> nodes.forEach(o -> o.walSenderPause.resumeIfChildOf(pm)));
      processes.killPostgres(n);
    }
    queries.markStale();
  }

  void restart(int node, Component component) {
    StackNode n = node(node, component);
    if (component == Component.DAEMON) {
      processes.killDaemon(n); // a no-op unless it still runs
      processes.launch(n);
    }
    // POSTGRES: the daemon restarts it (see PgCluster's class comment); nothing to do here.
    queries.markStale();
  }

  void pause(int node, Component component) {
    StackNode n = node(node, component);
    if (component == Component.DAEMON) {
      if (!n.daemon.paused() && n.daemon.alive()) {
        n.daemon.pause();
      }
    } else if (component == Component.WAL_SENDER) {
      n.walSenderPause.pause(nodes, queries, node);
    } else {
      n.postmasterPid().ifPresent(n.pgPause::pause);
    }
  }

  void resume(int node, Component component) {
    StackNode n = node(node, component);
    if (component == Component.DAEMON) {
      if (n.daemon.paused()) {
        n.daemon.resume();
      }
    } else if (component == Component.WAL_SENDER) {
      n.walSenderPause.resume();
    } else {
      n.pgPause.resume();
    }
  }

  void clockRate(int node, double rate) {
    if (!(rate > 0) || rate > 100) {
      throw new IllegalArgumentException("clock rate must be within (0, 100], got " + rate);
    }
    if (rate != 1.0 && !Files.exists(StackProcesses.LIBFAKETIME)) {
      throw new IllegalStateException("libfaketime is not installed at " + StackProcesses.LIBFAKETIME);
    }
    StackNode n = nodes.get(node);
    n.clockRate = rate;
    processes.killDaemon(n);
    processes.launch(n);
  }

  void packetLoss(double probability) {
    if (!network.supportsLoss()) {
      throw new UnsupportedOperationException("this network cannot drop packets");
    }
    network.loss(probability);
  }

  void delay(int millis) {
    if (!network.supportsDelay()) {
      throw new UnsupportedOperationException("this network cannot delay packets (no netem on this machine)");
    }
    network.delay(millis);
  }

  private StackNode node(int node, Component c) {
    if (c == Component.DCS_MEMBER) {
      throw new UnsupportedOperationException("a full-stack cluster has no separate DCS member to fault "
          + "(it lives inside the daemon: use DAEMON)");
    }
    return nodes.get(node);
  }

  @Override
  public void close() {
    if (configEditor != null) {
      configEditor.close();
    }
  }
}
