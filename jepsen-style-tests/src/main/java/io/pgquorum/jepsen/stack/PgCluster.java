package io.pgquorum.jepsen.stack;

import io.pgquorum.jepsen.fault.Component;
import io.pgquorum.jepsen.fault.FaultTarget;
import io.pgquorum.jepsen.fault.Link;
import io.pgquorum.testkit.FreePorts;
import io.pgquorum.testkit.proc.Commands;
import io.pgquorum.testkit.proc.LogFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * A full-stack pgquorum cluster for fault injection: real daemons launched through {@code bin/pgquorum} (one JVM
 * per node, as users run them), each driving its own real PostgreSQL 15, on free ports, on a {@link Network} that
 * can cut links. {@link #start} returns once there is one primary and every other node is a streaming replica,
 * with the workload tables ({@code jepsen_probe}, {@code jepsen_set}) created.
 *
 * <p>The work is split by job: {@link NodeConfigYaml} writes each node's configuration, {@link StackProcesses}
 * launches and stops the processes, {@link ClusterQueries} observes the nodes, {@link StackFaults} injects the
 * faults. This class ties them together and is the one API callers use.
 *
 * <p>How each {@link FaultTarget} fault is realised:
 * <ul>
 *   <li>{@link #cut}/{@link #restore}: the network's links (see {@link ProxyNetwork} and its limits for
 *       replication, and {@link NamespaceNetwork});
 *   <li>kill DAEMON: SIGKILL of the daemon JVM's PID (PostgreSQL, running detached, survives; children of the JVM,
 *       e.g. a lease watchdog, are left alone as they would be by a real kill -9, and reaped at close);
 *       restart DAEMON: {@code bin/pgquorum} again (it re-adopts the running PostgreSQL);
 *   <li>kill POSTGRES: SIGKILL of the postmaster's PID (from {@code postmaster.pid}); its backends exit when they
 *       notice. restart POSTGRES does nothing but record: the daemon's next HA cycle restarts PostgreSQL (crash
 *       recovery), which is the behaviour under test; a driver starting it behind the daemon's back would not be;
 *   <li>pause DAEMON: SIGSTOP / SIGCONT of the JVM's PID (the TCP handshake still completes into the backlog);
 *   <li>pause POSTGRES: the whole process tree, see {@link PostgresPause} (cgroup freezer as root, else SIGSTOP of
 *       the postmaster then every descendant; SIGSTOP of the postmaster alone would leave its backends serving);
 *   <li>pause WAL_SENDER: SIGSTOP / SIGCONT of the walsender streaming to the target replica, on its upstream,
 *       see {@link WalSenderPause} (the replica's server and daemon go on answering; pause only, no kill);
 *   <li>clock rate: the daemon is killed (-9) and restarted under libfaketime
 *       ({@code LD_PRELOAD=libfaketime.so.1}, {@code FAKETIME="+0 x<rate>"}, which also scales the monotonic clock
 *       the lease uses); rate 1 restarts it without. Processes the daemon starts meanwhile (pg_ctl, a PostgreSQL
 *       it has to start) inherit the skew; an already running PostgreSQL does not;
 *   <li>{@link #cutDcs}/{@link #restoreDcs}: the DCS (Raft) links alone, where the network can (the proxy network;
 *       REST and replication stay open);
 *   <li>packet loss and delay: the network's, where it supports them.
 * </ul>
 *
 * <p>{@link #primary()} answers from a short cache so the nemesis and clients never block long on it.
 */
public final class PgCluster implements FaultTarget, AutoCloseable {
  /** The libfaketime library used for clock-rate faults. */
  public static final Path LIBFAKETIME = StackProcesses.LIBFAKETIME;
  /** The PostgreSQL 15 binaries. */
  public static final String PG_BIN = NodeConfigYaml.PG_BIN;

  private final PgClusterSpec spec;
  private final Path base;
  private final boolean tempBase;
  private final Network network;
  private final List<StackNode> nodes = new ArrayList<>();
  private final Passwords passwords = Passwords.random();
  private final StackProcesses processes;
  private final ClusterQueries queries;
  private final StackFaults faults;

  private PgCluster(PgClusterSpec spec, Path base, boolean tempBase, Network network) {
    this.spec = spec;
    this.base = base;
    this.tempBase = tempBase;
    this.network = network;
    this.processes = new StackProcesses(spec, network);
    this.queries = new ClusterQueries(nodes, passwords);
    this.faults = new StackFaults(nodes, network, processes, queries);
  }

  /**
   * Starts the cluster and waits (up to 3 minutes) for one primary and {@code nodes - 1} streaming replicas, then
   * creates the workload tables on the primary. On failure everything started is stopped again and the exception
   * carries the tail of every daemon log.
   *
   * @throws IllegalStateException when the environment is wrong (root with PROXY, not root with NAMESPACE) or the
   *     cluster does not become healthy in time
   */
  public static PgCluster start(PgClusterSpec spec) throws IOException {
    boolean root = Commands.isRoot();
    if (spec.network() != PgClusterSpec.NetworkKind.NAMESPACE && root) {
      throw new IllegalStateException("PostgreSQL refuses to run as root: run PgCluster with the " + spec.network()
          + " network as an ordinary user, or use the NAMESPACE network with runAsUser");
    }
    if (spec.network() == PgClusterSpec.NetworkKind.NAMESPACE) {
      if (!root) {
        throw new IllegalStateException("the NAMESPACE network needs root (ip netns, iptables); running as uid "
            + new com.sun.security.auth.module.UnixSystem().getUid());
      }
      if (spec.runAsUser() == null || spec.runAsUser().isBlank() || spec.runAsUser().equals("root")) {
        throw new IllegalStateException("the NAMESPACE network needs runAsUser: an unprivileged user for the daemons "
            + "and PostgreSQL (PostgreSQL refuses root)");
      }
    }
    boolean temp = spec.baseDir() == null;
    Path base = temp ? Files.createTempDirectory("pgquorum-jepsen-") : Files.createDirectories(spec.baseDir());
    Network network = switch (spec.network()) {
      case PROXY -> new ProxyNetwork();
      case DIRECT -> new DirectNetwork();
      case NAMESPACE -> new NamespaceNetwork(spec.runAsUser());
    };
    PgCluster c = new PgCluster(spec, base, temp, network);
    try {
      c.setUp();
      c.queries.awaitHealthy(Duration.ofMinutes(3));
      c.queries.createTables(Duration.ofSeconds(60));
      return c;
    } catch (RuntimeException | IOException e) {
      String diag = c.diagnostics();
      c.close();
      throw new IllegalStateException("cluster did not start: " + e.getMessage() + diag, e);
    }
  }

  /** Ports and directories, the network, every node's configuration, then every daemon. */
  private void setUp() throws IOException {
    String runId = HexFormat.of().formatHex(new SecureRandom().generateSeed(3));
    List<NodePorts> ports = new ArrayList<>();
    for (int i = 0; i < spec.nodes(); i++) {
      ports.add(new NodePorts(i, "node" + (i + 1), FreePorts.next(), FreePorts.next(), FreePorts.next()));
    }
    for (NodePorts p : ports) {
      StackNode n = new StackNode(p, base.resolve(p.name()), "pgquorum-jepsen-" + runId + "-" + p.name());
      Files.createDirectories(n.dir);
      nodes.add(n);
    }
    network.setUp(ports, base);
    for (StackNode n : nodes) {
      n.addr = network.addresses(n.index());
    }
    for (StackNode n : nodes) {
      Files.writeString(n.config(), NodeConfigYaml.render(n, nodes, spec, network instanceof NamespaceNetwork,
          passwords));
    }
    if (spec.runAsUser() != null && Commands.isRoot()) {
      Commands.runChecked(List.of("chown", "-R", spec.runAsUser() + ":", base.toString()), 30);
    }
    nodes.forEach(processes::launch);
  }

  // ---- observation ----

  /** Waits until there is exactly one primary and every other node is a streaming replica. */
  public void awaitHealthy(Duration within) {
    queries.awaitHealthy(within);
  }

  /** Waits until node {@code node}'s REST API answers at all (any status). */
  public void awaitDaemonUp(int node, Duration within) {
    queries.awaitDaemonUp(node, within);
  }

  /** The spec this cluster was started with. */
  public PgClusterSpec spec() {
    return spec;
  }

  /** The cluster's directory (data, logs, hosts files). */
  public Path baseDir() {
    return base;
  }

  /** The network the nodes run on. */
  public Network network() {
    return network;
  }

  /** Node {@code node}'s member name ({@code node1} for index 0). */
  public String name(int node) {
    return nodes.get(node).name();
  }

  /** Node {@code node}'s ports. */
  public NodePorts ports(int node) {
    return nodes.get(node).ports;
  }

  /** The daemon JVM's current PID (-1 before the first launch). */
  public long daemonPid(int node) {
    return nodes.get(node).daemon.pid();
  }

  /** True while the daemon JVM of {@code node} is alive (stopped counts as alive). */
  public boolean daemonAlive(int node) {
    return nodes.get(node).daemon.alive();
  }

  /** The postmaster's PID, when PostgreSQL runs on {@code node}. */
  public Optional<Long> postmasterPid(int node) {
    return nodes.get(node).postmasterPid();
  }

  /** The clock rate node {@code node}'s daemon currently runs at. */
  public double clockRateOf(int node) {
    return nodes.get(node).clockRate;
  }

  /** True while node {@code node}'s PostgreSQL tree is paused by this driver. */
  public boolean postgresPaused(int node) {
    return nodes.get(node).pgPause.paused();
  }

  /** A JDBC connection as the superuser straight to node {@code node}'s PostgreSQL (not through any fault). */
  public Connection connect(int node) throws SQLException {
    return connect(node, 2, 5);
  }

  /** As {@link #connect(int)} with explicit connect and socket timeouts in seconds. */
  public Connection connect(int node, int connectTimeoutSeconds, int socketTimeoutSeconds) throws SQLException {
    return queries.connect(node, connectTimeoutSeconds, socketTimeoutSeconds);
  }

  /** As {@link #connect(int, int, int)}, to {@code host:port} (a proxy in front of the cluster). */
  public Connection connect(String host, int port, int connectTimeoutSeconds, int socketTimeoutSeconds)
      throws SQLException {
    return queries.connect(host, port, connectTimeoutSeconds, socketTimeoutSeconds);
  }

  /** GET a REST path on node {@code node} directly (1 s timeouts); status 0 when unreachable. */
  public HttpResult get(int node, String path) {
    return queries.get(node, path);
  }

  /** Asynchronous {@link #get}; never completes exceptionally. */
  public CompletableFuture<HttpResult> getAsync(int node, String path) {
    return queries.getAsync(node, path);
  }

  /**
   * The node answering 200 on {@code /primary} when exactly one does, else -1, from a cache younger than 300 ms
   * (see {@link ClusterQueries#primary()}).
   */
  @Override
  public int primary() {
    return queries.primary();
  }

  @Override
  public int size() {
    return nodes.size();
  }

  // ---- faults (see the class comment) ----

  @Override
  public boolean canKill(Component component) {
    return faults.canKill(component);
  }

  @Override
  public boolean canPause(Component component) {
    return faults.canPause(component);
  }

  @Override
  public boolean canSkewClocks() {
    return faults.canSkewClocks();
  }

  @Override
  public boolean canDropPackets() {
    return faults.canDropPackets();
  }

  @Override
  public boolean canDelay() {
    return faults.canDelay();
  }

  @Override
  public boolean canEditDynamicConfig() {
    return true;
  }

  @Override
  public synchronized OptionalLong setDynamicConfig(String key, OptionalLong value) {
    return faults.setDynamicConfig(key, value);
  }

  @Override
  public void cut(Set<Link> links) {
    faults.cut(links);
  }

  @Override
  public void restore(Set<Link> links) {
    faults.restore(links);
  }

  @Override
  public boolean canCutDcsOnly() {
    return faults.canCutDcsOnly();
  }

  @Override
  public void cutDcs(Set<Link> links) {
    faults.cutDcs(links);
  }

  @Override
  public void restoreDcs(Set<Link> links) {
    faults.restoreDcs(links);
  }

  /** Cuts every link to and from {@code node}. */
  public void isolate(int node) {
    cut(linksOf(node));
  }

  /** Restores every link. */
  public void healAll() {
    restore(network.cutLinks());
  }

  /** Every directed link to or from {@code node}. */
  public Set<Link> linksOf(int node) {
    return faults.linksOf(node);
  }

  @Override
  public synchronized void kill(int node, Component component) {
    faults.kill(node, component);
  }

  @Override
  public synchronized void restart(int node, Component component) {
    faults.restart(node, component);
  }

  @Override
  public synchronized void pause(int node, Component component) {
    faults.pause(node, component);
  }

  @Override
  public synchronized void resume(int node, Component component) {
    faults.resume(node, component);
  }

  @Override
  public synchronized void clockRate(int node, double rate) {
    faults.clockRate(node, rate);
  }

  @Override
  public void packetLoss(double probability) {
    faults.packetLoss(probability);
  }

  @Override
  public void delay(int millis) {
    faults.delay(millis);
  }

  // ---- diagnostics and cleanup ----

  /** The tail (last 30 lines) of every daemon's log, for failure messages. Never contains the passwords. */
  public String diagnostics() {
    StringBuilder sb = new StringBuilder();
    for (StackNode n : nodes) {
      sb.append("\n--- ").append(n.name()).append(" (last 30 lines) ---\n");
      if (Files.exists(n.daemon.log())) {
        sb.append(passwords.mask(LogFile.tailLines(n.daemon.log(), 30))).append('\n');
      }
    }
    return sb.toString();
  }

  /** The whole log of node {@code node}'s daemon (every launch), passwords masked. */
  public String log(int node) {
    return passwords.mask(LogFile.read(nodes.get(node).daemon.log()));
  }

  /**
   * Stops everything by PID: daemons (and their children), paused trees thawed, PostgreSQL stopped
   * ({@code pg_ctl stop -m immediate}), the network removed, the directory deleted (temporary ones, unless
   * {@code PGQUORUM_KEEP_IT_DIRS=true}).
   */
  @Override
  public synchronized void close() {
    faults.close();
    processes.stopAll(nodes);
    network.close();
    if (tempBase && !"true".equals(System.getenv("PGQUORUM_KEEP_IT_DIRS"))) {
      try (Stream<Path> walk = Files.walk(base)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        // best effort: a temp dir left behind is reported by nobody, but never fails a run
      }
    }
  }

  /** Sleeps with the interrupt flag kept and no exception: the workloads' pacing, which checks its own stop flag. */
  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "PgCluster[" + nodes.size() + " nodes, " + spec.network() + ", " + base + "]";
  }
}
