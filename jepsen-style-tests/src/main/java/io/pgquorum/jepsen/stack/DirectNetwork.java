package io.pgquorum.jepsen.stack;

import io.pgquorum.jepsen.fault.Link;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Every node on the loopback, reached directly: no proxy, nothing that can be cut, delayed or lost. For measuring
 * (bench/), where nothing is injected and a proxy hop would only add its own latency to pgquorum's side of a
 * comparison whose other side (Patroni and etcd) talks directly. The host names the daemons' configurations use
 * ({@code node<j+1>.pgq.test}, {@code node<j+1>-api.pgq.test}) resolve to 127.0.0.1 through each node's hosts file,
 * as on {@link ProxyNetwork}, so the configurations are the same on both.
 */
public final class DirectNetwork implements Network {
  private List<NodePorts> nodes = List.of();
  private Path base;

  @Override
  public void setUp(List<NodePorts> nodes, Path base) throws IOException {
    this.nodes = List.copyOf(nodes);
    this.base = base;
    StringBuilder hosts = new StringBuilder("127.0.0.1 localhost\n");
    for (NodePorts n : nodes) {
      hosts.append("127.0.0.1 ").append(ProxyNetwork.raftHost(n)).append('\n');
      hosts.append("127.0.0.1 ").append(ProxyNetwork.restHost(n)).append('\n');
    }
    for (NodePorts self : nodes) {
      Files.createDirectories(hostsFile(self.index()).getParent());
      Files.writeString(hostsFile(self.index()), hosts.toString());
    }
  }

  private Path hostsFile(int node) {
    return base.resolve(nodes.get(node).name()).resolve("hosts");
  }

  @Override
  public NodeAddresses addresses(int node) {
    NodePorts n = nodes.get(node);
    return new NodeAddresses(ProxyNetwork.raftHost(n) + ":" + n.raftPort(), "127.0.0.1:" + n.raftPort(),
        "127.0.0.1:" + n.restPort(), ProxyNetwork.restHost(n) + ":" + n.restPort(), "127.0.0.1:" + n.pgPort(),
        "127.0.0.1:" + n.pgPort(), "127.0.0.1");
  }

  @Override
  public List<String> jvmOptions(int node) {
    return List.of("-Djdk.net.hosts.file=" + hostsFile(node));
  }

  @Override
  public void cut(Set<Link> links) {
    throw new UnsupportedOperationException("the direct network has no links to cut (use the proxy network)");
  }

  @Override
  public void restore(Set<Link> links) {
    throw new UnsupportedOperationException("the direct network has no links to restore (use the proxy network)");
  }

  @Override
  public Set<Link> cutLinks() {
    return Set.of();
  }

  @Override
  public boolean supportsLoss() {
    return false;
  }

  @Override
  public boolean supportsDelay() {
    return false;
  }

  @Override
  public void loss(double probability) {
    throw new UnsupportedOperationException("the direct network cannot lose messages (use the proxy network)");
  }

  @Override
  public void delay(int millis) {
    throw new UnsupportedOperationException("the direct network cannot delay messages (use the proxy network)");
  }

  @Override
  public void close() {
    // nothing was started
  }
}
