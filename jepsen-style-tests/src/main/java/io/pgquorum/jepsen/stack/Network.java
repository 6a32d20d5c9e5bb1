package io.pgquorum.jepsen.stack;

import io.pgquorum.jepsen.fault.Link;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The network a {@link PgCluster} runs on: it decides the nodes' addresses, how a daemon is launched into it, and
 * how links are cut. Two implementations: {@link ProxyNetwork} (no root; per-link loopback proxies) and
 * {@link NamespaceNetwork} (root; one network namespace per node, iptables rules).
 */
public interface Network extends AutoCloseable {

  /** Builds the network for these nodes; {@code base} is the cluster's directory (hosts files go there). */
  void setUp(List<NodePorts> nodes, Path base) throws IOException;

  /** Addresses of node {@code node} (valid after {@link #setUp}). */
  NodeAddresses addresses(int node);

  /** Extra JVM options for node {@code node}'s daemon (for example a hosts file). */
  List<String> jvmOptions(int node);

  /**
   * Words put in front of {@code bin/pgquorum <config>} to launch node {@code node}'s daemon inside this network
   * (empty when it runs directly).
   */
  default List<String> launchPrefix(int node) {
    return List.of();
  }

  /** Cuts these directed links in addition to those already cut. */
  void cut(Set<Link> links);

  /** Restores these directed links. */
  void restore(Set<Link> links);

  /** The directed links currently cut. */
  Set<Link> cutLinks();

  /** Whether {@link #cutDcs} works: the DCS (Raft) links cut alone, REST and replication left open. */
  default boolean supportsDcsOnlyCuts() {
    return false;
  }

  /** Cuts the DCS on these directed links in addition to those already cut (see {@link #supportsDcsOnlyCuts}). */
  default void cutDcs(Set<Link> links) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot cut the DCS alone");
  }

  /** Restores the DCS on these directed links (a link also cut by {@link #cut} stays cut). */
  default void restoreDcs(Set<Link> links) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot cut the DCS alone");
  }

  boolean supportsLoss();

  boolean supportsDelay();

  /** Drop probability on every link between nodes (0 = none). */
  void loss(double probability);

  /** Added one-way delay on every link between nodes in milliseconds (0 = none). */
  void delay(int millis);

  /** Removes everything this network created (proxies, namespaces, rules). Never throws. */
  @Override
  void close();
}
