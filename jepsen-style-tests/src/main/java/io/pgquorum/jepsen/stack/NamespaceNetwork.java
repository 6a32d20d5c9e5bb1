package io.pgquorum.jepsen.stack;

import io.pgquorum.jepsen.fault.Link;
import io.pgquorum.testkit.proc.Commands;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One Linux network namespace per node (root only), so that a partition cuts Raft, REST and PostgreSQL
 * replication consistently, per directed link.
 *
 * <p>Layout for run id {@code r} (4 hex digits) and a /24 {@code 10.77.<k>.0}:
 * <ul>
 *   <li>namespace {@code pq<r>n<i>} per node, holding {@code lo} and {@code eth0} = {@code 10.77.<k>.<i+1>/24};
 *   <li>namespace {@code pq<r>br} holding a bridge {@code br0}; every node's veth peer is a port of it;
 *   <li>a veth {@code pq<r>h} in the root namespace ({@code 10.77.<k>.254/24}), also a bridge port, through which
 *       the harness (clients, probes, observer) reaches every node without passing any fault.
 * </ul>
 * The bridge lives in its own namespace so that the root namespace's firewall (br_netfilter, a FORWARD policy of
 * another tool) never sees traffic between nodes.
 *
 * <p>Daemons run as {@code ip netns exec pq<r>n<i> runuser -u <user> -- ...}: PostgreSQL, started by the daemon,
 * inherits the namespace. Faults are iptables rules inside the receiving node's namespace:
 * <ul>
 *   <li>cut i→j: {@code -I INPUT -s <i> -j DROP} in j's namespace (DROP, not REJECT: a partitioned peer sees
 *       silence and its timeouts, as on a real network);
 *   <li>loss p: {@code -I INPUT -s <peer> -m statistic --mode random --probability p -j DROP} for every peer;
 *   <li>delay: not supported (the kernel here has no netem), {@link #supportsDelay()} is false.
 * </ul>
 * {@link #close()} deletes the namespaces (their rules and veths go with them) and the root-side veth.
 */
public final class NamespaceNetwork implements Network {
  private final String user;
  private final String run = HexFormat.of().formatHex(new SecureRandom().generateSeed(2));
  private final int subnet = 1 + new SecureRandom().nextInt(250);
  private final Set<Link> cut = new HashSet<>();
  private final List<String> lossRules = new ArrayList<>();
  private final List<String> created = new ArrayList<>();
  private List<NodePorts> nodes = List.of();
  private boolean hostVeth;

  /** @param user the unprivileged user daemons (and so PostgreSQL) run as */
  public NamespaceNetwork(String user) {
    this.user = user;
  }

  String namespace(int node) {
    return "pq" + run + "n" + node;
  }

  private String bridgeNamespace() {
    return "pq" + run + "br";
  }

  /** Node {@code node}'s address. */
  public String address(int node) {
    return "10.77." + subnet + "." + (node + 1);
  }

  @Override
  public void setUp(List<NodePorts> nodes, Path base) throws IOException {
    if (!Commands.isRoot()) {
      throw new IllegalStateException("NamespaceNetwork needs root (ip netns, iptables)");
    }
    this.nodes = List.copyOf(nodes);
    try {
      String br = bridgeNamespace();
      ip("netns", "add", br);
      created.add(br);
      inNs(br, "ip", "link", "add", "br0", "type", "bridge");
      inNs(br, "ip", "link", "set", "br0", "up");
      inNs(br, "ip", "link", "set", "lo", "up");
      for (NodePorts n : nodes) {
        String ns = namespace(n.index());
        ip("netns", "add", ns);
        created.add(ns);
        String peer = "pq" + run + "p" + n.index();
        // created inside the node namespace so a crash never leaves a veth in the root namespace
        inNs(ns, "ip", "link", "add", "eth0", "type", "veth", "peer", "name", peer);
        inNs(ns, "ip", "link", "set", peer, "netns", br);
        inNs(br, "ip", "link", "set", peer, "master", "br0");
        inNs(br, "ip", "link", "set", peer, "up");
        inNs(ns, "ip", "addr", "add", address(n.index()) + "/24", "dev", "eth0");
        inNs(ns, "ip", "link", "set", "eth0", "up");
        inNs(ns, "ip", "link", "set", "lo", "up");
      }
      String host = "pq" + run + "h";
      String hostPeer = "pq" + run + "hp";
      ip("link", "add", host, "type", "veth", "peer", "name", hostPeer);
      hostVeth = true;
      ip("link", "set", hostPeer, "netns", br);
      inNs(br, "ip", "link", "set", hostPeer, "master", "br0");
      inNs(br, "ip", "link", "set", hostPeer, "up");
      ip("addr", "add", "10.77." + subnet + ".254/24", "dev", host);
      ip("link", "set", host, "up");
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  @Override
  public NodeAddresses addresses(int node) {
    NodePorts n = nodes.get(node);
    String a = address(node);
    return new NodeAddresses(a + ":" + n.raftPort(), a + ":" + n.raftPort(), a + ":" + n.restPort(),
        a + ":" + n.restPort(), a + ":" + n.pgPort(), a + ":" + n.pgPort(), a);
  }

  @Override
  public List<String> jvmOptions(int node) {
    return List.of();
  }

  @Override
  public List<String> launchPrefix(int node) {
    return List.of("ip", "netns", "exec", namespace(node), "runuser", "-u", user, "--");
  }

  @Override
  public synchronized void cut(Set<Link> links) {
    for (Link l : links) {
      if (valid(l) && cut.add(l)) {
        inNs(namespace(l.to()), "iptables", "-I", "INPUT", "-s", address(l.from()), "-j", "DROP");
      }
    }
  }

  @Override
  public synchronized void restore(Set<Link> links) {
    for (Link l : links) {
      if (cut.remove(l)) {
        inNs(namespace(l.to()), "iptables", "-D", "INPUT", "-s", address(l.from()), "-j", "DROP");
      }
    }
  }

  private boolean valid(Link l) {
    return l.from() != l.to() && l.from() >= 0 && l.to() >= 0 && l.from() < nodes.size() && l.to() < nodes.size();
  }

  @Override
  public synchronized Set<Link> cutLinks() {
    return Set.copyOf(cut);
  }

  @Override
  public boolean supportsLoss() {
    return true;
  }

  @Override
  public boolean supportsDelay() {
    return false;
  }

  @Override
  public synchronized void loss(double probability) {
    if (probability < 0 || probability > 1) {
      throw new IllegalArgumentException("loss probability must be within 0..1, got " + probability);
    }
    for (String rule : lossRules) {
      String[] p = rule.split(" ", 2);
      inNs(p[0], lossRule("-D", p[1]));
    }
    lossRules.clear();
    if (probability == 0) {
      return;
    }
    String p = String.format(Locale.ROOT, "%.4f", probability);
    for (NodePorts to : nodes) {
      for (NodePorts from : nodes) {
        if (from.index() != to.index()) {
          String ns = namespace(to.index());
          String spec = address(from.index()) + " " + p;
          inNs(ns, lossRule("-I", spec));
          lossRules.add(ns + " " + spec);
        }
      }
    }
  }

  private static String[] lossRule(String op, String spec) {
    String[] s = spec.split(" ");
    return new String[] {"iptables", op, "INPUT", "-s", s[0], "-m", "statistic", "--mode", "random",
        "--probability", s[1], "-j", "DROP"};
  }

  @Override
  public void delay(int millis) {
    if (millis != 0) {
      throw new UnsupportedOperationException("delay needs tc netem, which this kernel does not have");
    }
  }

  @Override
  public synchronized void close() {
    if (hostVeth) {
      Commands.run(List.of("ip", "link", "del", "pq" + run + "h"), 10);
      hostVeth = false;
    }
    for (int i = created.size() - 1; i >= 0; i--) {
      Commands.run(List.of("ip", "netns", "del", created.get(i)), 10);
    }
    created.clear();
    cut.clear();
    lossRules.clear();
  }

  /** The namespaces this network created and still holds (for cleanup checks). */
  public synchronized List<String> namespaces() {
    return List.copyOf(created);
  }

  private static void ip(String... args) {
    List<String> cmd = new ArrayList<>(List.of("ip"));
    cmd.addAll(List.of(args));
    Commands.runChecked(cmd, 10);
  }

  private static void inNs(String ns, String... args) {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    cmd.addAll(List.of(args));
    Commands.runChecked(cmd, 10);
  }
}
