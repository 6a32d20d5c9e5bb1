package io.pgquorum.bench.failover;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgquorum.bench.proc.ProcStats;
import io.pgquorum.bench.report.Result;
import io.pgquorum.jepsen.fault.Component;
import io.pgquorum.jepsen.stack.HttpResult;
import io.pgquorum.jepsen.stack.NodeAddresses;
import io.pgquorum.jepsen.stack.PgCluster;
import io.pgquorum.jepsen.stack.PgClusterSpec;
import io.pgquorum.jepsen.stack.PgClusterSpec.SyncMode;
import io.pgquorum.testkit.RepoRoot;
import io.pgquorum.testkit.proc.ProcInfo;
import io.pgquorum.testkit.proc.Signals;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A pgquorum cluster for the bench: the fault-injection harness's {@link PgCluster} (real daemons through
 * {@code bin/pgquorum}, real PostgreSQL 15) on its direct network: Raft, the daemons' REST calls to each other and
 * replication go straight over the loopback, as Patroni's and etcd's do on the other side of every comparison (the
 * bench injects no network fault; until 2026-12-05 it used the proxy network, whose proxies in the bench JVM added
 * a loopback hop and the bench JVM's scheduling to every Raft message and every replication round trip). The
 * bench's own clients and probes reach every node directly, including its reader of the DCS leader key
 * ({@link RaftLeaderKeyReader}), which dials the members' Raft bind addresses.
 *
 * <p>The daemons run with the JVM options {@code bin/pgquorum} ships (read from the script at run time) plus the
 * network's hosts-file property, not with PgCluster's own test options; {@code PGQUORUM_BENCH_JAVA_OPTS}
 * replaces the shipped options (for footprint experiments).
 */
public final class PgQuorumCluster implements HaCluster {
  /** Environment variable replacing bin/pgquorum's default JVM options in the bench. */
  public static final String JAVA_OPTS_OVERRIDE = "PGQUORUM_BENCH_JAVA_OPTS";

  /** PgCluster's {@code scope} (its generated YAML), which is also the Raft group name. */
  static final String SCOPE = "jepsen";
  /** The leader key under PgCluster's {@code namespace: /service/} (Patroni's layout). */
  static final String LEADER_KEY = "/service/" + SCOPE + "/leader";

  private final PgCluster cluster;
  private final String javaOpts;
  private final RaftLeaderKeyReader leaderKey;

  private PgQuorumCluster(PgCluster cluster, String javaOpts) {
    this.cluster = cluster;
    this.javaOpts = javaOpts;
    List<NodeAddresses> members = new ArrayList<>();
    for (int i = 0; i < cluster.size(); i++) {
      members.add(cluster.network().addresses(i));
    }
    this.leaderKey = new RaftLeaderKeyReader(SCOPE, LEADER_KEY, members);
  }

  /**
   * Starts {@code nodes} nodes under {@code base}, bootstrapping with replication mode {@code sync}, and waits until
   * healthy (PgCluster's 3 minutes).
   */
  public static PgQuorumCluster start(Path pgquorumHome, Path base, int nodes, Timing timing, SyncMode sync)
      throws IOException {
    return start(pgquorumHome, base, nodes, timing, sync, Optional.empty());
  }

  /** As above, with every node's {@code raft.election_timeout} set when {@code electionTimeout} is given. */
  public static PgQuorumCluster start(Path pgquorumHome, Path base, int nodes, Timing timing, SyncMode sync,
      Optional<Duration> electionTimeout) throws IOException {
    String opts = javaOptions(pgquorumHome);
    PgClusterSpec spec = PgClusterSpec.defaults().withNodes(nodes)
        .withTiming(timing.ttl(), timing.loopWait(), timing.retryTimeout()).withBaseDir(base).withSync(sync)
        .withDirectNetwork();
    if (electionTimeout.isPresent()) {
      spec = spec.withEnvEverywhere("PATRONI_RAFT_ELECTION_TIMEOUT", Variant.seconds(electionTimeout.get()));
    }
    for (int i = 0; i < nodes; i++) {
      // PgCluster sets its own options first; env(1) lets this later assignment win. The hosts file is the
      // network's (see DirectNetwork): without it peers cannot resolve each other's names.
      spec = spec.withEnv(i, "PGQUORUM_JAVA_OPTS",
          opts + " -Djdk.net.hosts.file=" + base.resolve("node" + (i + 1)).resolve("hosts"));
    }
    PgCluster started = PgCluster.start(spec);
    PgQuorumCluster c;
    try {
      c = new PgQuorumCluster(started, opts);
    } catch (RuntimeException e) {
      started.close();
      throw e;
    }
    try {
      ClusterHealth.await(c, Duration.ofMinutes(2));
      c.awaitLeaderKeyReadable(Duration.ofSeconds(30));
      return c;
    } catch (RuntimeException e) {
      String diag = c.diagnostics();
      c.close();
      throw new IllegalStateException(e.getMessage() + diag, e);
    }
  }

  /** The daemon JVM options the bench uses: the override, else bin/pgquorum's default. */
  public static String javaOptions(Path pgquorumHome) throws IOException {
    String override = System.getenv(JAVA_OPTS_OVERRIDE);
    if (override != null && !override.isBlank()) {
      return override.trim();
    }
    return RepoRoot.shippedJavaOptions(pgquorumHome);
  }

  /** The JVM options the daemons run with (without the hosts-file property). */
  public String javaOpts() {
    return javaOpts;
  }

  @Override
  public String system() {
    return Result.PGQUORUM;
  }

  @Override
  public int size() {
    return cluster.size();
  }

  @Override
  public String name(int node) {
    return cluster.name(node);
  }

  @Override
  public int primary() {
    // PgCluster.primary() answers from a 300 ms cache; the health check wants a fresh answer.
    int found = -1;
    int count = 0;
    for (int i = 0; i < size(); i++) {
      if (cluster.get(i, "/primary").status() == 200) {
        found = i;
        count++;
      }
    }
    return count == 1 ? found : -1;
  }

  @Override
  public Connection connect(int node, int connectTimeoutSeconds, int socketTimeoutSeconds) throws SQLException {
    return cluster.connect(node, connectTimeoutSeconds, socketTimeoutSeconds);
  }

  @Override
  public Endpoint postgresEndpoint(int node) {
    return new Endpoint(cluster.network().addresses(node).harnessHost(), cluster.ports(node).pgPort());
  }

  @Override
  public Endpoint restEndpoint(int node) {
    return new Endpoint(cluster.network().addresses(node).harnessHost(), cluster.ports(node).restPort());
  }

  @Override
  public Connection connectTo(Endpoint at, int connectTimeoutSeconds, int socketTimeoutSeconds)
      throws SQLException {
    return cluster.connect(at.host(), at.port(), connectTimeoutSeconds, socketTimeoutSeconds);
  }

  /**
   * The leader key read straight from the Raft DCS by the bench's own client, a linearizable get starting at node
   * {@code viaNode}'s member (see {@link RaftLeaderKeyReader}); not the daemon's {@code GET /cluster}, which shows
   * the HA loop's last published snapshot and so lags the DCS by up to a cycle.
   */
  @Override
  public String dcsLeader(int viaNode) {
    return leaderKey.leader(viaNode);
  }

  /**
   * Makes sure the bench's DCS reader sees what the cluster says (the primary holds the leader key through every
   * member): a wrong group name or key would otherwise read as "no leader key" and pass for instant detection.
   */
  private void awaitLeaderKeyReadable(Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      int p = primary();
      boolean all = p >= 0;
      for (int i = 0; all && i < size(); i++) {
        String holder = dcsLeader(i);
        all = name(p).equals(holder);
        last = "read via " + name(i) + ": " + (holder == null ? "no answer" : holder.isEmpty() ? "no leader key"
            : holder) + ", primary " + name(p);
      }
      if (all) {
        return;
      }
      ClusterHealth.sleep(200); // poll interval of a condition with a deadline
    }
    throw new IllegalStateException("the bench's Raft client did not read " + LEADER_KEY + " as the primary's "
        + "name through every member within " + within.toSeconds() + " s (last: " + last + ")");
  }

  /** Node {@code node}'s Raft member id (its {@code raft.self_addr} text, as the group knows it). */
  public String raftMemberId(int node) {
    return RaftLeaderKeyReader.peer(cluster.network().addresses(node)).id();
  }

  /** Every member's Raft role by member id, as each member reports it (see {@link RaftLeaderKeyReader#roles()}). */
  public Map<String, String> raftRoles() {
    return leaderKey.roles();
  }

  /** Asks the DCS's Raft leader to hand leadership to node {@code node}'s member; throws DcsException. */
  public void transferRaftLeadership(int node, Duration timeout) {
    leaderKey.transferLeadership(raftMemberId(node), timeout);
  }

  @Override
  public void killNode(int node) {
    killNode(node, () -> { });
  }

  /**
   * As {@link #killNode(int)}, running {@code afterSignal} as soon as SIGKILL went out, before waiting for the
   * processes to exit and the harness to forget them (together more than a second on a loaded machine: an observer
   * started after this returns sees an election that ended before it started).
   */
  public void killNode(int node, Runnable afterSignal) {
    List<Long> pids = new ArrayList<>();
    long jvm = cluster.daemonPid(node);
    if (ProcInfo.alive(jvm)) {
      pids.addAll(ProcStats.tree(jvm)); // the daemon and its watchdog child
    }
    pids.addAll(postgresPids(node));
    Signals.send("KILL", pids);
    afterSignal.run();
    ProcInfo.awaitExit(pids, Duration.ofSeconds(10));
    cluster.kill(node, Component.DAEMON); // lets PgCluster forget the launcher; the JVM is already gone
  }

  @Override
  public void terminateCoordinator(int node) {
    Signals.send("TERM", List.of(cluster.daemonPid(node)));
  }

  @Override
  public boolean awaitCoordinatorExit(int node, Duration within) {
    return ProcInfo.awaitExit(cluster.daemonPid(node), within);
  }

  @Override
  public void restartNode(int node) {
    cluster.restart(node, Component.DAEMON);
  }

  @Override
  public void awaitHealthy(Duration within) {
    ClusterHealth.await(this, within);
  }

  @Override
  public List<Long> coordinatorPids(int node) {
    long jvm = cluster.daemonPid(node);
    if (!ProcInfo.alive(jvm)) {
      return List.of();
    }
    return ProcStats.tree(jvm).stream().filter(p -> !ProcStats.command(p).contains("postgres")).toList();
  }

  /**
   * How many of the daemons map a class-data sharing archive (bin/lib-classpath.sh: a build's first start records
   * the classes, later starts map the archive), read from their command lines: the memory and start-up CPU
   * measured depend on it.
   */
  public long daemonsMappingSharedArchive() {
    long n = 0;
    for (int i = 0; i < size(); i++) {
      if (ProcStats.commandLine(cluster.daemonPid(i)).stream().anyMatch(w -> w.startsWith("-XX:SharedArchiveFile="))) {
        n++;
      }
    }
    return n;
  }

  @Override
  public List<Long> postgresPids(int node) {
    return cluster.postmasterPid(node).map(ProcStats::tree).orElse(List.of());
  }

  @Override
  public Map<String, String> settings() {
    Map<String, String> s = new LinkedHashMap<>();
    for (int i = 0; i < size(); i++) {
      HttpResult r = cluster.get(i, "/config");
      if (r.status() == 200) {
        JsonNode c = r.json();
        s.put("dynamic config in effect (GET /config)", "ttl " + c.path("ttl").asText("?") + ", loop_wait "
            + c.path("loop_wait").asText("?") + ", retry_timeout " + c.path("retry_timeout").asText("?")
            + ", synchronous_mode " + c.path("synchronous_mode").asText("false") + ", synchronous_mode_strict "
            + c.path("synchronous_mode_strict").asText("false"));
        break;
      }
    }
    s.put("daemon JVM options", javaOpts);
    s.put("network", "direct on 127.0.0.1 (PgCluster's direct network: Raft, peer REST and replication without "
        + "proxies, as Patroni and etcd talk)");
    return s;
  }

  /** The dynamic configuration's timing as GET /config reports it. */
  public Optional<Timing> effectiveTiming() {
    for (int i = 0; i < size(); i++) {
      HttpResult r = cluster.get(i, "/config");
      if (r.status() == 200 && r.json().has("ttl")) {
        JsonNode c = r.json();
        return Optional.of(new Timing(c.path("ttl").asInt(), c.path("loop_wait").asInt(),
            c.path("retry_timeout").asInt()));
      }
    }
    return Optional.empty();
  }

  @Override
  public String diagnostics() {
    return cluster.diagnostics();
  }

  @Override
  public void close() {
    leaderKey.close();
    cluster.close();
  }

  @Override
  public String toString() {
    return "PgQuorumCluster[" + cluster + "]";
  }
}
