package io.pgquorum.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.testkit.FreePorts;
import io.pgquorum.testkit.NodeYaml;
import io.pgquorum.testkit.net.TlsClients;
import io.pgquorum.testkit.proc.Commands;
import io.pgquorum.testkit.proc.Daemon;
import io.pgquorum.testkit.proc.Launch;
import io.pgquorum.testkit.proc.ProcInfo;
import io.pgquorum.testkit.proc.Signals;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Installs the release bundle as README-INSTALL.md describes and runs a three-node cluster from it: the tarball
 * unpacked into a fresh prefix (its path has a space in it, so a script that does not quote its own location
 * fails), each node started with the command line of {@code systemd/pgquorum@.service} and the environment a unit
 * gives it (no PGQUORUM_JAVA_OPTS: the shipped JVM defaults), the cluster checked through the REST API, the
 * unpacked {@code bin/pgctl} and the sample libpq connection string, and the nodes stopped with SIGTERM as systemd
 * stops them.
 */
class InstallIT {
  private static final Duration READY = Duration.ofSeconds(90);
  /** Longer than a clean stop takes (a replica's pg_ctl stop, then the primary's with no one to hand over to). */
  private static final Duration STOP = Duration.ofSeconds(60);
  private static final String SCOPE = "bundle";
  private static final String SUPERUSER_PASSWORD = "install-it-super";
  private static final List<String> NAMES = List.of("node1", "node2", "node3");
  /** Where the unit expects the bundle and the configuration files; the test's prefix and conf dir stand in. */
  private static final String UNIT_PREFIX = "/opt/pgquorum/";
  private static final String UNIT_CONF = "/etc/pgquorum/";

  /** HTTPS with node1's certificate, trusting the CA init made (the REST API requires a client certificate). */
  private HttpClient http;
  private final List<Node> nodes = new ArrayList<>();
  private Path base;

  /** One node of the test cluster: its name, ports, files and daemon. */
  private record Node(String name, int raftPort, int restPort, int pgPort, Path dir, Path config, Daemon daemon) {
    Path dataDir() {
      return dir.resolve("pgdata");
    }
  }

