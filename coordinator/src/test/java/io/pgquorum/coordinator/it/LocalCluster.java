package io.pgquorum.coordinator.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgquorum.backrest.BackrestSection;
import io.pgquorum.backrest.BackrestSettings;
import io.pgquorum.backrest.NodeLayout;
import io.pgquorum.backrest.run.BackrestRunner;
import io.pgquorum.dcs.ratis.DcsClientConfig;
import io.pgquorum.dcs.ratis.DcsServer;
import io.pgquorum.dcs.ratis.DcsServerConfig;
import io.pgquorum.dcs.ratis.PeerAddress;
import io.pgquorum.dcs.ratis.RatisDcsClient;
import io.pgquorum.testkit.FreePorts;
import io.pgquorum.testkit.NodeYaml;
import io.pgquorum.testkit.RepoRoot;
import io.pgquorum.testkit.net.LinkProxies;
import io.pgquorum.testkit.proc.Commands;
import io.pgquorum.testkit.proc.Daemon;
import io.pgquorum.testkit.proc.Launch;
import io.pgquorum.testkit.proc.LogFile;
import io.pgquorum.testkit.proc.ProcInfo;
import io.pgquorum.testkit.proc.Signals;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * A real pgquorum cluster on loopback for integration tests: N daemons started through {@code bin/pgquorum}
 * (separate JVMs, as users run them), each with its own PostgreSQL 15, DCS member and REST API on free ports,
 * everything under one temporary directory. Each daemon is a testkit {@link Daemon}; processes are stopped by PID
 * at {@link #close()}.
 */
final class LocalCluster implements AutoCloseable {
  static final String SUPERUSER_PASSWORD = "it-super-secret";
  static final String REPLICATION_PASSWORD = "it-repl-secret";
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The PostgreSQL 15 pg_ctl the nodes run with (bin_dir below), for tests that stop a server behind its daemon. */
  static final String PG_CTL = "/usr/lib/postgresql/15/bin/pg_ctl";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  final Path base;
  final String scope;
  final int ttl;
  /** bootstrap.dcs use_slots: set with {@link #useSlots} before {@link #startAll}. */
  private boolean useSlots = true;
  final boolean proxied;
  final List<NodeSpec> nodes = new ArrayList<>();
  /** DCS links between members, on 127.0.x.y (service octet 0) when {@link #proxied}. */
  final LinkProxies proxies = new LinkProxies(0);
  /** Extra environment for every daemon started from now on (e.g. PGQUORUM_PLANTED_BUG). */
  final Map<String, String> daemonEnv = new LinkedHashMap<>();
  /** Extra environment of one node's daemon, by node index (e.g. PGBACKREST_CONFIG naming its own file). */
  final Map<Integer, Map<String, String>> nodeEnv = new LinkedHashMap<>();
  /** Top-level YAML appended to a node's file (e.g. its tags), by node index; set by {@link #appendYaml}. */
  private final Map<Integer, String> extraYaml = new LinkedHashMap<>();
  /** YAML lines appended inside a node's postgresql section, by node index; set by {@link #appendPostgresqlYaml}. */
  private final Map<Integer, String> nodePostgresqlYaml = new LinkedHashMap<>();
  /** bootstrap.dcs.standby_cluster as YAML lines (empty: none); set by {@link #standbyOf}. */
  private String standbyCluster = "";
  /** Extra bootstrap.dcs postgresql.parameters as YAML lines; set by {@link #dcsParameters}. */
  private String dcsParameters = "";
  /** Extra YAML lines in bootstrap.dcs.postgresql (e.g. recovery_conf); set by {@link #dcsPostgresqlYaml}. */
  private String dcsPostgresql = "";
  /** Extra bootstrap keys (e.g. a custom method); set by {@link #bootstrapYaml}. */
  private String bootstrapExtra = "";
  /** Extra top-level bootstrap.dcs keys as YAML lines (e.g. synchronous_mode); set by {@link #dcsYaml}. */
  private String dcsYaml = "";
  /** Extra YAML lines in every node's postgresql section (e.g. a replica method); see {@link #postgresqlYaml}. */
  private String postgresqlYaml = "";
  /** The DCS ports of the witnesses ({@link #addWitness}), none by default. */
  private final List<Integer> witnessPorts = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** The witnesses' DCS members, once {@link #startWitness} has them running. */
  private final List<DcsServer> witnesses = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** One node's ports and paths. */
  static final class NodeSpec {
    final int index;
    final String name;
    final int raftPort;
    final int restPort;
    final int pgPort;
    final Path dir;
    /** Its daemon; what a killed one left behind (its watchdog) is in {@link Daemon#leftovers()}, reaped at close. */
    final Daemon daemon;

    NodeSpec(int index, Path base) throws IOException {
      this(index, "node" + (index + 1), base.resolve("node" + (index + 1)));
    }

    NodeSpec(int index, String name, Path dir) throws IOException {
      this.index = index;
      this.name = name;
      this.raftPort = FreePorts.next();
      this.restPort = FreePorts.next();
      this.pgPort = FreePorts.next();
      this.dir = dir;
      this.daemon = new Daemon(name + "'s daemon", log());
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

    /** PostgreSQL's own log (the daemon starts it with pg_ctl -l next to the data directory). */
    Path pgLog() {
      return dir.resolve("pgdata.postmaster.log");
    }
  }

  /**
   * @param proxied route DCS traffic through {@link LinkProxies} so that single members can be cut off
   */
  LocalCluster(String scope, int size, int ttl, boolean proxied) throws IOException {
    assertThat(new com.sun.security.auth.module.UnixSystem().getUid())
        .as("PostgreSQL refuses to run as root: run the integration tests as an ordinary user "
            + "(.ci/run does this with the pgquorum-ci user)")
        .isNotZero();
    this.scope = scope;
    this.ttl = ttl;
    this.proxied = proxied;
    this.base = Files.createTempDirectory("pgquorum-it-");
    for (int i = 0; i < size; i++) {
      nodes.add(new NodeSpec(i, base));
    }
    for (NodeSpec n : nodes) {
      Files.createDirectories(n.dir);
      Files.writeString(n.config(), yaml(n));
      if (proxied) {
        for (NodeSpec other : nodes) {
          if (other != n) {
            proxies.add(n.index, other.index, other.raftPort);
          }
        }
        Files.writeString(n.dir.resolve("hosts"), proxies.hostsFile(n.index, size, i -> hostName(nodes.get(i))));
      }
    }
  }

  /**
   * Adds a node named {@code name} (which may repeat an existing node's name: the misconfiguration under test) with
   * its own ports and directory {@code base/dirName}; its DCS partners are the nodes added before it. Not started.
   */
  NodeSpec addNode(String name, String dirName) throws IOException {
    if (proxied) {
      throw new IllegalStateException("addNode does not set up DCS proxies");
    }
    NodeSpec n = new NodeSpec(nodes.size(), name, base.resolve(dirName));
    nodes.add(n);
    Files.createDirectories(n.dir);
    Files.writeString(n.config(), yaml(n));
    return n;
  }

  /**
   * Sets bootstrap.dcs use_slots for every node and rewrites the nodes' files (the constructor has written them
   * already, so assigning a field afterwards would change nothing); call before starting.
   */
  void useSlots(boolean on) throws IOException {
    useSlots = on;
    for (NodeSpec n : nodes) {
      Files.writeString(n.config(), yaml(n));
    }
  }

  boolean useSlots() {
    return useSlots;
  }

  /**
   * Makes this cluster, not started yet, a standby cluster of the PostgreSQL at {@code host}:{@code port} the way
   * Patroni users create one (bootstrap.dcs.standby_cluster), and rewrites the nodes' files.
   */
  void standbyOf(String host, int port) throws IOException {
    standbyCluster = "\n    standby_cluster:\n      host: " + host + "\n      port: " + port;
    for (NodeSpec n : nodes) {
      Files.writeString(n.config(), yaml(n));
    }
  }

  /**
   * Makes this cluster, not started yet, a standby cluster with {@code section} (YAML lines indented by six
   * spaces, under bootstrap.dcs.standby_cluster), e.g. an archive-only one with just a restore_command, and
   * rewrites the nodes' files.
   */
  void standbyCluster(String section) throws IOException {
    standbyCluster = "\n    standby_cluster:\n" + section.stripTrailing();
    rewrite();
  }

  /** Adds bootstrap.dcs postgresql.parameters (e.g. archive_mode), by name; call before starting. */
  void dcsParameters(Map<String, String> parameters) throws IOException {
    StringBuilder sb = new StringBuilder();
    // JSON's quoted string is also YAML's double-quoted one: any command line survives.
    parameters.forEach((k, v) -> sb.append("\n        ").append(k).append(": ")
        .append(JSON.<JsonNode>valueToTree(v).toString()));
    dcsParameters = sb.toString();
    rewrite();
  }

  /**
   * Appends YAML lines to bootstrap.dcs.postgresql (each starting with a newline, indented by six spaces, e.g.
   * {@code "\n      recovery_conf:\n        restore_command: ..."}); call before starting.
   */
  void dcsPostgresqlYaml(String lines) throws IOException {
    dcsPostgresql += lines;
    rewrite();
  }

  /**
   * Appends top-level bootstrap.dcs keys (each line starting with a newline, indented by four spaces, e.g.
   * {@code "\n    synchronous_mode: true"}); call before starting.
   */
  void dcsYaml(String lines) throws IOException {
    dcsYaml += lines;
    rewrite();
  }

  /**
   * Replaces the extra bootstrap keys (indented by two spaces, each line ending with a newline), e.g. a custom
   * bootstrap method; nodes read them when their daemon starts next.
   */
  void bootstrapYaml(String lines) throws IOException {
    bootstrapExtra = lines;
    rewrite();
  }

  /** Appends YAML lines (indented by two spaces) to every node's postgresql section; call before starting. */
  void postgresqlYaml(String lines) throws IOException {
    postgresqlYaml += lines;
    rewrite();
  }

  private void rewrite() throws IOException {
    for (NodeSpec n : nodes) {
      Files.writeString(n.config(), yaml(n));
    }
  }

  /**
   * Appends top-level YAML (e.g. {@code "tags:\n  nofailover: true\n"}) to a node's configuration file, kept when
   * the file is rewritten; call before the node starts.
   */
  /** The line of the node file's postgresql section after which local postgresql keys are written. */
  private static final String PG_SECTION_ANCHOR = "  bin_dir: /usr/lib/postgresql/15/bin\n";

  /**
   * Sets the node's local {@code use_pg_rewind: false} and {@code remove_data_directory_on_diverged_timelines}
   * (its daemon reads them at start): with both off, a diverged node stays stopped and says why.
   */
  static void rewindOff(NodeSpec n, boolean removeDataDirectoryOnDivergedTimelines) throws IOException {
    String yaml = Files.readString(n.config());
    String base = yaml.replaceAll("  use_pg_rewind: \\w+\n  remove_data_directory_on_diverged_timelines: \\w+\n", "");
    if (!base.contains(PG_SECTION_ANCHOR)) {
      throw new AssertionError("no postgresql section anchor '" + PG_SECTION_ANCHOR.strip() + "' in " + n.config());
    }
    Files.writeString(n.config(), base.replace(PG_SECTION_ANCHOR, PG_SECTION_ANCHOR + "  use_pg_rewind: false\n"
        + "  remove_data_directory_on_diverged_timelines: " + removeDataDirectoryOnDivergedTimelines + "\n"));
  }

  void appendYaml(NodeSpec n, String yaml) throws IOException {
    extraYaml.merge(n.index, yaml, String::concat);
    Files.writeString(n.config(), yaml(n));
  }

  /**
   * Replaces the top-level YAML appended to a node's file (what {@link #appendYaml} added), e.g. to remove a tag;
   * the node reads it when its daemon starts next.
   */
  void replaceYaml(NodeSpec n, String yaml) throws IOException {
    extraYaml.put(n.index, yaml);
    Files.writeString(n.config(), yaml(n));
  }

  /**
   * Appends YAML inside a node's {@code postgresql} section (indented by two spaces, e.g.
   * {@code "  pre_promote: /bin/false\n"}), kept when the file is rewritten; call before the node starts. Why not
   * {@link #appendYaml}: a second top-level {@code postgresql} key would replace the whole section.
   */
  void appendPostgresqlYaml(NodeSpec n, String yaml) throws IOException {
    nodePostgresqlYaml.merge(n.index, yaml, String::concat);
    Files.writeString(n.config(), yaml(n));
  }

  /**
   * Adds a DCS voter that runs no PostgreSQL (a witness, as the README describes): a two-node cluster then
   * keeps its DCS majority when one node dies (with two witnesses, a three-node cluster when two die). Call before
   * starting, once per witness; {@link #startWitness} runs them in this JVM.
   */
  void addWitness() throws IOException {
    witnessPorts.add(FreePorts.next());
    for (NodeSpec n : nodes) {
      Files.writeString(n.config(), yaml(n));
    }
  }

  /**
   * Starts the witness's DCS member in the background: a founding member waits until a majority of the group
   * answers, so it must not block the test while the nodes start.
   */
  void startWitness() {
    for (int port : witnessPorts) {
      List<String> partners = new ArrayList<>(nodes.stream().map(n -> "127.0.0.1:" + n.raftPort).toList());
      witnessPorts.stream().filter(w -> w != port).forEach(w -> partners.add("127.0.0.1:" + w));
      // The first witness keeps its historical directory name.
      String dir = port == witnessPorts.get(0) ? "witness-raft" : "witness-raft-" + port;
      Thread t = new Thread(() -> witnesses.add(DcsServer.start(DcsServerConfig.builder()
          .groupName(scope)
          .selfAddr("127.0.0.1:" + port)
          .partnerAddrs(partners)
          .dataDir(base.resolve(dir))
          .build())), scope + "-witness-" + port);
      t.setDaemon(true);
      t.start();
    }
  }

  /**
   * Starts the first witness of {@link #addWitness} as users run one, {@code bin/pgquorum witness <file>} in a JVM
   * of its own (setsid, as {@link #start} does for a node), instead of in this JVM as {@link #startWitness} does.
   * Its file holds only scope, name and raft; its directory is base/witness (log: daemon.out). The returned daemon
   * is the caller's to stop; calling this again starts the witness again (the same port and raft.data_dir).
   */
  Daemon startWitnessProcess() throws IOException {
    int port = witnessPorts.get(0);
    Path dir = base.resolve("witness");
    Files.createDirectories(dir);
    Path config = dir.resolve("witness.yml");
    Files.writeString(config, "scope: " + scope + "\nname: witness\nraft:\n  self_addr: 127.0.0.1:" + port
        + "\n  partner_addrs: [" + String.join(", ", nodes.stream().map(n -> "127.0.0.1:" + n.raftPort).toList())
        + "]\n  data_dir: " + dir.resolve("raft") + "\n");
    return startWitnessProcess(config);
  }

  /** Starts {@code bin/pgquorum witness config} (a file written elsewhere, e.g. by init); its log is next to it. */
  Daemon startWitnessProcess(Path config) throws IOException {
    Path dir = config.getParent();
    Map<String, String> env = new LinkedHashMap<>(daemonEnv);
    env.put("PGQUORUM_JAVA_OPTS", RepoRoot.shippedJavaOptions(RepoRoot.find()));
    Daemon witness = new Daemon("the witness", dir.resolve("daemon.out"));
    witness.launch(new Launch(List.of("setsid", RepoRoot.pgquorumScript().toString(), "witness", config.toString()),
        env, "--- bin/pgquorum witness " + config, false));
    return witness;
  }

  /**
   * A client of this cluster's DCS (an observer, not a member), for reading and writing its keys. Not for a proxied
   * cluster: its members advertise host names that only their own hosts files resolve, and a Ratis client that a
   * follower redirects adopts those addresses and then reaches nobody (ask a member's REST API instead).
   */
  RatisDcsClient dcsClient() {
    if (proxied) {
      throw new IllegalStateException("a DCS client of this JVM cannot resolve a proxied cluster's member names");
    }
    return RatisDcsClient.connect(DcsClientConfig.builder()
        .groupName(scope)
        .members(Stream.concat(nodes.stream().map(n -> n.raftPort),
                witnessPorts.stream())
            .map(port -> new PeerAddress("127.0.0.1:" + port, "127.0.0.1", port)).toList())
        // 15 s: a new client's first call also sets up its channels, which took over 5 s on a loaded 2-core machine
        .operationTimeout(Duration.ofSeconds(15))
        .build(), "it-observer");
  }

  /** The DCS key {@code name} of this cluster (Patroni's layout: /service/scope/name). */
  String dcsKey(String name) {
    return "/service/" + scope + "/" + name;
  }

  private String hostName(NodeSpec n) {
    return proxied ? n.name + ".pgq.test" : "127.0.0.1";
  }

  private String yaml(NodeSpec n) {
    List<String> partners = new ArrayList<>();
    for (NodeSpec o : nodes) {
      if (o != n) {
        partners.add(hostName(o) + ":" + o.raftPort);
      }
    }
    witnessPorts.forEach(w -> partners.add("127.0.0.1:" + w));
    return new NodeYaml()
        .scope(scope, "/service/")
        .name(n.name)
        .rest("127.0.0.1:" + n.restPort, "127.0.0.1:" + n.restPort)
        .raft(hostName(n) + ":" + n.raftPort, "127.0.0.1:" + n.raftPort, partners, n.dir.resolve("raft"))
        .dcs(ttl, 1, 2, 1_048_576)
        .useSlots(useSlots)
        .dcsExtra(dcsParameters + dcsPostgresql + standbyCluster + dcsYaml)
        .bootstrapExtra(bootstrapExtra)
        .postgres("127.0.0.1:" + n.pgPort, "127.0.0.1:" + n.pgPort, n.dataDir(), n.dir.resolve("pgpass"))
        .passwords(SUPERUSER_PASSWORD, REPLICATION_PASSWORD)
        .render() + postgresqlYaml + nodePostgresqlYaml.getOrDefault(n.index, "") + extraYaml.getOrDefault(n.index, "");
  }

  /**
   * Starts (or restarts) a node's daemon through bin/pgquorum, in a session and process group of its own (setsid:
   * bin/pgquorum execs java, so the daemon JVM is the group leader), as a daemon started from a shell or a service
   * manager is; a signal to the daemon's group then never reaches this test JVM.
   */
  void start(NodeSpec n) throws IOException {
    start(n, List.of());
  }

  /** Starts a node's daemon with extra arguments before the configuration file (e.g. --join). */
  void start(NodeSpec n, List<String> options) throws IOException {
    List<String> command = new ArrayList<>();
    command.add("setsid");
    command.add(RepoRoot.pgquorumScript().toString());
    command.addAll(options);
    command.add(n.config().toString());
    // The JVM options bin/pgquorum ships, so the ITs exercise the small-footprint defaults users get.
    String opts = RepoRoot.shippedJavaOptions(RepoRoot.find());
    if (proxied) {
      opts += " -Djdk.net.hosts.file=" + n.dir.resolve("hosts");
    }
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PGQUORUM_JAVA_OPTS", opts);
    env.putAll(daemonEnv);
    env.putAll(nodeEnv.getOrDefault(n.index, Map.of()));
    n.daemon.launch(new Launch(command, env, null, false));
  }

  void startAll() throws IOException {
    for (NodeSpec n : nodes) {
      start(n);
    }
  }

  /** SIGKILL of the daemon JVM only (PostgreSQL, running detached, survives). */
  void killDaemon(NodeSpec n) {
    n.daemon.kill(Duration.ofSeconds(10));
  }

  /** SIGSTOP (true) or SIGCONT (false) of the daemon JVM alone: its watchdog and PostgreSQL keep running. */
  void pauseDaemon(NodeSpec n, boolean pause) {
    if (pause) {
      n.daemon.pause();
    } else {
      n.daemon.resume();
    }
  }

  /**
   * SIGSTOP (true) or SIGCONT (false) of the daemon's whole process group ({@code kill -STOP -<pgid>}, what Ctrl-Z in
   * a terminal does): everything in the daemon's group stops; its watchdog must not be in it.
   */
  void pauseDaemonGroup(NodeSpec n, boolean pause) throws IOException {
    long pgid = ProcInfo.processGroupOf(n.daemon.pid());
    assertThat(pgid).as("the daemon leads its process group").isEqualTo(n.daemon.pid());
    Signals.sendToGroup(pause ? "STOP" : "CONT", pgid);
  }

  /** The daemon's lease watchdog child process, if it runs. */
  Optional<ProcessHandle> watchdog(NodeSpec n) {
    return n.daemon.handle().stream().flatMap(ProcessHandle::children)
        .filter(h -> h.info().arguments().map(a -> List.of(a).contains(
            "io.pgquorum.coordinator.fence.WatchdogMain")).orElse(false))
        .findFirst();
  }

  /** SIGTERM of the daemon: a clean handover. Waits for the process to exit. */
  boolean terminateDaemon(NodeSpec n, Duration timeout) {
    n.daemon.terminate();
    return n.daemon.awaitExit(timeout);
  }

  /** SIGKILL of the node's postmaster (its backends exit when they notice). */
  void killPostmaster(NodeSpec n) {
    postmasterPid(n).ifPresent(pid -> Signals.send("KILL", List.of(pid)));
  }

  /**
   * The node's live postmaster: the pid in postmaster.pid if that process is alive (a SIGKILLed postmaster leaves
   * its pid file behind).
   */
  Optional<Long> postmasterPid(NodeSpec n) {
    return ProcInfo.pidFromFile(n.dataDir().resolve("postmaster.pid"));
  }

  /** GET a REST path; returns the status code (0 when unreachable) and body. */
  static HttpResult get(NodeSpec n, String path) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + n.restPort + path)).timeout(Duration.ofSeconds(2)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      return new HttpResult(r.statusCode(), r.body());
    } catch (IOException e) {
      return new HttpResult(0, "");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new HttpResult(0, "");
    }
  }

  /** GET a REST path over HTTPS with {@code client} (its trust and certificate); an IOException when refused. */
  static HttpResponse<String> getHttps(HttpClient client, NodeSpec n, String path)
      throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + n.restPort + path))
        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The status code of an HTTPS GET with {@code client}, 0 when it fails (refused, unreachable). */
  static int httpsStatus(HttpClient client, NodeSpec n, String path) {
    try {
      return getHttps(client, n, path).statusCode();
    } catch (IOException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  /** POST a REST path with a JSON body; the status code and body (an IOException when unreachable). */
  static HttpResult post(NodeSpec n, String path, String body) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.restPort + path))
        .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    return new HttpResult(r.statusCode(), r.body());
  }

  /** PATCH a REST path (e.g. /config) with a JSON body; the status code and body. */
  static HttpResult patch(NodeSpec n, String path, String body) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.restPort + path))
        .timeout(Duration.ofSeconds(60)).method("PATCH", HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    return new HttpResult(r.statusCode(), r.body());
  }

  record HttpResult(int status, String body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }
  }

  /** The node answering 200 on /primary, if exactly one does. */
  Optional<NodeSpec> primary() {
    List<NodeSpec> p = nodes.stream().filter(n -> get(n, "/primary").status() == 200).toList();
    return p.size() == 1 ? Optional.of(p.get(0)) : Optional.empty();
  }

  List<NodeSpec> streamingReplicas() {
    return nodes.stream().filter(n -> get(n, "/replica?replication_state=streaming").status() == 200).toList();
  }

  static Connection connect(NodeSpec n) throws SQLException {
    return connect(n, SUPERUSER_PASSWORD);
  }

  /** Connects as the superuser with {@code password} (a test may check that another password is refused). */
  static Connection connect(NodeSpec n, String password) throws SQLException {
    return connect(n, password, Duration.ofSeconds(5));
  }

  /**
   * Connects as the superuser for statements meant to wait (a commit held by synchronous replication): reads give
   * up only after {@code readTimeout}, not after the usual 5 s.
   */
  static Connection connectWaiting(NodeSpec n, Duration readTimeout) throws SQLException {
    return connect(n, SUPERUSER_PASSWORD, readTimeout);
  }

  private static Connection connect(NodeSpec n, String password, Duration readTimeout) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", "postgres");
    p.setProperty("password", password);
    p.setProperty("connectTimeout", "2");
    p.setProperty("socketTimeout", Long.toString(readTimeout.toSeconds()));
    p.setProperty("loginTimeout", "3");
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + n.pgPort + "/postgres", p);
  }

  /** Runs {@code statements} on the node's PostgreSQL in one session (autocommit). */
  static void execute(NodeSpec n, String... statements) throws SQLException {
    try (Connection c = connect(n); Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }

  /** {@link #execute}, false instead of an exception (for awaiting a writable primary). */
  static boolean tryExecute(NodeSpec n, String... statements) {
    try {
      execute(n, statements);
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  /** The single number {@code sql} returns on the node, empty when it cannot be asked. */
  static Optional<Long> count(NodeSpec n, String sql) {
    try (Connection c = connect(n); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      r.next();
      return Optional.of(r.getLong(1));
    } catch (SQLException e) {
      return Optional.empty();
    }
  }

  /**
   * Runs PostgreSQL 15's pg_ctl on the node's data directory behind its daemon's back (e.g. "promote", "-w");
   * asserts it succeeded within a minute.
   */
  static void pgCtl(NodeSpec n, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(PG_CTL, "-D", n.dataDir().toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(n.dir.resolve("pg_ctl.out").toFile()).start();
    assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0)
        .as("pg_ctl %s on %s (output in %s)", args, n.name, n.dir.resolve("pg_ctl.out")).isTrue();
  }

  String logs(NodeSpec n) {
    return LogFile.read(n.log());
  }

  /** Steps of a test whose failures should come with the daemons' log tails ({@link #explainFailures}). */
  @FunctionalInterface
  interface Steps {
    void run() throws Exception;
  }

  /**
   * Runs {@code steps}; an assertion failure in them, or an Awaitility wait that timed out (a
   * ConditionTimeoutException, which is no AssertionError), is rethrown as an AssertionError with the daemons' log
   * tails ({@link #diagnostics}): without them a timed-out wait says only what was awaited, not why it never came.
   */
  void explainFailures(Steps steps) throws Exception {
    try {
      steps.run();
    } catch (AssertionError | org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(e.getMessage() + diagnostics(), e);
    }
  }

  /**
   * Awaits {@code check} (assertions, retried while they fail) within {@code within}, polling every 300 ms; a
   * timeout is reported with the last failed assertion and the daemons' log tails.
   */
  void eventually(String what, Duration within, org.awaitility.core.ThrowingRunnable check) {
    try {
      explainFailures(() -> org.awaitility.Awaitility.await(what).atMost(within).pollInterval(Duration.ofMillis(300))
          .ignoreExceptions().untilAsserted(check));
    } catch (AssertionError e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e); // untilAsserted throws no checked exception
    }
  }

  /**
   * Awaits {@code condition} within {@code within}, polling every 500 ms; an exception counts as "not yet" (a node
   * restarting refuses connections). A timeout fails with the daemons' log tails, as {@link #explainFailures} does.
   */
  void awaitCondition(Duration within, String what, java.util.concurrent.Callable<Boolean> condition) {
    try {
      org.awaitility.Awaitility.await(what).atMost(within).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
          .until(condition);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(e.getMessage() + diagnostics(), e);
    }
  }

  /**
   * Awaits a primary with at least {@code replicas} streaming replicas (0: any) within {@code within}, and returns
   * the primary; {@code what} names the moment in the failure message.
   */
  NodeSpec awaitHealthy(Duration within, String what, int replicas) {
    java.util.concurrent.atomic.AtomicReference<NodeSpec> leader = new java.util.concurrent.atomic.AtomicReference<>();
    awaitCondition(within, what + ": a primary and " + replicas + " streaming replica(s)", () -> primary().map(p -> {
      leader.set(p);
      return streamingReplicas().size() >= replicas;
    }).orElse(false));
    return leader.get();
  }

  /** PostgreSQL's log of node {@code n} (empty when it has none yet). */
  String pgLogs(NodeSpec n) {
    return LogFile.read(n.pgLog());
  }

  /** Tails of every daemon log, for assertion messages. */
  String diagnostics() {
    StringBuilder sb = new StringBuilder();
    for (NodeSpec n : nodes) {
      String all = logs(n);
      String[] lines = all.split("\n");
      sb.append("\n--- ").append(n.name).append(" (last 25 lines) ---\n");
      for (int i = Math.max(0, lines.length - 25); i < lines.length; i++) {
        sb.append(lines[i]).append('\n');
      }
    }
    return sb.toString();
  }

  @Override
  public void close() throws Exception {
    proxies.close();
    witnesses.forEach(DcsServer::close);
    for (NodeSpec n : nodes) {
      // Watchdogs first (by PID): an orphaned armed watchdog would otherwise outlive the test by up to a ttl.
      n.daemon.handle().ifPresent(h -> h.descendants().forEach(ProcessHandle::destroyForcibly));
      n.daemon.leftovers().forEach(ProcessHandle::destroyForcibly);
      n.daemon.kill(Duration.ofSeconds(10));
    }
    for (NodeSpec n : nodes) {
      if (Files.exists(n.dataDir().resolve("postmaster.pid"))) {
        Commands.run(List.of(PG_CTL, "stop", "-m", "immediate", "-w", "-D", n.dataDir().toString()), 30);
      }
    }
    if (!"true".equals(System.getenv("PGQUORUM_KEEP_IT_DIRS"))) {
      try (Stream<Path> walk = Files.walk(base)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /**
   * A pgBackRest runner for node {@code n} over the repository {@code repo}, as the daemon builds it: only the work
   * directory matters (--config names the file the node wrote there); PGPASSFILE lets it reach PostgreSQL.
   */
  /**
   * A backup of {@code type} on {@code n}, taken once no other pgBackRest command holds the stanza's lock: the
   * daemons run their own (the stanza's creation and check, scheduled and post-promotion backups), and a test's
   * backup that meets one of them fails with exit 50 (FailureKind.LOCK_HELD), an expected outcome, not the test's
   * subject. Any other failure, or a lock still held after 2 minutes, is returned as it is.
   */
  static io.pgquorum.backrest.run.Outcome<io.pgquorum.backrest.run.CommandRun> backupWhenUnlocked(NodeSpec n,
      Path repo, String scope, io.pgquorum.backrest.BackupType type) {
    BackrestRunner runner = backrestRunner(n, repo, scope);
    java.util.concurrent.atomic.AtomicReference<io.pgquorum.backrest.run.Outcome<io.pgquorum.backrest.run.CommandRun>>
        last = new java.util.concurrent.atomic.AtomicReference<>();
    try {
      org.awaitility.Awaitility.await("a backup without another pgBackRest command holding the lock")
          .atMost(java.time.Duration.ofMinutes(2)).pollInterval(java.time.Duration.ofMillis(500)).until(() -> {
            last.set(runner.backup(type));
            return !(last.get() instanceof io.pgquorum.backrest.run.Outcome.Failed<?> f)
                || f.failure().kind() != io.pgquorum.backrest.run.FailureKind.LOCK_HELD;
          });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      // The last outcome (the lock, still held) is the answer.
    }
    return last.get();
  }

  static BackrestRunner backrestRunner(NodeSpec n, Path repo, String scope) {
    BackrestSettings settings = BackrestSection.parse(Map.of("repo1", Map.of("path", repo.toString())), scope)
        .settings().orElseThrow();
    NodeLayout layout = new NodeLayout(n.dataDir(), n.pgPort, n.dir, n.dir.resolve("pgdata.pgbackrest"),
        "postgres");
    return new BackrestRunner(settings, layout, Map.of("PGPASSFILE", n.dir.resolve("pgpass").toString()));
  }
}
