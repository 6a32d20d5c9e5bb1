package io.pgquorum.bench.failover;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgquorum.bench.proc.ProcStats;
import io.pgquorum.bench.proc.Signals;
import io.pgquorum.bench.report.Result;
import io.pgquorum.jepsen.fault.Component;
import io.pgquorum.jepsen.stack.PgCluster;
import io.pgquorum.jepsen.stack.PgClusterSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A pgquorum cluster for the bench: the fault-injection harness's {@link PgCluster} (real daemons through
 * {@code bin/pgquorum}, real PostgreSQL 15) on its proxy network, the only one it offers without root: Raft, the
 * daemons' REST calls to each other and replication pass through loopback TCP proxies inside the bench JVM
 * (nothing is cut or delayed; the proxies' cost is one extra loopback hop). The bench's own clients and probes
 * reach every node directly.
 *
 * <p>The daemons run with the JVM options {@code bin/pgquorum} ships (read from the script at run time) plus the
 * proxy network's hosts-file property, not with PgCluster's own test options; {@code PGQUORUM_BENCH_JAVA_OPTS}
 * replaces the shipped options (for footprint experiments).
 */
public final class PgQuorumCluster implements HaCluster {
  /** Environment variable replacing bin/pgquorum's default JVM options in the bench. */
  public static final String JAVA_OPTS_OVERRIDE = "PGQUORUM_BENCH_JAVA_OPTS";
  private static final Pattern DEFAULT_OPTS = Pattern.compile("\\$\\{PGQUORUM_JAVA_OPTS:-([^}]*)}");

  private final PgCluster cluster;
  private final String javaOpts;

  private PgQuorumCluster(PgCluster cluster, String javaOpts) {
    this.cluster = cluster;
    this.javaOpts = javaOpts;
  }

  /** Starts {@code nodes} nodes under {@code base} and waits until healthy (PgCluster's 3 minutes). */
  public static PgQuorumCluster start(Path pgquorumHome, Path base, int nodes, Timing timing) throws IOException {
    String opts = javaOptions(pgquorumHome);
    PgClusterSpec spec = PgClusterSpec.defaults().withNodes(nodes)
        .withTiming(timing.ttl(), timing.loopWait(), timing.retryTimeout()).withBaseDir(base);
    for (int i = 0; i < nodes; i++) {
      // PgCluster sets its own options first; env(1) lets this later assignment win. The hosts file is the
      // proxy network's (see ProxyNetwork): without it peers cannot resolve each other.
      spec = spec.withEnv(i, "PGQUORUM_JAVA_OPTS",
          opts + " -Djdk.net.hosts.file=" + base.resolve("node" + (i + 1)).resolve("hosts"));
    }
    PgQuorumCluster c = new PgQuorumCluster(PgCluster.start(spec), opts);
    try {
      ClusterHealth.await(c, Duration.ofMinutes(2));
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
    return shippedJavaOptions(Files.readString(pgquorumHome.resolve("bin/pgquorum")));
  }

  /** The default of {@code ${PGQUORUM_JAVA_OPTS:-...}} in the text of bin/pgquorum. */
  public static String shippedJavaOptions(String script) {
    Matcher m = DEFAULT_OPTS.matcher(script);
    if (!m.find()) {
      throw new IllegalStateException("bin/pgquorum has no ${PGQUORUM_JAVA_OPTS:-...} default to read");
    }
    return m.group(1).trim();
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
  public String dcsLeader(int viaNode) {
    PgCluster.HttpResult r = cluster.get(viaNode, "/cluster");
    if (r.status() != 200) {
      return null;
    }
    JsonNode members = r.json().path("members");
    if (!members.isArray()) {
      return null;
    }
    for (JsonNode m : members) {
      if ("leader".equals(m.path("role").asText())) {
        return m.path("name").asText();
      }
    }
    return "";
  }

  @Override
  public void killNode(int node) {
    List<Long> pids = new ArrayList<>();
    long jvm = cluster.daemonPid(node);
    if (Signals.alive(jvm)) {
      pids.addAll(ProcStats.tree(jvm)); // the daemon and its watchdog child
    }
    pids.addAll(postgresPids(node));
    Signals.send("KILL", pids);
    Signals.awaitExit(pids, 10_000);
    cluster.kill(node, Component.DAEMON); // lets PgCluster forget the launcher; the JVM is already gone
  }

  @Override
  public void terminateCoordinator(int node) {
    Signals.send("TERM", List.of(cluster.daemonPid(node)));
  }

  @Override
  public boolean awaitCoordinatorExit(int node, Duration within) {
    return Signals.awaitExit(List.of(cluster.daemonPid(node)), within.toMillis());
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
    if (!Signals.alive(jvm)) {
      return List.of();
    }
    return ProcStats.tree(jvm).stream().filter(p -> !ProcStats.command(p).contains("postgres")).toList();
  }

  @Override
  public List<Long> postgresPids(int node) {
    return cluster.postmasterPid(node).map(ProcStats::tree).orElse(List.of());
  }

  @Override
  public Map<String, String> settings() {
    Map<String, String> s = new LinkedHashMap<>();
    for (int i = 0; i < size(); i++) {
      PgCluster.HttpResult r = cluster.get(i, "/config");
      if (r.status() == 200) {
        JsonNode c = r.json();
        s.put("dynamic config in effect (GET /config)", "ttl " + c.path("ttl").asText("?") + ", loop_wait "
            + c.path("loop_wait").asText("?") + ", retry_timeout " + c.path("retry_timeout").asText("?"));
        break;
      }
    }
    s.put("daemon JVM options", javaOpts);
    s.put("network", "PgCluster proxy network: Raft, peer REST and replication through loopback proxies in the "
        + "bench JVM (no faults injected)");
    return s;
  }

  /** The dynamic configuration's timing as GET /config reports it. */
  public Optional<Timing> effectiveTiming() {
    for (int i = 0; i < size(); i++) {
      PgCluster.HttpResult r = cluster.get(i, "/config");
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
    cluster.close();
  }

  @Override
  public String toString() {
    return "PgQuorumCluster[" + cluster + "]";
  }
}
