package io.pgquorum.jepsen.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgquorum.jepsen.fault.Component;
import io.pgquorum.jepsen.fault.Fault;
import io.pgquorum.jepsen.fault.FaultTarget;
import io.pgquorum.jepsen.fault.Link;
import io.pgquorum.testkit.FreePorts;
import io.pgquorum.testkit.RepoRoot;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * A full-stack pgquorum cluster for fault injection: real daemons launched through {@code bin/pgquorum} (one JVM
 * per node, as users run them), each driving its own real PostgreSQL 15, on free ports, on a {@link Network} that
 * can cut links. {@link #start} returns once there is one primary and every other node is a streaming replica,
 * with the workload tables ({@code jepsen_probe}, {@code jepsen_set}) created.
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
 *   <li>clock rate: the daemon is killed (-9) and restarted under libfaketime
 *       ({@code LD_PRELOAD=libfaketime.so.1}, {@code FAKETIME="+0 x<rate>"}, which also scales the monotonic clock
 *       the lease uses); rate 1 restarts it without. Processes the daemon starts meanwhile (pg_ctl, a PostgreSQL
 *       it has to start) inherit the skew; an already running PostgreSQL does not;
 *   <li>packet loss and delay: the network's, where it supports them.
 * </ul>
 *
 * <p>{@link #primary()} answers from a short cache so the nemesis and clients never block long on it.
 */
public final class PgCluster implements FaultTarget, AutoCloseable {
  /** The libfaketime library used for clock-rate faults. */
  public static final Path LIBFAKETIME = Path.of("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1");
  /** The PostgreSQL 15 binaries. */
  public static final String PG_BIN = "/usr/lib/postgresql/15/bin";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long PRIMARY_CACHE_NANOS = 300_000_000L;
  /** The cluster's scope (also the DCS group name) and key namespace: what {@link #yaml} writes. */
  static final String SCOPE = "jepsen";
  static final String NAMESPACE = "/service/";

  private final PgClusterSpec spec;
  private final Path base;
  private final boolean tempBase;
  private final String runId;
  private final Network network;
  private final List<Node> nodes = new ArrayList<>();
  private final String superPassword = secret();
  private final String replPassword = secret();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final ReentrantLock primaryRefresh = new ReentrantLock();
  private final List<Long> strays = new ArrayList<>();
  private volatile int cachedPrimary = -1;
  private volatile long cachedAt;
  private volatile boolean stale = true;
  private DynamicConfigEditor configEditor;

  /** One node's runtime state. */
  private static final class Node {
    final NodePorts ports;
    final Path dir;
    final PostgresPause pgPause;
    NodeAddresses addr;
    Process launcher;
    long jvmPid = -1;
    boolean daemonPaused;
    double clockRate = 1.0;

    Node(NodePorts ports, Path dir, String freezerGroup) {
      this.ports = ports;
      this.dir = dir;
      this.pgPause = new PostgresPause(freezerGroup);
    }

    Path dataDir() {
      return dir.resolve("pgdata");
    }

    Path config() {
      return dir.resolve("pgquorum.yml");
    }

    Path log() {
      return dir.resolve("daemon.out");
    }
  }

  private PgCluster(PgClusterSpec spec, Path base, boolean tempBase, Network network) {
    this.spec = spec;
    this.base = base;
    this.tempBase = tempBase;
    this.network = network;
    this.runId = HexFormat.of().formatHex(new SecureRandom().generateSeed(3));
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
    boolean root = ProcessTools.isRoot();
    if (spec.network() == PgClusterSpec.NetworkKind.PROXY && root) {
      throw new IllegalStateException("PostgreSQL refuses to run as root: run PgCluster with the PROXY network as an "
          + "ordinary user, or use the NAMESPACE network with runAsUser");
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
    PgCluster c = new PgCluster(spec, base, temp, spec.network() == PgClusterSpec.NetworkKind.PROXY
        ? new ProxyNetwork() : new NamespaceNetwork(spec.runAsUser()));
    try {
      c.setUp();
      c.awaitHealthy(Duration.ofMinutes(3));
      c.createTables(Duration.ofSeconds(60));
      return c;
    } catch (RuntimeException | IOException e) {
      String diag = c.diagnostics();
      c.close();
      throw new IllegalStateException("cluster did not start: " + e.getMessage() + diag, e);
    }
  }

  private void setUp() throws IOException {
    List<NodePorts> ports = new ArrayList<>();
    Set<Integer> used = new HashSet<>();
    for (int i = 0; i < spec.nodes(); i++) {
      ports.add(new NodePorts(i, "node" + (i + 1), FreePorts.next(), FreePorts.next(), FreePorts.next()));
    }
    for (NodePorts p : ports) {
      Node n = new Node(p, base.resolve(p.name()), "pgquorum-jepsen-" + runId + "-" + p.name());
      Files.createDirectories(n.dir);
      nodes.add(n);
    }
    network.setUp(ports, base);
    for (Node n : nodes) {
      n.addr = network.addresses(n.ports.index());
      Files.writeString(n.config(), yaml(n));
    }
    if (spec.runAsUser() != null && ProcessTools.isRoot()) {
      ProcessTools.runChecked(List.of("chown", "-R", spec.runAsUser() + ":", base.toString()), 30);
    }
    for (Node n : nodes) {
      launch(n);
    }
  }

  /**
   * {@code raft.insecure}: the namespace network gives every node a 10.77.x address, where pgquorum refuses
   * plaintext Raft unless the operator opts in; the harness's private bridge is a network it trusts, so it opts
   * in (as an operator on such a network would). The proxy network is loopback only and needs no opt-in.
   */
  private boolean plaintextRaftOffLoopback() {
    return network instanceof NamespaceNetwork;
  }

  private String yaml(Node n) {
    StringBuilder partners = new StringBuilder();
    for (Node o : nodes) {
      if (o != n) {
        partners.append("\n    - ").append(network.addresses(o.ports.index()).raftSelf());
      }
    }
    return """
        scope: jepsen
        namespace: /service/
        name: %s
        log:
          level: INFO
        restapi:
          listen: %s
          connect_address: %s
        raft:
          self_addr: %s
          bind_addr: %s
          partner_addrs:%s
          data_dir: %s
          insecure: %s
        bootstrap:
          dcs:
            ttl: %d
            loop_wait: %d
            retry_timeout: %d
            maximum_lag_on_failover: %d
            postgresql:
              use_pg_rewind: true
              use_slots: true
              parameters:
                wal_keep_size: 64MB
                max_connections: 40
          initdb:
            - encoding: UTF8
            - data-checksums
          pg_hba:
            - host all all 127.0.0.0/8 md5
            - host replication replicator 127.0.0.0/8 md5
            - host all all 10.0.0.0/8 md5
            - host replication replicator 10.0.0.0/8 md5
        postgresql:
          listen: %s
          connect_address: %s
          data_dir: %s
          bin_dir: %s
          pgpass: %s
          authentication:
            superuser:
              username: postgres
              password: %s
            replication:
              username: replicator
              password: %s
          parameters:
            shared_buffers: 16MB
        """.formatted(n.ports.name(), n.addr.restListen(), n.addr.restConnect(), n.addr.raftSelf(),
        n.addr.raftBind(), partners, n.dir.resolve("raft"), plaintextRaftOffLoopback(), spec.ttl(), spec.loopWait(),
        spec.retryTimeout(), spec.maximumLagOnFailover(), n.addr.pgListen(), n.addr.pgConnect(), n.dataDir(), PG_BIN,
        n.dir.resolve("pgpass"), superPassword,
        replPassword);
  }

  /** Launches node n's daemon through bin/pgquorum, under libfaketime when its clock rate is not 1. */
  private synchronized void launch(Node n) throws IOException {
    List<String> cmd = new ArrayList<>(network.launchPrefix(n.ports.index()));
    List<String> env = new ArrayList<>();
    String opts = "-Xmx160m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k "
        + String.join(" ", network.jvmOptions(n.ports.index()));
    env.add("PGQUORUM_JAVA_OPTS=" + opts.trim());
    spec.extraEnv().getOrDefault(n.ports.index(), Map.of()).forEach((k, v) -> env.add(k + "=" + v));
    if (n.clockRate != 1.0) {
      env.add("LD_PRELOAD=" + LIBFAKETIME);
      env.add("FAKETIME=+0 x" + n.clockRate);
    }
    // env(1) carries the variables through runuser/ip netns exec, which may not pass the environment on.
    cmd.add("env");
    cmd.addAll(env);
    cmd.add(RepoRoot.pgquorumScript().toString());
    cmd.add(n.config().toString());
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(n.log().toFile()));
    Files.writeString(n.log(), "=== launch at " + java.time.Instant.now() + " clock rate " + n.clockRate + "\n",
        StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    n.launcher = pb.start();
    n.jvmPid = findJvm(n.launcher);
    n.daemonPaused = false;
  }

  /**
   * The daemon JVM's PID. env(1) and bash exec into java, so without a prefix it is the launched process itself;
   * runuser forks, so under a prefix it is the first java descendant.
   */
  private static long findJvm(Process launcher) {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (isJava(launcher.toHandle())) {
        return launcher.pid();
      }
      Optional<ProcessHandle> java = launcher.descendants().filter(PgCluster::isJava).findFirst();
      if (java.isPresent()) {
        return java.get().pid();
      }
      if (!launcher.isAlive()) {
        return launcher.pid();
      }
      sleep(20); // waiting for exec to happen, with a deadline
    }
    return launcher.pid();
  }

  private static boolean isJava(ProcessHandle h) {
    return h.info().command().map(c -> c.endsWith("/java")).orElse(false);
  }

  /** Waits until there is exactly one primary and every other node is a streaming replica. */
  public void awaitHealthy(Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      int primaries = 0;
      int streaming = 0;
      for (Node n : nodes) {
        if (get(n.ports.index(), "/primary").status() == 200) {
          primaries++;
        } else if (get(n.ports.index(), "/replica?replication_state=streaming").status() == 200) {
          streaming++;
        }
      }
      if (primaries == 1 && streaming == nodes.size() - 1) {
        stale = true;
        return;
      }
      last = primaries + " primaries, " + streaming + " streaming replicas";
      sleep(300); // poll interval of a condition with a deadline
    }
    throw new IllegalStateException("cluster not healthy within " + within.toSeconds() + " s (last seen: " + last
        + ")");
  }

  /** Waits until node {@code node}'s REST API answers at all (any status). */
  public void awaitDaemonUp(int node, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      if (get(node, "/patroni").status() != 0) {
        return;
      }
      sleep(200); // poll interval of a condition with a deadline
    }
    throw new IllegalStateException(name(node) + "'s daemon did not answer on its REST API within "
        + within.toSeconds() + " s");
  }

  private void createTables(Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    SQLException last = null;
    while (System.nanoTime() < deadline) {
      int p = primary();
      if (p >= 0) {
        try (Connection c = connect(p); Statement s = c.createStatement()) {
          s.execute("CREATE TABLE IF NOT EXISTS jepsen_probe (id bigserial PRIMARY KEY, node text NOT NULL, "
              + "token bigint, at timestamptz NOT NULL DEFAULT clock_timestamp())");
          s.execute("CREATE TABLE IF NOT EXISTS jepsen_set (value bigint PRIMARY KEY)");
          return;
        } catch (SQLException e) {
          last = e;
        }
      }
      sleep(300); // retrying until the primary accepts DDL, with a deadline
    }
    throw new IllegalStateException("cannot create the workload tables: "
        + (last == null ? "no primary" : last.getMessage()));
  }

  // ---- queries ----

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
    return nodes.get(node).ports.name();
  }

  /** Node {@code node}'s ports. */
  public NodePorts ports(int node) {
    return nodes.get(node).ports;
  }

  /** The daemon JVM's current PID (-1 before the first launch). */
  public long daemonPid(int node) {
    return nodes.get(node).jvmPid;
  }

  /** True while the daemon JVM of {@code node} is alive (stopped counts as alive). */
  public boolean daemonAlive(int node) {
    long pid = nodes.get(node).jvmPid;
    return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /** The postmaster's PID, when PostgreSQL runs on {@code node}. */
  public Optional<Long> postmasterPid(int node) {
    return ProcessTools.postmasterPid(nodes.get(node).dataDir());
  }

  /** The clock rate node {@code node}'s daemon currently runs at. */
  public double clockRateOf(int node) {
    return nodes.get(node).clockRate;
  }

  /** A JDBC connection as the superuser straight to node {@code node}'s PostgreSQL (not through any fault). */
  public Connection connect(int node) throws SQLException {
    return connect(node, 2, 5);
  }

  /** As {@link #connect(int)} with explicit connect and socket timeouts in seconds. */
  public Connection connect(int node, int connectTimeoutSeconds, int socketTimeoutSeconds) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", "postgres");
    p.setProperty("password", superPassword);
    p.setProperty("connectTimeout", String.valueOf(connectTimeoutSeconds));
    p.setProperty("loginTimeout", String.valueOf(connectTimeoutSeconds + 1));
    p.setProperty("socketTimeout", String.valueOf(socketTimeoutSeconds));
    p.setProperty("tcpKeepAlive", "true");
    p.setProperty("ApplicationName", "jepsen");
    Node n = nodes.get(node);
    return DriverManager.getConnection(
        "jdbc:postgresql://" + n.addr.harnessHost() + ":" + n.ports.pgPort() + "/postgres", p);
  }

  /** GET a REST path on node {@code node} directly (1 s timeouts); status 0 when unreachable. */
  public HttpResult get(int node, String path) {
    try {
      return getAsync(node, path).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new HttpResult(0, "");
    } catch (Exception e) {
      return new HttpResult(0, "");
    }
  }

  /** Asynchronous {@link #get}; never completes exceptionally. */
  public CompletableFuture<HttpResult> getAsync(int node, String path) {
    Node n = nodes.get(node);
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + n.addr.harnessHost() + ":" + n.ports.restPort()
        + path)).timeout(Duration.ofSeconds(1)).GET().build();
    return http.sendAsync(req, HttpResponse.BodyHandlers.ofString())
        .thenApply(r -> new HttpResult(r.statusCode(), r.body()))
        .exceptionally(t -> new HttpResult(0, ""));
  }

  /** A REST answer: status (0 = no answer) and body. */
  public record HttpResult(int status, String body) {
    /** The body as JSON, or a missing node when it is not JSON. */
    public JsonNode json() {
      try {
        return body.isEmpty() ? JSON.missingNode() : JSON.readTree(body);
      } catch (IOException e) {
        return JSON.missingNode();
      }
    }
  }

  /**
   * The node answering 200 on {@code /primary} when exactly one does, else -1. Answers from a cache younger than
   * 300 ms; a refresh asks every node in parallel with 1 s timeouts, and callers arriving during a refresh get the
   * cached value instead of waiting.
   */
  @Override
  public int primary() {
    if ((!stale && System.nanoTime() - cachedAt < PRIMARY_CACHE_NANOS) || !primaryRefresh.tryLock()) {
      return cachedPrimary;
    }
    try {
      List<CompletableFuture<HttpResult>> answers = new ArrayList<>();
      for (int i = 0; i < nodes.size(); i++) {
        answers.add(getAsync(i, "/primary"));
      }
      int found = -1;
      int count = 0;
      for (int i = 0; i < answers.size(); i++) {
        if (answers.get(i).join().status() == 200) {
          found = i;
          count++;
        }
      }
      cachedPrimary = count == 1 ? found : -1;
      cachedAt = System.nanoTime();
      stale = false;
      return cachedPrimary;
    } finally {
      primaryRefresh.unlock();
    }
  }

  @Override
  public int size() {
    return nodes.size();
  }

  // ---- faults ----

  @Override
  public boolean supports(Fault fault) {
    if (fault instanceof Fault.Partition) {
      return true;
    }
    if (fault instanceof Fault.Kill k) {
      return k.component() != Component.DCS_MEMBER;
    }
    if (fault instanceof Fault.Pause p) {
      return p.component() != Component.DCS_MEMBER;
    }
    if (fault instanceof Fault.ClockSkew) {
      return Files.exists(LIBFAKETIME);
    }
    if (fault instanceof Fault.PacketLoss) {
      return network.supportsLoss();
    }
    if (fault instanceof Fault.Delay) {
      return network.supportsDelay();
    }
    return fault instanceof Fault.DcsConfig;
  }

  /**
   * Edits the DCS {@code config} key through the harness's own DCS client, which reaches every member directly
   * (see {@link DynamicConfigEditor}); the daemons see the new value at their next cycle's snapshot.
   */
  @Override
  public synchronized java.util.OptionalLong setDynamicConfig(String key, java.util.OptionalLong value) {
    if (configEditor == null) {
      List<String> self = new ArrayList<>();
      List<String> hosts = new ArrayList<>();
      List<Integer> ports = new ArrayList<>();
      for (Node n : nodes) {
        self.add(n.addr.raftSelf());
        hosts.add(n.addr.harnessHost());
        ports.add(n.ports.raftPort());
      }
      configEditor = new DynamicConfigEditor(SCOPE, DynamicConfigEditor.members(self, hosts, ports),
          NAMESPACE + SCOPE + "/config");
    }
    return configEditor.set(key, value);
  }

  @Override
  public void cut(Set<Link> links) {
    network.cut(links);
    stale = true;
  }

  @Override
  public void restore(Set<Link> links) {
    network.restore(links);
    stale = true;
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
    Set<Link> s = new HashSet<>();
    for (int j = 0; j < nodes.size(); j++) {
      if (j != node) {
        s.add(new Link(node, j));
        s.add(new Link(j, node));
      }
    }
    return s;
  }

  @Override
  public synchronized void kill(int node, Component component) {
    Node n = nodes.get(node);
    requireNodeComponent(component);
    if (component == Component.DAEMON) {
      killDaemon(n);
    } else {
      Optional<Long> pm = ProcessTools.postmasterPid(n.dataDir());
      if (pm.isPresent()) {
        ProcessTools.signal("KILL", List.of(pm.get()));
        ProcessTools.awaitExit(pm.get(), 10_000);
      }
      // SIGKILL is held while a process is stopped or frozen: thaw what is left so it can die.
      n.pgPause.resume();
    }
    stale = true;
  }

  private void killDaemon(Node n) {
    if (n.jvmPid > 0 && ProcessHandle.of(n.jvmPid).isPresent()) {
      ProcessHandle.of(n.jvmPid).ifPresent(h -> h.children().forEach(c -> strays.add(c.pid())));
      ProcessTools.signal("KILL", List.of(n.jvmPid));
      ProcessTools.awaitExit(n.jvmPid, 10_000);
    }
    if (n.launcher != null) {
      n.launcher.destroyForcibly();
    }
    n.daemonPaused = false;
  }

  @Override
  public synchronized void restart(int node, Component component) {
    Node n = nodes.get(node);
    requireNodeComponent(component);
    if (component == Component.DAEMON) {
      if (daemonAlive(node)) {
        killDaemon(n);
      }
      try {
        launch(n);
      } catch (IOException e) {
        throw new IllegalStateException("cannot restart " + n.ports.name() + "'s daemon: " + e.getMessage(), e);
      }
    }
    // POSTGRES: the daemon restarts it (see the class comment); nothing to do here.
    stale = true;
  }

  @Override
  public synchronized void pause(int node, Component component) {
    Node n = nodes.get(node);
    requireNodeComponent(component);
    if (component == Component.DAEMON) {
      if (!n.daemonPaused && daemonAlive(node)) {
        ProcessTools.signal("STOP", List.of(n.jvmPid));
        n.daemonPaused = true;
      }
    } else {
      ProcessTools.postmasterPid(n.dataDir()).ifPresent(n.pgPause::pause);
    }
  }

  @Override
  public synchronized void resume(int node, Component component) {
    Node n = nodes.get(node);
    requireNodeComponent(component);
    if (component == Component.DAEMON) {
      if (n.daemonPaused) {
        ProcessTools.signal("CONT", List.of(n.jvmPid));
        n.daemonPaused = false;
      }
    } else {
      n.pgPause.resume();
    }
  }

  /** True while node {@code node}'s PostgreSQL tree is paused by this driver. */
  public boolean postgresPaused(int node) {
    return nodes.get(node).pgPause.paused();
  }

  @Override
  public synchronized void clockRate(int node, double rate) {
    if (!(rate > 0) || rate > 100) {
      throw new IllegalArgumentException("clock rate must be within (0, 100], got " + rate);
    }
    if (rate != 1.0 && !Files.exists(LIBFAKETIME)) {
      throw new IllegalStateException("libfaketime is not installed at " + LIBFAKETIME);
    }
    Node n = nodes.get(node);
    n.clockRate = rate;
    killDaemon(n);
    try {
      launch(n);
    } catch (IOException e) {
      throw new IllegalStateException("cannot restart " + n.ports.name() + "'s daemon: " + e.getMessage(), e);
    }
  }

  @Override
  public void packetLoss(double probability) {
    if (!network.supportsLoss()) {
      throw new UnsupportedOperationException("this network cannot drop packets");
    }
    network.loss(probability);
  }

  @Override
  public void delay(int millis) {
    if (!network.supportsDelay()) {
      throw new UnsupportedOperationException("this network cannot delay packets (no netem on this machine)");
    }
    network.delay(millis);
  }

  private static void requireNodeComponent(Component c) {
    if (c == Component.DCS_MEMBER) {
      throw new UnsupportedOperationException("a full-stack cluster has no separate DCS member to fault "
          + "(it lives inside the daemon: use DAEMON)");
    }
  }

  // ---- diagnostics and cleanup ----

  /** The tail (last 30 lines) of every daemon's log, for failure messages. Never contains the passwords. */
  public String diagnostics() {
    StringBuilder sb = new StringBuilder();
    for (Node n : nodes) {
      String[] lines;
      try {
        lines = Files.exists(n.log()) ? Files.readString(n.log(), StandardCharsets.UTF_8).split("\n") : new String[0];
      } catch (IOException e) {
        lines = new String[0];
      }
      sb.append("\n--- ").append(n.ports.name()).append(" (last 30 lines) ---\n");
      for (int i = Math.max(0, lines.length - 30); i < lines.length; i++) {
        sb.append(lines[i].replace(superPassword, "***").replace(replPassword, "***")).append('\n');
      }
    }
    return sb.toString();
  }

  /** The whole log of node {@code node}'s daemon (every launch), passwords masked. */
  public String log(int node) {
    try {
      Path f = nodes.get(node).log();
      return Files.exists(f) ? Files.readString(f, StandardCharsets.UTF_8).replace(superPassword, "***")
          .replace(replPassword, "***") : "";
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * Stops everything by PID: daemons (and their children), paused trees thawed, PostgreSQL stopped
   * ({@code pg_ctl stop -m immediate}), the network removed, the directory deleted (temporary ones, unless
   * {@code PGQUORUM_KEEP_IT_DIRS=true}).
   */
  @Override
  public synchronized void close() {
    if (configEditor != null) {
      configEditor.close();
    }
    for (Node n : nodes) {
      if (n.daemonPaused) {
        ProcessTools.signal("CONT", List.of(n.jvmPid));
      }
      if (n.jvmPid > 0) {
        ProcessHandle.of(n.jvmPid).ifPresent(h -> h.descendants().forEach(d -> strays.add(d.pid())));
      }
      killDaemon(n);
    }
    List<Long> alive = strays.stream().filter(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false))
        .filter(p -> !isPostgres(p)).toList();
    ProcessTools.signal("KILL", alive);
    for (Node n : nodes) {
      n.pgPause.close();
      if (Files.exists(n.dataDir().resolve("postmaster.pid"))) {
        List<String> cmd = new ArrayList<>();
        if (ProcessTools.isRoot() && spec.runAsUser() != null) {
          cmd.addAll(List.of("runuser", "-u", spec.runAsUser(), "--"));
        }
        cmd.addAll(List.of(PG_BIN + "/pg_ctl", "stop", "-m", "immediate", "-w", "-t", "20", "-D",
            n.dataDir().toString()));
        ProcessTools.run(cmd, 30);
        ProcessTools.postmasterPid(n.dataDir()).ifPresent(pid -> ProcessTools.signal("KILL", List.of(pid)));
      }
    }
    network.close();
    if (tempBase && !"true".equals(System.getenv("PGQUORUM_KEEP_IT_DIRS"))) {
      try (Stream<Path> walk = Files.walk(base)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        // best effort: a temp dir left behind is reported by nobody, but never fails a run
      }
    }
  }

  private static boolean isPostgres(long pid) {
    return ProcessHandle.of(pid).flatMap(h -> h.info().command()).map(c -> c.endsWith("/postgres")).orElse(false);
  }


  private static String secret() {
    return HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
  }

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
