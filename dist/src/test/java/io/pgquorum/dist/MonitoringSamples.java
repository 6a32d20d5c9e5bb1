package io.pgquorum.dist;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgquorum.testkit.FreePorts;
import io.pgquorum.testkit.proc.Commands;
import io.pgquorum.testkit.proc.Daemon;
import io.pgquorum.testkit.proc.Launch;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The bundle's monitoring samples for real: a real Prometheus (Debian's, {@code /usr/bin/prometheus}) runs with
 * {@code conf/prometheus.yml} changed only where its comments tell an operator to change it (the targets, the five
 * TLS lines uncommented with the files init made, and a 1 s scrape interval so that the test need not wait 15 s
 * per sample), and every query of {@code conf/grafana/pgquorum-dashboard.json} is run against it, as Grafana would
 * run it with the dashboard's variables filled in. This is the dashboard loaded against the live {@code /metrics}
 * of a running cluster, short of drawing it: a query Prometheus rejects, or one that finds no series although the
 * cluster has what the panel shows, fails here.
 */
final class MonitoringSamples implements AutoCloseable {
  private static final Duration STOP = Duration.ofSeconds(20);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Grafana's range variable; four scrapes at the test's 1 s interval, enough for rate() and increase(). */
  private static final String RATE_INTERVAL = "4s";
  /**
   * The dashboard's queries that find no series on a healthy cluster without pgBackRest, and why (they are still
   * run: Prometheus must accept them). Every other query must return data.
   */
  static final Map<String, String> EMPTY_WITHOUT_BACKREST = Map.of(
      "pgquorum_backup_repo_up", "exported only with a pgBackRest stanza configured (backrest-adapter)",
      "pgquorum_backup_running", "exported only with a pgBackRest stanza configured",
      "pgquorum_backup_last_full_age_seconds", "exported only once a backup exists in the repository",
      "pgquorum_backup_last_age_seconds", "exported only once a backup exists in the repository",
      "pgquorum_archiving_ok", "exported only with archive_mode on and a pgBackRest stanza",
      "pgquorum_archive_ready_count", "exported only with archive_mode on and a pgBackRest stanza",
      "pgquorum_archive_failed_count", "exported only with archive_mode on and a pgBackRest stanza");

  final int port = FreePorts.next();
  private final Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private Daemon prometheus;

  MonitoringSamples(Path dir) throws IOException {
    this.dir = Files.createDirectories(dir);
  }

  /**
   * The Prometheus sample pointed at {@code targets} ({@code host:port} of each REST API) with its TLS lines
   * uncommented and given the test's CA, client certificate and key.
   */
  static String prometheusConfig(String sample, List<String> targets, Path ca, Path cert, Path key) {
    String out = sample;
    Matcher tls = Pattern.compile("(?m)^(\\s+)# (scheme: https\\n)\\1# (tls_config:\\n)\\1# (\\s+ca_file: )\\S+\\n"
        + "\\1# (\\s+cert_file: )\\S+\\n\\1# (\\s+key_file: )\\S+\\n").matcher(out);
    assertThat(tls.find()).as("the Prometheus sample's five commented TLS lines").isTrue();
    String in = tls.group(1);
    out = tls.replaceFirst(Matcher.quoteReplacement(in + tls.group(2) + in + tls.group(3) + in + tls.group(4) + ca
        + "\n" + in + tls.group(5) + cert + "\n" + in + tls.group(6) + key + "\n"));
    Matcher list = Pattern.compile("(?m)^(\\s+)- node1\\.example\\.net:8008\\n\\1- node2\\.example\\.net:8008\\n"
        + "\\1- node3\\.example\\.net:8008\\n").matcher(out);
    assertThat(list.find()).as("the sample's three example targets").isTrue();
    String indent = list.group(1);
    out = list.replaceFirst(Matcher.quoteReplacement(targets.stream().map(t -> indent + "- " + t + "\n")
        .collect(Collectors.joining())));
    assertThat(out).as("the sample's scrape interval").contains("scrape_interval: 15s");
    out = out.replace("scrape_interval: 15s", "scrape_interval: 1s");
    assertThat(out).doesNotContain("example.net").doesNotContain("/etc/");
    return out;
  }

