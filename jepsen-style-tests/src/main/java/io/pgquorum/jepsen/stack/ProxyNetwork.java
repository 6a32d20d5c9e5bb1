package io.pgquorum.jepsen.stack;

import io.pgquorum.jepsen.fault.Link;
import io.pgquorum.testkit.net.LinkProxies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Cuttable links on loopback without root, built from {@link LinkProxies}.
 *
 * <ul>
 *   <li><b>Raft</b> (service octet 1): every directed link i→j has its own proxy; node i resolves node j's Raft
 *       host name ({@code node<j+1>.pgq.test}) to that proxy through its own hosts file
 *       ({@code -Djdk.net.hosts.file}). Cutting i→j stops exactly i's connections to j.
 *   <li><b>REST</b> (service octet 2): the same per link, through the same hosts file, for the host name in each
 *       daemon's {@code restapi.connect_address} ({@code node<j+1>-api.pgq.test}). The leader race asks peers over
 *       REST whether they are a running primary; cutting those checks together with Raft keeps a partition
 *       consistent (an isolated old primary cannot tell a candidate "I am still primary").
 *   <li><b>PostgreSQL replication</b> (service octet 3): replication and pg_rewind connections are opened by
 *       libpq in {@code walreceiver}/{@code pg_rewind}, which know nothing of the JVM's hosts file and dial the
 *       {@code connect_address} literally. Per-link cutting is therefore impossible here: each node's
 *       PostgreSQL gets ONE proxy ({@code 127.3.<t+1>.<t+1>}, its {@code connect_address}) shared by every
 *       other node, and that proxy is cut only when every link INTO the node is cut (the node is isolated from
 *       everyone). Under any partial partition (halves, bridge, ring, one-way) replication keeps flowing over
 *       links that Raft and REST consider cut; use {@link NamespaceNetwork} when that matters.
 * </ul>
 *
 * <p>{@link #cutDcs} cuts the Raft proxies of links alone: REST and replication keep flowing (the daemons lose the
 * DCS, not each other).
 *
 * <p>The harness itself (clients, probes, the role observer) reaches every node directly on 127.0.0.1: clients
 * stand outside the partition, as in Jepsen. Delay and loss apply to every Raft, REST and PostgreSQL proxy.
 */
public final class ProxyNetwork implements Network {
  static final int RAFT = 1;
  static final int REST = 2;
  static final int PG = 3;

  private final LinkProxies raft = new LinkProxies(RAFT);
  private final LinkProxies rest = new LinkProxies(REST);
  private final LinkProxies pg = new LinkProxies(PG);
  private final Set<Link> cut = new HashSet<>();
  /** Links whose Raft proxy alone is cut ({@link #cutDcs}); a Raft link is open only when in neither set. */
  private final Set<Link> dcsCut = new HashSet<>();
  private List<NodePorts> nodes = List.of();
  private Path base;

  @Override
  public void setUp(List<NodePorts> nodes, Path base) throws IOException {
    this.nodes = List.copyOf(nodes);
    this.base = base;
    for (NodePorts self : nodes) {
      StringBuilder hosts = new StringBuilder("127.0.0.1 localhost\n");
      for (NodePorts other : nodes) {
        boolean me = other.index() == self.index();
        hosts.append(me ? "127.0.0.1" : raft.address(self.index(), other.index())).append(' ')
            .append(raftHost(other)).append('\n');
        hosts.append(me ? "127.0.0.1" : rest.address(self.index(), other.index())).append(' ')
            .append(restHost(other)).append('\n');
        if (!me) {
          raft.add(self.index(), other.index(), other.raftPort());
          rest.add(self.index(), other.index(), other.restPort());
        }
      }
      Files.createDirectories(hostsFile(self.index()).getParent());
      Files.writeString(hostsFile(self.index()), hosts.toString());
      pg.add(self.index(), self.index(), self.pgPort());
    }
  }

  static String raftHost(NodePorts n) {
    return n.name() + ".pgq.test";
  }

  static String restHost(NodePorts n) {
    return n.name() + "-api.pgq.test";
  }

  private Path hostsFile(int node) {
    return base.resolve(nodes.get(node).name()).resolve("hosts");
  }

  @Override
  public NodeAddresses addresses(int node) {
    NodePorts n = nodes.get(node);
    return new NodeAddresses(raftHost(n) + ":" + n.raftPort(), "127.0.0.1:" + n.raftPort(),
        "127.0.0.1:" + n.restPort(), restHost(n) + ":" + n.restPort(), "127.0.0.1:" + n.pgPort(),
        pg.address(node, node) + ":" + n.pgPort(), "127.0.0.1");
  }

  @Override
  public List<String> jvmOptions(int node) {
    return List.of("-Djdk.net.hosts.file=" + hostsFile(node));
  }

  @Override
  public synchronized void cut(Set<Link> links) {
    cut.addAll(links);
    links.forEach(l -> {
      raft.cut(l.from(), l.to());
      rest.cut(l.from(), l.to());
    });
    syncReplicationProxies();
  }

  @Override
  public synchronized void restore(Set<Link> links) {
    cut.removeAll(links);
    links.forEach(l -> {
      if (!dcsCut.contains(l)) {
        raft.restore(l.from(), l.to());
      }
      rest.restore(l.from(), l.to());
    });
    syncReplicationProxies();
  }

  @Override
  public boolean supportsDcsOnlyCuts() {
    return true;
  }

  @Override
  public synchronized void cutDcs(Set<Link> links) {
    dcsCut.addAll(links);
    links.forEach(l -> raft.cut(l.from(), l.to()));
  }

  @Override
  public synchronized void restoreDcs(Set<Link> links) {
    dcsCut.removeAll(links);
    links.stream().filter(l -> !cut.contains(l)).forEach(l -> raft.restore(l.from(), l.to()));
  }

  /** A node's PostgreSQL proxy is cut exactly while every link into the node is cut (see the class comment). */
  private void syncReplicationProxies() {
    for (NodePorts t : nodes) {
      boolean isolated = nodes.size() > 1;
      for (NodePorts from : nodes) {
        if (from.index() != t.index() && !cut.contains(new Link(from.index(), t.index()))) {
          isolated = false;
        }
      }
      if (isolated) {
        pg.cut(t.index(), t.index());
      } else {
        pg.restore(t.index(), t.index());
      }
    }
  }

  /** True while node {@code node}'s PostgreSQL proxy is cut (the node is isolated from every other node). */
  public synchronized boolean replicationCut(int node) {
    return pg.isCut(node, node);
  }

  @Override
  public synchronized Set<Link> cutLinks() {
    return Set.copyOf(new ArrayList<>(cut));
  }

  @Override
  public boolean supportsLoss() {
    return true;
  }

  @Override
  public boolean supportsDelay() {
    return true;
  }

  @Override
  public void loss(double probability) {
    raft.loss(probability);
    rest.loss(probability);
    pg.loss(probability);
  }

  @Override
  public void delay(int millis) {
    raft.delay(millis);
    rest.delay(millis);
    pg.delay(millis);
  }

  @Override
  public void close() {
    raft.close();
    rest.close();
    pg.close();
  }
}
