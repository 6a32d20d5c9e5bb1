package io.pgquorum.coordinator.rest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The shipped Grafana dashboard (conf/grafana/pgquorum-dashboard.json) and Prometheus sample (conf/prometheus.yml)
 * refer only to metric names /metrics exports: every {@code patroni_*} / {@code pgquorum_*} name in a panel's
 * PromQL, a template variable's query or the sample's alert suggestions must be a sample name of a rendering with
 * every family present ({@link MetricsFormatTest#fullBody()}). A renamed metric fails here, not on a blank panel.
 */
class DashboardQueriesTest {
  /** Our metric names in an expression (PromQL identifiers with our prefixes). */
  private static final Pattern NAME = Pattern.compile("\\b(?:patroni|pgquorum)_[a-zA-Z0-9_]*");
  /** The repository's conf/ directory (tests run in the coordinator module's directory). */
  private static final Path CONF = Path.of("..", "conf");

  static Set<String> exported() {
    return MetricsFormatTest.parse(MetricsFormatTest.fullBody()).sampleNames();
  }

  static Set<String> names(String expr) {
    Set<String> out = new TreeSet<>();
    Matcher m = NAME.matcher(expr);
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }

  /** Every panel (rows' nested ones too) with its title and its targets' expressions. */
  private static void panels(JsonNode list, List<JsonNode> out) {
    for (JsonNode p : list) {
      out.add(p);
      if (p.has("panels")) {
        panels(p.get("panels"), out);
      }
    }
  }

  @Test
  void everyPanelQueriesOnlyExportedNames() throws IOException {
    JsonNode dash = new ObjectMapper().readTree(Files.readString(CONF.resolve("grafana/pgquorum-dashboard.json")));
    Set<String> exported = exported();
    List<JsonNode> all = new ArrayList<>();
    panels(dash.get("panels"), all);
    Set<String> used = new TreeSet<>();
    int queries = 0;
    for (JsonNode p : all) {
      if (p.path("type").asText().equals("row")) {
        continue;
      }
      String title = p.path("title").asText();
      assertThat(p.path("targets")).as(title + " has queries").isNotEmpty();
      for (JsonNode t : p.get("targets")) {
        String expr = t.path("expr").asText();
        Set<String> names = names(expr);
        assertThat(names).as(title + ": " + expr + " names a metric").isNotEmpty();
        assertThat(exported).as(title + ": " + expr).containsAll(names);
        used.addAll(names);
        queries++;
      }
    }
    for (JsonNode v : dash.path("templating").path("list")) {
      String q = v.path("query").isObject() ? v.path("query").path("query").asText() : v.path("query").asText();
      assertThat(exported).as("variable " + v.path("name").asText()).containsAll(names(q));
    }
    assertThat(queries).isGreaterThan(20);
    // The panels the issue asks for are there: roles, failover, lease, HA cycle, Raft, replication, backups.
    assertThat(used).contains("patroni_primary", "patroni_replica", "pgquorum_fencing_actions_total",
        "pgquorum_lease_refresh_duration_seconds", "pgquorum_ha_cycle_duration_seconds",
        "pgquorum_ha_decisions_total", "pgquorum_raft_term", "pgquorum_raft_leader_info",
        "pgquorum_raft_commit_index", "pgquorum_raft_elections_total", "patroni_xlog_replayed_location",
        "pgquorum_backup_last_full_age_seconds", "pgquorum_archiving_ok");
  }

  @Test
  void panelIdsAreUniqueAndEveryPanelHasAPlace() throws IOException {
    JsonNode dash = new ObjectMapper().readTree(Files.readString(CONF.resolve("grafana/pgquorum-dashboard.json")));
    List<JsonNode> all = new ArrayList<>();
    panels(dash.get("panels"), all);
    Set<Integer> ids = new TreeSet<>();
    for (JsonNode p : all) {
      assertThat(ids.add(p.path("id").asInt())).as("id of " + p.path("title").asText()).isTrue();
      assertThat(p.path("gridPos").path("w").asInt()).as(p.path("title").asText()).isPositive();
    }
  }

  @Test
  void thePrometheusSampleNamesOnlyExportedMetrics() throws IOException {
    String yml = Files.readString(CONF.resolve("prometheus.yml"));
    assertThat(yml).contains("metrics_path: /metrics");
    assertThat(names(yml)).isNotEmpty();
    assertThat(exported()).containsAll(names(yml));
  }

  @Test
  void theNameScanFindsNamesInsideSelectorsAndFunctions() {
    // The scan this test relies on: a name inside a selector, a function or after an operator is found.
    assertThat(names("sum by (name) (rate(pgquorum_x_total{scope=~\"$scope\"}[5m])) / patroni_y"))
        .containsExactly("patroni_y", "pgquorum_x_total");
    assertThat(exported()).doesNotContain("pgquorum_x_total");
  }
}