  /** Starts Prometheus with {@code config} (after {@code promtool check config} accepted it) on {@link #port}. */
  void startPrometheus(String config) throws IOException {
    assertThat(Path.of("/usr/bin/prometheus")).as("Prometheus is installed (.ci/run installs it)").isExecutable();
    Path file = dir.resolve("prometheus.yml");
    Files.writeString(file, config);
    Commands.runChecked(List.of("/usr/bin/promtool", "check", "config", file.toString()), 60);
    List<String> command = List.of("/usr/bin/prometheus", "--config.file=" + file,
        "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
        "--web.console.templates=" + dir, "--web.console.libraries=" + dir);
    prometheus = new Daemon("prometheus", dir.resolve("prometheus.log"));
    prometheus.launch(new Launch(command, Map.of(), "started as " + String.join(" ", command), false));
  }

  /** Prometheus's HTTP API answer for {@code pathAndQuery}; its {@code status} must be {@code success}. */
  JsonNode api(String pathAndQuery) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.path("status").asText()).as("Prometheus's answer to %s: %s", pathAndQuery, r.body())
        .isEqualTo("success");
    return body.path("data");
  }

  /** The health of every scrape target, by its address ({@code up}, {@code down}, {@code unknown}). */
  Map<String, String> targetHealth() throws IOException, InterruptedException {
    Map<String, String> out = new LinkedHashMap<>();
    for (JsonNode t : api("/api/v1/targets?state=active").path("activeTargets")) {
      out.put(t.path("labels").path("instance").asText(), t.path("health").asText() + " "
          + t.path("lastError").asText());
    }
    return out;
  }

  /** How many series {@code expr} finds now (an instant query). */
  int series(String expr) throws IOException, InterruptedException {
    JsonNode data = api("/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
    JsonNode result = data.path("result");
    // scalar() - vector and the like give a vector; a bare scalar has a [time, value] pair.
    return "scalar".equals(data.path("resultType").asText()) ? 1 : result.size();
  }

  /** One query of the dashboard: its panel's title and the expression with the variables as Grafana fills them. */
  record Query(String panel, String expr) {
    /** The metric names this query reads. */
    List<String> names() {
      List<String> out = new ArrayList<>();
      Matcher m = Pattern.compile("\\b(?:patroni|pgquorum)_[a-zA-Z0-9_]*").matcher(expr);
      while (m.find()) {
        out.add(m.group());
      }
      return out;
    }
  }

  /** Every panel target's expression (rows' nested panels too), {@code $scope} set to {@code scope}. */
  static List<Query> dashboardQueries(String dashboard, String scope) throws IOException {
    List<Query> out = new ArrayList<>();
    collect(JSON.readTree(dashboard).path("panels"), scope, out);
    return out;
  }

  private static void collect(JsonNode panels, String scope, List<Query> out) {
    for (JsonNode p : panels) {
      for (JsonNode t : p.path("targets")) {
        String expr = t.path("expr").asText().replace("$__rate_interval", RATE_INTERVAL).replace("$scope", scope);
        assertThat(expr).as("panel %s: every variable filled in", p.path("title").asText()).doesNotContain("$");
        out.add(new Query(p.path("title").asText(), expr));
      }
      collect(p.path("panels"), scope, out);
    }
  }

  /** The log, for a failure message. */
  String log() {
    return prometheus == null ? "(not started)" : prometheus.logOfLaunch();
  }

  @Override
  public void close() {
    if (prometheus != null && prometheus.alive()) {
      prometheus.terminate();
      if (!prometheus.awaitExit(STOP)) {
        prometheus.kill(STOP);
      }
    }
  }
}
