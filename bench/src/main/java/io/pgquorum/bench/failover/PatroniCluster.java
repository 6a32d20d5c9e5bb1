package io.pgquorum.bench.failover;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgquorum.bench.Tools;
import io.pgquorum.bench.proc.ProcStats;
import io.pgquorum.bench.report.Result;
import io.pgquorum.jepsen.stack.PgClusterSpec.SyncMode;
import io.pgquorum.testkit.FreePorts;
import io.pgquorum.testkit.proc.ProcInfo;
import io.pgquorum.testkit.proc.Signals;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Patroni (Debian's package) with an etcd cluster, all on 127.0.0.1: node i is one Patroni process driving one
 * PostgreSQL 15, with one etcd member running beside it (a typical deployment: one etcd member per database
 * host). Patroni talks to every etcd member through the v3 API ({@code etcd3:}).
 *
 * <p>{@link #killNode} kills Patroni, the whole PostgreSQL process tree AND that node's etcd member: pgquorum's
 * DCS member lives inside its daemon, so a kill -9 of a pgquorum node also removes a Raft member (possibly the
 * Raft leader); killing the etcd member beside the Patroni node is the equivalent.
 */
public final class PatroniCluster implements HaCluster {
  static final String SCOPE = "bench";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Tools tools;
  private final Path base;
  private final List<PatroniYaml> configs = new ArrayList<>();
  private final List<EtcdMember> etcd = new ArrayList<>();
  private final Process[] patroni;
  private final Process[] etcdProcs;
  private final String token = HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
  private final String superPassword = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
  private final String replPassword = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private PatroniCluster(Tools tools, Path base, int nodes) {
    this.tools = tools;
    this.base = base;
    this.patroni = new Process[nodes];
    this.etcdProcs = new Process[nodes];
  }

  /**
   * Starts etcd and Patroni under {@code base}, bootstrapping with replication mode {@code sync}, and waits (up to
   * 4 minutes) until healthy. Fails with a message naming the Debian packages to install when etcd or Patroni is
   * missing.
   */
  public static PatroniCluster start(Tools tools, Path base, int nodes, Timing timing, SyncMode sync)
      throws IOException {
    requireInstalled(tools);
    PatroniCluster c = new PatroniCluster(tools, base, nodes);
    try {
      c.setUp(nodes, timing, sync);
      ClusterHealth.await(c, Duration.ofMinutes(4));
      return c;
    } catch (RuntimeException | IOException e) {
      String diag = c.diagnostics();
      c.close();
      throw new IllegalStateException("Patroni cluster did not start: " + e.getMessage() + diag, e);
    }
  }

  /** Throws naming what to apt-get install when etcd, Patroni or PostgreSQL 15 is missing. */
  public static void requireInstalled(Tools tools) {
    List<String> missing = new ArrayList<>();
    if (!tools.hasEtcd()) {
      missing.add("etcd-server (no " + tools.etcd() + ")");
    }
    if (!tools.hasPatroni()) {
      missing.add("patroni (no " + tools.patroni() + ")");
    }
    if (!Files.isExecutable(tools.pgBin().resolve("postgres"))) {
      missing.add("postgresql-15 (no " + tools.pgBin().resolve("postgres") + ")");
    }
    if (!missing.isEmpty()) {
      throw new IllegalStateException("missing: " + String.join(", ", missing) + "; install with "
          + "'apt-get install -y etcd-server etcd-client patroni postgresql-15'");
    }
  }

  private void setUp(int nodes, Timing timing, SyncMode sync) throws IOException {
    Set<Integer> used = new HashSet<>();
    for (int i = 0; i < nodes; i++) {
      Path dir = Files.createDirectories(base.resolve("node" + (i + 1)));
      etcd.add(new EtcdMember("etcd" + (i + 1), FreePorts.next(), FreePorts.next(), dir.resolve("etcd")));
    }
    List<Integer> clientPorts = etcd.stream().map(EtcdMember::clientPort).toList();
    for (int i = 0; i < nodes; i++) {
      Path dir = base.resolve("node" + (i + 1));
      PatroniYaml y = new PatroniYaml(SCOPE, "node" + (i + 1), FreePorts.next(), FreePorts.next(), clientPorts,
          timing.ttl(), timing.loopWait(), timing.retryTimeout(), sync, dir, tools.pgBin(), superPassword,
          replPassword);
      configs.add(y);
      Files.writeString(dir.resolve("patroni.yml"), y.render());
      // Patroni writes the superuser's password into pgpass; the config file holds them too: owner only.
      dir.resolve("patroni.yml").toFile().setReadable(false, false);
      dir.resolve("patroni.yml").toFile().setReadable(true, true);
    }
    for (int i = 0; i < nodes; i++) {
      startEtcd(i);
    }
    awaitEtcd(Duration.ofSeconds(60));
    for (int i = 0; i < nodes; i++) {
      startPatroni(i);
    }
  }

  private void startEtcd(int i) throws IOException {
    etcdProcs[i] = etcd.get(i).start(tools.etcd(), etcd, token, base.resolve("node" + (i + 1)).resolve("etcd.log"));
  }

  private void startPatroni(int i) throws IOException {
    Path dir = base.resolve("node" + (i + 1));
    patroni[i] = new ProcessBuilder(tools.patroni().toString(), dir.resolve("patroni.yml").toString())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("patroni.log")
            .toFile())).start();
  }

  private void awaitEtcd(Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      boolean all = true;
      for (int i = 0; i < etcd.size(); i++) {
        all &= dcsLeader(i) != null;
      }
      if (all) {
        return;
      }
      ClusterHealth.sleep(200); // poll interval of a condition with a deadline
    }
    throw new IllegalStateException("etcd did not answer on every member within " + within.toSeconds() + " s");
  }

  @Override
  public String system() {
    return Result.PATRONI;
  }

  @Override
  public int size() {
    return configs.size();
  }

  @Override
  public String name(int node) {
    return configs.get(node).name();
  }

  @Override
  public int primary() {
    List<CompletableFuture<Integer>> answers = new ArrayList<>();
    for (int i = 0; i < size(); i++) {
      answers.add(status(configs.get(i).restPort(), "/primary"));
    }
    int found = -1;
    int count = 0;
    for (int i = 0; i < answers.size(); i++) {
      if (answers.get(i).join() == 200) {
        found = i;
        count++;
      }
    }
    return count == 1 ? found : -1;
  }

  private CompletableFuture<Integer> status(int port, String path) {
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(1)).GET().build();
    return http.sendAsync(req, HttpResponse.BodyHandlers.discarding()).thenApply(HttpResponse::statusCode)
        .exceptionally(t -> 0);
  }

  /** GET a Patroni REST path on node {@code node}: the body as JSON, or empty when it did not answer 200. */
  public Optional<JsonNode> restJson(int node, String path) {
    try {
      HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + configs.get(node).restPort()
          + path)).timeout(Duration.ofSeconds(2)).GET().build();
      HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? Optional.of(JSON.readTree(r.body())) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  @Override
  public Connection connect(int node, int connectTimeoutSeconds, int socketTimeoutSeconds) throws SQLException {
    return connectTo(postgresEndpoint(node), connectTimeoutSeconds, socketTimeoutSeconds);
  }

  @Override
  public Endpoint postgresEndpoint(int node) {
    return new Endpoint("127.0.0.1", configs.get(node).pgPort());
  }

  @Override
  public Endpoint restEndpoint(int node) {
    return new Endpoint("127.0.0.1", configs.get(node).restPort());
  }

  @Override
  public Connection connectTo(Endpoint at, int connectTimeoutSeconds, int socketTimeoutSeconds)
      throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", "postgres");
    p.setProperty("password", superPassword);
    p.setProperty("connectTimeout", String.valueOf(connectTimeoutSeconds));
    p.setProperty("loginTimeout", String.valueOf(connectTimeoutSeconds + 1));
    p.setProperty("socketTimeout", String.valueOf(socketTimeoutSeconds));
    p.setProperty("ApplicationName", "bench");
    return DriverManager.getConnection("jdbc:postgresql://" + at + "/postgres", p);
  }

  @Override
  public String dcsLeader(int viaNode) {
    String key = Base64.getEncoder().encodeToString(("/service/" + SCOPE + "/leader")
        .getBytes(StandardCharsets.UTF_8));
    try {
      HttpRequest req = HttpRequest.newBuilder(URI.create(etcd.get(viaNode).clientUrl() + "/v3/kv/range"))
          .timeout(Duration.ofSeconds(1))
          .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"" + key + "\"}")).build();
      HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        return null;
      }
      JsonNode kvs = JSON.readTree(r.body()).path("kvs");
      if (!kvs.isArray() || kvs.isEmpty()) {
        return "";
      }
      return new String(Base64.getDecoder().decode(kvs.get(0).path("value").asText()), StandardCharsets.UTF_8);
    } catch (IOException | IllegalArgumentException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  @Override
  public void killNode(int node) {
    List<Long> pids = new ArrayList<>(postgresPids(node));
    pid(patroni[node]).ifPresent(pids::add);
    pid(etcdProcs[node]).ifPresent(pids::add);
    Signals.send("KILL", pids);
    ProcInfo.awaitExit(pids, Duration.ofSeconds(10));
  }

  @Override
  public void terminateCoordinator(int node) {
    pid(patroni[node]).ifPresent(p -> Signals.send("TERM", List.of(p)));
  }

  @Override
  public boolean awaitCoordinatorExit(int node, Duration within) {
    return pid(patroni[node]).map(p -> ProcInfo.awaitExit(p, within)).orElse(true);
  }

  @Override
  public void restartNode(int node) {
    try {
      if (pid(etcdProcs[node]).isEmpty()) {
        startEtcd(node);
      }
      if (pid(patroni[node]).isEmpty()) {
        startPatroni(node);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot restart " + name(node) + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void awaitHealthy(Duration within) {
    ClusterHealth.await(this, within);
  }

  @Override
  public List<Long> coordinatorPids(int node) {
    List<Long> out = new ArrayList<>();
    pid(patroni[node]).ifPresent(out::add);
    pid(etcdProcs[node]).ifPresent(out::add);
    return out;
  }

  @Override
  public List<Long> postgresPids(int node) {
    Optional<Long> pm = postmasterPid(configs.get(node).dataDir());
    return pm.map(ProcStats::tree).orElse(List.of());
  }

  @Override
  public Map<String, String> settings() {
    Map<String, String> s = new LinkedHashMap<>();
    for (int i = 0; i < size(); i++) {
      Optional<JsonNode> cfg = restJson(i, "/config");
      if (cfg.isPresent()) {
        JsonNode c = cfg.get();
        s.put("dynamic config in effect (GET /config)", "ttl " + c.path("ttl").asText("?") + ", loop_wait "
            + c.path("loop_wait").asText("?") + ", retry_timeout " + c.path("retry_timeout").asText("?")
            + ", synchronous_mode " + c.path("synchronous_mode").asText("false") + ", synchronous_mode_strict "
            + c.path("synchronous_mode_strict").asText("false"));
        break;
      }
    }
    s.put("DCS", "etcd v3 API (etcd3: section), one etcd member per node, etcd defaults (heartbeat 100 ms, "
        + "election timeout 1 s)");
    return s;
  }

  /** The dynamic configuration's ttl, loop_wait and retry_timeout as GET /config reports them. */
  public Optional<Timing> effectiveTiming() {
    for (int i = 0; i < size(); i++) {
      Optional<JsonNode> cfg = restJson(i, "/config");
      if (cfg.isPresent() && cfg.get().has("ttl")) {
        JsonNode c = cfg.get();
        return Optional.of(new Timing(c.path("ttl").asInt(), c.path("loop_wait").asInt(),
            c.path("retry_timeout").asInt()));
      }
    }
    return Optional.empty();
  }

  @Override
  public String diagnostics() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < configs.size(); i++) {
      for (String f : List.of("patroni.log", "etcd.log")) {
        Path p = base.resolve("node" + (i + 1)).resolve(f);
        String[] lines;
        try {
          lines = Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8).split("\n") : new String[0];
        } catch (IOException e) {
          lines = new String[0];
        }
        sb.append("\n--- node").append(i + 1).append(' ').append(f).append(" (last 15 lines) ---\n");
        for (int k = Math.max(0, lines.length - 15); k < lines.length; k++) {
          sb.append(lines[k].replace(superPassword, "***").replace(replPassword, "***")).append('\n');
        }
      }
    }
    return sb.toString();
  }

  @Override
  public synchronized void close() {
    List<Long> pids = new ArrayList<>();
    for (int i = 0; i < configs.size(); i++) {
      pids.addAll(postgresPids(i));
      pid(patroni[i]).ifPresent(pids::add);
    }
    for (Process e : etcdProcs) {
      pid(e).ifPresent(pids::add);
    }
    Signals.send("KILL", pids);
    ProcInfo.awaitExit(pids, Duration.ofSeconds(15));
  }

  private static Optional<Long> pid(Process p) {
    return p != null && p.isAlive() ? Optional.of(p.pid()) : Optional.empty();
  }

  /** The live postmaster of {@code dataDir}, from its {@code postmaster.pid} (checked to be a postgres process). */
  static Optional<Long> postmasterPid(Path dataDir) {
    return ProcInfo.pidFromFile(dataDir.resolve("postmaster.pid"))
        .filter(pid -> ProcStats.command(pid).contains("postgres"));
  }

  @Override
  public String toString() {
    return "PatroniCluster[" + configs.size() + " nodes, " + base + "]";
  }
}