  @Test
  void theUnpackedBundleRunsAThreeNodeClusterTheWayTheUnitsStartIt() throws Exception {
    assertThat(Commands.isRoot()).as("run as an ordinary user: PostgreSQL and pgquorum refuse root").isFalse();
    Path tarball = Path.of(System.getProperty("pgquorum.bundle", "target/missing-pgquorum.bundle-property"));
    assertThat(tarball).as("the bundle built in package").isRegularFile();
    base = Files.createTempDirectory("pgquorum-it-install-");

    Path prefix = Files.createDirectories(base.resolve("opt with space"));
    Commands.runChecked(List.of("tar", "-xzf", tarball.toString(), "-C", prefix.toString()), 60);
    Path home = onlyEntry(prefix);
    assertThat(home.getFileName().toString()).isEqualTo(tarball.getFileName().toString().replace(".tar.gz", ""));
    checkLayout(home);

    Path conf = Files.createDirectories(base.resolve("etc"));
    writeConfigs(home, conf);
    List<String> execStart = execStart(home.resolve("systemd/pgquorum@.service"));
    Path cache = Files.createDirectories(base.resolve("cache"));
    for (Node n : nodes) {
      n.daemon().launch(unitLaunch(execStart, home, conf, cache, n));
    }

    // The cluster is up when exactly one node answers 200 on /primary and the other two on /replica with
    // streaming replication (HAProxy's checks in conf/haproxy.cfg); a daemon that exited fails at once.
    await().atMost(READY).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
      for (Node n : nodes) {
        if (!n.daemon().alive()) {
          throw new IllegalStateException(n.daemon() + " exited; its log ends with:\n" + tail(n));
        }
      }
      assertThat(answering("/primary")).as("nodes answering 200 on /primary").hasSize(1);
      assertThat(answering("/replica?replication_state=streaming")).as("streaming replicas").hasSize(2);
    });
    String primary = answering("/primary").get(0);
    // The unit's CacheDirectory (bin/lib-classpath.sh): the daemons' first start records the classes they load
    // there, for the class-data sharing archive of later starts; nothing goes to the user's home.
    try (Stream<Path> files = Files.list(cache)) {
      assertThat(files.map(p -> p.getFileName().toString())).as("files in $CACHE_DIRECTORY")
          .anySatisfy(f -> assertThat(f).startsWith("coordinator-").containsAnyOf(".classlist.", ".jsa"));
    }

    // pgctl from the bundle, reading the cluster from the DCS with node1's file as an operator would.
    String conf1 = nodes.get(0).config().toString();
    // Retried: a cold pgctl JVM's TLS handshakes with the DCS took over its 5 s on a loaded two-core machine.
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
        .ignoreExceptionsInstanceOf(IllegalStateException.class).untilAsserted(() -> {
          String out = Commands.runChecked(List.of("env", "PGQUORUM_CDS_DIR=" + cache,
              home.resolve("bin/pgctl").toString(), "-c", conf1, "list", "--format", "tsv"), 60);
          Map<String, String> roles = memberRoles(out);
          assertThat(roles).as("pgctl list members:\n%s", out).containsOnlyKeys(NAMES);
          assertThat(roles.get(primary)).as("role of the REST API's primary %s", primary).isEqualTo("Leader");
          assertThat(roles.values().stream().filter("Replica"::equals).count()).as("replicas").isEqualTo(2);
        });

    // The sample libpq string (conf/libpq-connection-string.txt) with the replicas listed first: libpq must pass
    // over them and keep the primary's session.
    List<Node> replicasFirst = new ArrayList<>(nodes);
    replicasFirst.sort(Comparator.comparing(n -> n.name().equals(primary)));
    Node primaryNode = replicasFirst.get(2);
    String url = readWriteUrl(home, replicasFirst);
    String psql = Commands.runChecked(List.of("env", "PGPASSWORD=" + SUPERUSER_PASSWORD, NodeYaml.PG_BIN + "/psql",
        "-XAt", "-c", "select pg_is_in_recovery(), inet_server_port()", url), 60);
    assertThat(psql.strip()).as("session of %s", url).isEqualTo("f|" + primaryNode.pgPort());

    // HAProxy and PgBouncer as the bundle's samples configure them, in front of this cluster.
    proxiesInFront(home, primaryNode, base.resolve("init"));

    // Prometheus and the Grafana dashboard's queries against the live /metrics. A commit first, so that the
    // replicas have replayed a transaction (the panel "Time since last replayed transaction" needs one).
    Commands.runChecked(List.of("env", "PGPASSWORD=" + SUPERUSER_PASSWORD, NodeYaml.PG_BIN + "/psql", "-XAt", "-c",
        "select txid_current()", url), 60);
    monitoringAgainst(home, base.resolve("init"));

    // Stop as systemd does (SIGTERM to the daemon's PID only, KillMode=process): replicas first, then the
    // primary, so that no handover starts while a node is going away.
    for (Node n : replicasFirst) {
      n.daemon().terminate();
      assertThat(n.daemon().awaitExit(STOP)).as("%s exits after SIGTERM", n.daemon()).isTrue();
      int status = n.daemon().process().waitFor();
      // 0 or 143 (the JVM's exit on SIGTERM): what the unit's SuccessExitStatus counts as a clean stop.
      assertThat(status).as("exit status of %s; log:\n%s", n.name(), tail(n)).isIn(0, 143);
      assertThat(n.dataDir().resolve("postmaster.pid")).as("%s's PostgreSQL was stopped by the daemon", n.name())
          .doesNotExist();
    }
  }

  /**
   * conf/haproxy.cfg with its TLS check words (the REST API here requires client certificates: HAProxy presents
   * node1's certificate and key, as the sample suggests) and conf/pgbouncer.ini through it: HAProxy's write port
   * reaches the primary and its read port a streaming replica once its checks marked them up, PgBouncer's appdb the
   * primary and appdb_ro a replica, and the statistics page answers.
   */
  private void proxiesInFront(Path home, Node primaryNode, Path init) throws Exception {
    try (ProxySamples proxies = new ProxySamples(base.resolve("proxies"))) {
      Path clientPem = proxies.dir().resolve("pgquorum-client.pem");
      Path node1 = init.resolve(NAMES.get(0));
      Files.writeString(clientPem, Files.readString(node1.resolve("node.crt")) + Files.readString(
          node1.resolve("node.key")));
      List<ProxySamples.Backend> backends = nodes.stream()
          .map(n -> new ProxySamples.Backend(n.name(), n.pgPort(), n.restPort())).toList();
      proxies.startHaproxy(ProxySamples.haproxyConfig(Files.readString(home.resolve("conf/haproxy.cfg")), backends,
          proxies.writePort, proxies.readPort, proxies.statsPort, init.resolve("ca.crt"), clientPem));
      proxies.startPgbouncer(ProxySamples.pgbouncerConfig(Files.readString(home.resolve("conf/pgbouncer.ini")),
          proxies.writePort, proxies.readPort, proxies.bouncerPort, "postgres", proxies.userlist(),
          proxies.dir()), "postgres", SUPERUSER_PASSWORD);
      List<Integer> replicaPorts = nodes.stream().filter(n -> n != primaryNode).map(Node::pgPort).toList();
      await("HAProxy and PgBouncer route to the primary and the replicas\n" + proxies.logs())
          .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
          .untilAsserted(() -> {
            assertThat(sessionVia(proxies.writePort, "postgres")).as("HAProxy's write port")
                .isEqualTo("f|" + primaryNode.pgPort());
            assertThat(sessionVia(proxies.readPort, "postgres")).as("HAProxy's read port")
                .isIn(replicaPorts.stream().map(p -> "t|" + p).toList());
            assertThat(sessionVia(proxies.bouncerPort, "appdb")).as("PgBouncer's appdb")
                .isEqualTo("f|" + primaryNode.pgPort());
            assertThat(sessionVia(proxies.bouncerPort, "appdb_ro")).as("PgBouncer's appdb_ro")
                .isIn(replicaPorts.stream().map(p -> "t|" + p).toList());
          });
      HttpResponse<String> stats = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + proxies.statsPort + "/;csv")).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(stats.statusCode()).isEqualTo(200);
      // The CSV's rows: proxy name, server name, ..., status; the primary is UP in "primary", the others DOWN.
      assertThat(stats.body()).as("HAProxy's statistics").contains("primary," + primaryNode.name() + ",")
          .containsPattern("(?m)^primary," + primaryNode.name() + ",([^,]*,){15}UP");
    }
  }

  /**
   * conf/prometheus.yml as its comments say to change it for init's configurations (node1's certificate as the
   * client's), scraping the three nodes: every target up, the dashboard's {@code scope} variable offers this
   * cluster, and every query of the dashboard is accepted by Prometheus and, apart from the pgBackRest panels'
   * (MonitoringSamples.EMPTY_WITHOUT_BACKREST), finds series.
   */
  private void monitoringAgainst(Path home, Path init) throws Exception {
    try (MonitoringSamples m = new MonitoringSamples(base.resolve("monitoring"))) {
      Path node1 = init.resolve(NAMES.get(0));
      List<String> targets = nodes.stream().map(n -> "127.0.0.1:" + n.restPort()).toList();
      m.startPrometheus(MonitoringSamples.prometheusConfig(Files.readString(home.resolve("conf/prometheus.yml")),
          targets, init.resolve("ca.crt"), node1.resolve("node.crt"), node1.resolve("node.key")));
      await("Prometheus scrapes every node\n" + m.log()).atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
            Map<String, String> health = m.targetHealth();
            assertThat(health).as("scrape targets").containsOnlyKeys(targets);
            assertThat(health.values()).as("target health").allMatch(h -> h.startsWith("up"));
          });
      // The dashboard's variable: label_values(patroni_version, scope).
      List<String> scopes = new ArrayList<>();
      m.api("/api/v1/label/scope/values?match%5B%5D=patroni_version").forEach(v -> scopes.add(v.asText()));
      assertThat(scopes).as("the dashboard's scope choices").containsExactly(SCOPE);
      List<MonitoringSamples.Query> queries = MonitoringSamples.dashboardQueries(
          Files.readString(home.resolve("conf/grafana/pgquorum-dashboard.json")), SCOPE);
      assertThat(queries).as("the dashboard's queries").hasSizeGreaterThan(20);
      await("every dashboard query finds series\n" + m.log()).atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            List<String> empty = new ArrayList<>();
            for (MonitoringSamples.Query q : queries) {
              int found = m.series(q.expr()); // fails the test at once if Prometheus rejects the query
              boolean mayBeEmpty = MonitoringSamples.EMPTY_WITHOUT_BACKREST.keySet().containsAll(q.names());
              if (found == 0 && !mayBeEmpty) {
                empty.add(q.panel() + ": " + q.expr());
              }
            }
            assertThat(empty).as("queries without series").isEmpty();
          });
    }
  }

  /** {@code pg_is_in_recovery()|inet_server_port()} of a session through the proxy listening on {@code port}. */
  private static String sessionVia(int port, String dbname) {
    return Commands.runChecked(List.of("env", "PGPASSWORD=" + SUPERUSER_PASSWORD, "PGCONNECT_TIMEOUT=5",
        NodeYaml.PG_BIN + "/psql", "-XAt", "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", "postgres",
        "-d", dbname, "-c", "select pg_is_in_recovery(), inet_server_port()"), 30).strip();
  }

  /**
   * The read-write URL of the bundle's libpq sample, pointed at this cluster (its three example hosts replaced by
   * {@code hosts}, in that order) as the superuser on database postgres.
   */
  private static String readWriteUrl(Path home, List<Node> hosts) throws IOException {
    String text = Files.readString(home.resolve("conf/libpq-connection-string.txt"));
    Matcher m = Pattern.compile("postgresql://\\S+target_session_attrs=read-write\\S*").matcher(text);
    assertThat(m.find()).as("a read-write postgresql:// URL in the libpq sample").isTrue();
    String sample = m.group();
    String ours = hosts.stream().map(n -> "127.0.0.1:" + n.pgPort()).collect(Collectors.joining(","));
    String url = sample.replace("10.0.0.1:5432,10.0.0.2:5432,10.0.0.3:5432", ours).replace("://app@", "://postgres@")
        .replace("/appdb?", "/postgres?");
    assertThat(url).as("the sample, pointed at this cluster").contains(ours).contains("://postgres@")
        .contains("/postgres?");
    return url;
  }

  /** The tarball holds one directory, pgquorum-VERSION. */
  private static Path onlyEntry(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      List<Path> entries = s.toList();
      assertThat(entries).as("entries of the unpacked tarball").hasSize(1);
      return entries.get(0);
    }
  }

  /** What README-INSTALL.md promises is there, executable where it must be, and every jar once. */
  private static void checkLayout(Path home) throws IOException {
    for (String script : List.of("bin/pgquorum", "bin/pgctl", "bin/jepsen-run")) {
      assertThat(Files.isExecutable(home.resolve(script))).as("%s is executable", script).isTrue();
    }
    for (String file : List.of("bin/lib-classpath.sh", "README-INSTALL.md", "conf/node1.yml", "conf/node2.yml",
        "conf/node3.yml", "conf/haproxy.cfg", "conf/pgbouncer.ini", "conf/libpq-connection-string.txt",
        "systemd/pgquorum.service", "systemd/pgquorum@.service", "lib/coordinator.classpath",
        "lib/pgctl.classpath", "lib/jepsen-style-tests.classpath", "completion/pgctl.bash", "completion/pgctl.zsh",
        "completion/pgquorum.bash", "systemd/pgquorum-witness.service", "conf/prometheus.yml",
        "conf/grafana/pgquorum-dashboard.json")) {
      assertThat(home.resolve(file)).isRegularFile();
    }
    List<String> jars;
    try (Stream<Path> s = Files.list(home.resolve("lib"))) {
      jars = s.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".jar")).sorted().toList();
    }
    // One copy each: no artifact under two versions (the name without its version).
    Map<String, List<String>> byArtifact = jars.stream()
        .collect(Collectors.groupingBy(j -> j.replaceFirst("-\\d[^-]*(-SNAPSHOT)?(-[a-z].*)?\\.jar$", "$2")));
    assertThat(byArtifact.values()).as("jars in lib/").allSatisfy(copies -> assertThat(copies).hasSize(1));
    assertThat(jars).anyMatch(j -> j.startsWith("coordinator-")).anyMatch(j -> j.startsWith("pgctl-"));
    // Every entry of every program's class path is in lib/ (a name mismatch would only show at run time).
    for (String program : List.of("coordinator", "pgctl", "jepsen-style-tests")) {
      String cp = Files.readString(home.resolve("lib/" + program + ".classpath")).trim();
      assertThat(cp.split(":")).as("%s.classpath", program).isNotEmpty()
          .allSatisfy(e -> assertThat(home.resolve(e)).isRegularFile());
    }
  }

  /**
   * The three nodes' configuration files, written by the unpacked {@code bin/pgquorum init} as an operator would
   * (README-INSTALL.md): loopback addresses on free ports, data under the test's directory, TLS on the REST API
   * (client certificates required) and on Raft, with the CA and node certificates init makes. The unit reads
   * {@code /etc/pgquorum/<name>.yml}: each is a link to init's {@code <name>/pgquorum.yml}.
   */
  private void writeConfigs(Path home, Path conf) throws Exception {
    Path out = base.resolve("init");
    Path var = base.resolve("var");
    List<String> command = new ArrayList<>(List.of(home.resolve("bin/pgquorum").toString(), "init", "--scope", SCOPE,
        "--output", out.toString(), "--data-root", var.toString(), "--bin-dir", NodeYaml.PG_BIN,
        "--superuser-password", SUPERUSER_PASSWORD, "--replication-password", "install-it-repl"));
    for (String name : NAMES) {
      Path dir = Files.createDirectories(var.resolve(name));
      Node n = new Node(name, FreePorts.next(), FreePorts.next(), FreePorts.next(), dir, conf.resolve(name + ".yml"),
          new Daemon(name + "'s daemon", dir.resolve("daemon.log")));
      nodes.add(n);
      command.addAll(List.of("--node", name + "=127.0.0.1,rest=" + n.restPort() + ",raft=" + n.raftPort() + ",pg="
          + n.pgPort()));
    }
    String printed = Commands.runChecked(command, 120);
    assertThat(printed).as("init's output never shows a password").doesNotContain(SUPERUSER_PASSWORD)
        .doesNotContain("install-it-repl");
    for (Node n : nodes) {
      Path yaml = out.resolve(n.name()).resolve("pgquorum.yml");
      assertThat(Files.readString(yaml)).as("%s's configuration", n.name()).contains("verify_client: required")
          .contains(n.dataDir().toString());
      Files.createSymbolicLink(n.config(), yaml);
    }
    Path node1 = out.resolve(NAMES.get(0));
    http = TlsClients.mutual(out.resolve("ca.crt"), node1.resolve("node.crt"), node1.resolve("node.key"));
  }

  /** ExecStart= of a unit, split into words (the units' command lines need no quoting). */
  private static List<String> execStart(Path unit) throws IOException {
    Matcher m = Pattern.compile("(?m)^ExecStart=(.+)$").matcher(Files.readString(unit));
    assertThat(m.find()).as("%s has ExecStart=", unit).isTrue();
    return Arrays.asList(m.group(1).trim().split("\\s+"));
  }

  /**
   * The unit's command line for node {@code n}, with the test's prefix for /opt/pgquorum/, its configuration
   * directory for /etc/pgquorum/ and the node's name for %i; setsid gives the daemon a session of its own, as
   * systemd does (a signal to the test's process group then never reaches it). The environment is a unit's:
   * no PGQUORUM_JAVA_OPTS or JAVA_HOME from the build, so the shipped defaults and the java on PATH are used, and
   * the CACHE_DIRECTORY its CacheDirectory= gives (here {@code cache}).
   */
  private static Launch unitLaunch(List<String> execStart, Path home, Path conf, Path cache, Node n) {
    List<String> command = new ArrayList<>();
    command.add("setsid");
    for (String word : execStart) {
      command.add(word.replace(UNIT_PREFIX, home + "/").replace(UNIT_CONF, conf + "/").replace("%i", n.name()));
    }
    assertThat(command).as("the unit's command line").contains(home.resolve("bin/pgquorum").toString(),
        n.config().toString());
    Map<String, String> env = new HashMap<>();
    env.put("PGQUORUM_JAVA_OPTS", null);
    env.put("MALLOC_ARENA_MAX", null);
    env.put("CACHE_DIRECTORY", cache.toString());
    return new Launch(command, env, "started as " + String.join(" ", command), false);
  }

  /** The names of the nodes whose REST API answers 200 on {@code path}. */
  private List<String> answering(String path) {
    List<String> names = new ArrayList<>();
    for (Node n : nodes) {
      try {
        HttpRequest get = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + n.restPort() + path))
            .timeout(Duration.ofSeconds(2)).GET().build();
        if (http.send(get, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          names.add(n.name());
        }
      } catch (IOException e) {
        // not listening (yet): not answering 200
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    return names;
  }

  /** pgctl's tsv: a header line naming the columns, then one line per member; member name to role. */
  private static Map<String, String> memberRoles(String tsv) {
    // Rows are the lines with tabs (a warning pgctl prints to stderr, merged here, has none).
    List<String> lines = tsv.lines().filter(l -> l.contains("\t")).toList();
    assertThat(lines).as("pgctl list output").isNotEmpty();
    List<String> header = List.of(lines.get(0).split("\t"));
    int member = header.indexOf("Member");
    int role = header.indexOf("Role");
    assertThat(member).as("Member column in %s", header).isNotNegative();
    assertThat(role).as("Role column in %s", header).isNotNegative();
    Map<String, String> roles = new HashMap<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] cols = line.split("\t");
      roles.put(cols[member], cols[role]);
    }
    return roles;
  }

  private static String tail(Node n) {
    String log = n.daemon().logOfLaunch();
    return log.substring(Math.max(0, log.length() - 3000));
  }

  /**
   * The class-data sharing helpers {@code bin/lib-classpath.sh} started for this run's daemons and pgctl (and their
   * dump JVMs): detached into their own sessions, they are nobody's descendants here, and may still wait for a
   * class list or dump into {@code base/cache} for minutes. Left running, a helper's last rename put an archive
   * into the directory being deleted, and {@code base} stayed behind (seen 2026-12-07). Found by their command lines,
   * which name the cache directory; stopped, and waited for, before the directory goes.
   */
  private static void stopClassDataHelpers(Path base) {
    String cache = base.resolve("cache").toString();
    // Again while any is found: a helper may start its dump JVM between the listing and its own end.
    for (int round = 0; round < 5; round++) {
      List<Long> helpers = ProcessHandle.allProcesses()
          .filter(p -> p.info().arguments().map(args -> Arrays.stream(args).anyMatch(a -> a.contains(cache)))
              .orElse(false))
          .map(ProcessHandle::pid).toList();
      if (helpers.isEmpty()) {
        return;
      }
      Signals.send("KILL", helpers);
      ProcInfo.awaitExit(helpers, Duration.ofSeconds(10));
    }
  }

  /**
   * Whatever a failed run left: daemons (and their watchdogs) by PID, then PostgreSQL servers still running, then
   * the directory unless PGQUORUM_KEEP_IT_DIRS=true.
   */
  @AfterEach
  void cleanUp() throws IOException {
    for (Node n : nodes) {
      n.daemon().handle().ifPresent(h -> h.descendants().forEach(ProcessHandle::destroyForcibly));
      n.daemon().leftovers().forEach(ProcessHandle::destroyForcibly);
      n.daemon().kill(Duration.ofSeconds(10));
    }
    for (Node n : nodes) {
      if (ProcInfo.pidFromFile(n.dataDir().resolve("postmaster.pid")).isPresent()) {
        Commands.run(List.of(NodeYaml.PG_BIN + "/pg_ctl", "stop", "-m", "immediate", "-w", "-D",
            n.dataDir().toString()), 30);
      }
    }
    if (base != null) {
      stopClassDataHelpers(base);
    }
    if (base != null && !"true".equals(System.getenv("PGQUORUM_KEEP_IT_DIRS"))) {
      try (Stream<Path> walk = Files.walk(base)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

}
