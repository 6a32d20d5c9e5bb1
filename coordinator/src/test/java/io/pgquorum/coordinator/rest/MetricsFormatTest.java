package io.pgquorum.coordinator.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.backrest.info.RepoHealth;
import io.pgquorum.coordinator.ha.NodeStatus;
import io.pgquorum.coordinator.metrics.NodeMetrics;
import io.pgquorum.coordinator.postgres.ArchiverStats;
import io.pgquorum.dcs.api.RaftStats;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * /metrics as a Prometheus server reads it: the whole body (Patroni's gauges, the backup ones, the node's internal
 * metrics) parsed back line by line with the exposition format's rules, so that a family without HELP or TYPE, a
 * sample of an unknown family, a bad label escape or a value Prometheus cannot read fails here.
 */
class MetricsFormatTest {
  static final Instant NOW = Instant.parse("2026-12-05T08:00:00Z");

  /** One parsed sample: its name, its labels in order (unescaped), its value as text. */
  record Sample(String name, Map<String, String> labels, String value) {}

  /** A parsed body: each family's HELP text and TYPE, and the samples in order. */
  record Parsed(Map<String, String> help, Map<String, String> type, List<Sample> samples) {
    Set<String> sampleNames() {
      Set<String> names = new TreeSet<>();
      samples.forEach(s -> names.add(s.name()));
      return names;
    }

    Optional<Sample> first(String name) {
      return samples.stream().filter(s -> s.name().equals(name)).findFirst();
    }
  }

  /**
   * Parses the text format (0.0.4). Fails on anything it does not expect: a comment other than HELP or TYPE, a
   * second TYPE, a TYPE after its family's samples, a sample before its family's TYPE, a bad escape.
   */
  static Parsed parse(String body) {
    Map<String, String> help = new LinkedHashMap<>();
    Map<String, String> type = new LinkedHashMap<>();
    List<Sample> samples = new ArrayList<>();
    assertThat(body).endsWith("\n");
    for (String line : body.split("\n", -1)) {
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("# HELP ")) {
        String[] p = line.substring(7).split(" ", 2);
        assertThat(help.put(p[0], p[1])).as("one HELP for " + p[0]).isNull();
      } else if (line.startsWith("# TYPE ")) {
        String[] p = line.substring(7).split(" ", 2);
        assertThat(p[1]).as(line).isIn("gauge", "counter", "summary", "histogram", "untyped");
        assertThat(type.put(p[0], p[1])).as("one TYPE for " + p[0]).isNull();
        assertThat(samples).as("TYPE of " + p[0] + " before its samples").noneMatch(s -> family(s.name(), type)
            .equals(p[0]));
      } else {
        assertThat(line).as("no other comments").doesNotStartWith("#");
        Sample s = sample(line);
        String family = family(s.name(), type);
        assertThat(type).as("a TYPE before " + line).containsKey(family);
        assertThat(help).as("a HELP for " + family).containsKey(family);
        samples.add(s);
      }
    }
    return new Parsed(help, type, samples);
  }

  /** The family a sample belongs to: itself, or a summary's, for its _sum and _count series. */
  private static String family(String sample, Map<String, String> type) {
    for (String suffix : List.of("_sum", "_count")) {
      if (sample.endsWith(suffix)) {
        String base = sample.substring(0, sample.length() - suffix.length());
        if ("summary".equals(type.get(base)) || "histogram".equals(type.get(base))) {
          return base;
        }
      }
    }
    return sample;
  }

  private static Sample sample(String line) {
    int i = 0;
    while (i < line.length() && (Character.isLetterOrDigit(line.charAt(i)) || line.charAt(i) == '_'
        || line.charAt(i) == ':')) {
      i++;
    }
    String name = line.substring(0, i);
    assertThat(name).as(line).matches("[a-zA-Z_:][a-zA-Z0-9_:]*");
    Map<String, String> labels = new LinkedHashMap<>();
    if (line.charAt(i) == '{') {
      i++;
      while (line.charAt(i) != '}') {
        int eq = line.indexOf('=', i);
        String label = line.substring(i, eq);
        assertThat(label).as(line).matches("[a-zA-Z_][a-zA-Z0-9_]*");
        assertThat(line.charAt(eq + 1)).as(line).isEqualTo('"');
        StringBuilder v = new StringBuilder();
        int j = eq + 2;
        for (; line.charAt(j) != '"'; j++) {
          char c = line.charAt(j);
          if (c == '\\') {
            char n = line.charAt(++j);
            assertThat(n).as("escape in " + line).isIn('\\', '"', 'n');
            v.append(n == 'n' ? '\n' : n);
          } else {
            v.append(c);
          }
        }
        assertThat(labels.put(label, v.toString())).as("label once: " + line).isNull();
        i = j + 1;
        if (line.charAt(i) == ',') {
          i++;
        }
      }
      i++;
    }
    assertThat(line.charAt(i)).as(line).isEqualTo(' ');
    String value = line.substring(i + 1);
    assertThat(value).as("one value, no timestamp: " + line).doesNotContain(" ");
    if (!value.equals("NaN") && !value.equals("+Inf") && !value.equals("-Inf")) {
      Double.parseDouble(value); // throws on anything Prometheus could not read
    }
    return new Sample(name, labels, value);
  }

  /**
   * A primary with a backrest section, a repository result and an archiver: every family a production node can
   * export shows (not pgquorum_planted_bug, which only the fault-injection harness has).
   */
  static NodeStatus everything(String name) {
    ArchiverStats archiver = new ArchiverStats(7, 1, Optional.of(NOW.minusSeconds(5)),
        Optional.of(NOW.minusSeconds(60)), 0);
    NodeStatus s = Fixtures.status(name, Fixtures.primaryPg().withArchiver(Optional.of(archiver)), "running",
        "primary", true, Optional.of(Fixtures.snapshot(false)), Optional.of(NOW), Fixtures.tags(Map.of()),
        System.nanoTime());
    RepoHealth repo = new RepoHealth(NOW.minusSeconds(30), true, OptionalInt.of(0), "ok", true,
        Optional.of(NOW.minusSeconds(3600)), Optional.of(NOW.minusSeconds(120)), Optional.of(false));
    return s.withBackrest(Map.of("stanza", "demo", "stanza_state", "done")).withRepository(Optional.of(repo));
  }

  /** Internal metrics with a Raft sample and at least one observation in every family. */
  static NodeMetrics busy(RaftStats raft) {
    NodeMetrics m = new NodeMetrics(() -> raft);
    m.haCycle(12_000_000);
    m.haCycle(30_000_000);
    m.decision(List.of("refresh_lock", "start_primary"));
    m.decision(List.of());
    m.leaseRefresh(4_000_000, NodeMetrics.RefreshOutcome.CONFIRMED);
    m.leaseRefresh(2_000_000_000L, NodeMetrics.RefreshOutcome.UNKNOWN);
    m.fenced(NodeMetrics.FenceReason.LEASE_DEADLINE);
    m.leaseHeadroom(2_000_000_000L);
    m.leaseHeadroom(1_250_000_000L);
    m.leaseHeadroom(1_500_000_000L);
    return m;
  }

  /** Everything /metrics can export, rendered: the set a dashboard may refer to. */
  static String fullBody() {
    RaftStats raft = new RaftStats(3, true, Optional.of("n1"), 42, 41, 40, 8192, 10, 512, 2, 1);
    return MetricsText.of(everything("n1"), NOW, busy(raft));
  }

  @Test
  void everySampleHasHelpAndTypeAndParsesBack() {
    Parsed p = parse(fullBody());
    assertThat(p.type().keySet()).as("every family has HELP and TYPE").isEqualTo(p.help().keySet());
    for (NodeMetrics.Family f : NodeMetrics.FAMILIES) {
      assertThat(p.type()).as(f.name()).containsEntry(f.name(), f.type().name().toLowerCase(java.util.Locale.ROOT));
      assertThat(f.name()).as("prefix").startsWith("pgquorum_");
      if (f.type() == NodeMetrics.Type.COUNTER) {
        assertThat(f.name()).as("a counter's unit").endsWith("_total");
      }
      if (f.type() == NodeMetrics.Type.SUMMARY) {
        assertThat(f.name()).as("a duration's unit").endsWith("_seconds");
        assertThat(p.sampleNames()).contains(f.name(), f.name() + "_sum", f.name() + "_count");
      }
      assertThat(p.samples()).as("samples of " + f.name()).anyMatch(s -> s.name().startsWith(f.name()));
    }
    // Every sample carries the node's labels, first.
    assertThat(p.samples()).allSatisfy(s -> assertThat(List.copyOf(s.labels().keySet()).subList(0, 2))
        .containsExactly("scope", "name"));
    assertThat(p.sampleNames()).contains("patroni_primary", "pgquorum_backup_repo_up", "pgquorum_archiving_ok");
  }

  @Test
  void internalValuesAreTheRecordedOnes() {
    Parsed p = parse(fullBody());
    assertThat(p.first("pgquorum_raft_term").orElseThrow().value()).isEqualTo("3");
    assertThat(p.first("pgquorum_raft_is_leader").orElseThrow().value()).isEqualTo("1");
    assertThat(p.first("pgquorum_raft_leader_info").orElseThrow().labels()).containsEntry("leader", "n1");
    assertThat(p.first("pgquorum_raft_commit_index").orElseThrow().value()).isEqualTo("42");
    assertThat(p.first("pgquorum_raft_applied_index").orElseThrow().value()).isEqualTo("41");
    assertThat(p.first("pgquorum_raft_log_size_bytes").orElseThrow().value()).isEqualTo("8192");
    assertThat(p.first("pgquorum_raft_snapshot_index").orElseThrow().value()).isEqualTo("10");
    assertThat(p.first("pgquorum_raft_snapshot_size_bytes").orElseThrow().value()).isEqualTo("512");
    assertThat(p.first("pgquorum_raft_elections_total").orElseThrow().value()).isEqualTo("2");
    assertThat(p.first("pgquorum_raft_election_timeouts_total").orElseThrow().value()).isEqualTo("1");
    assertThat(p.first("pgquorum_ha_cycle_duration_seconds_count").orElseThrow().value()).isEqualTo("2");
    assertThat(Double.parseDouble(p.first("pgquorum_ha_cycle_duration_seconds_sum").orElseThrow().value()))
        .isEqualTo(0.042, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(p.first("pgquorum_lease_refresh_duration_seconds_count").orElseThrow().value()).isEqualTo("2");
    Map<String, String> decisions = byLabel(p, "pgquorum_ha_decisions_total", "action");
    assertThat(decisions).containsEntry("refresh_lock", "1").containsEntry("start_primary", "1")
        .containsEntry("idle", "1");
    assertThat(byLabel(p, "pgquorum_lease_refreshes_total", "outcome")).containsExactlyInAnyOrderEntriesOf(
        Map.of("confirmed", "1", "lost", "0", "unknown", "1"));
    assertThat(byLabel(p, "pgquorum_fencing_actions_total", "reason")).containsExactlyInAnyOrderEntriesOf(
        Map.of("lease_deadline", "1", "watchdog_lost", "0", "ha_loop_stopped", "0"));
    assertThat(p.first("pgquorum_lease_headroom_min_seconds").orElseThrow().value()).isEqualTo("1.25");
    // The 2 s refresh is the slowest: the top quantile sees it.
    Sample p99 = p.samples().stream().filter(s -> s.name().equals("pgquorum_lease_refresh_duration_seconds")
        && "0.99".equals(s.labels().get("quantile"))).findFirst().orElseThrow();
    assertThat(Double.parseDouble(p99.value())).isEqualTo(2.0, org.assertj.core.data.Offset.offset(1e-9));
  }

  private static Map<String, String> byLabel(Parsed p, String name, String label) {
    Map<String, String> out = new LinkedHashMap<>();
    p.samples().stream().filter(s -> s.name().equals(name)).forEach(s -> out.put(s.labels().get(label), s.value()));
    return out;
  }

  @Test
  void anEmptySummaryHasNanQuantilesAndZeroCountAndNoLeaderIsAnEmptyLabel() {
    Parsed p = parse(MetricsText.of(Fixtures.replica(), NOW, NodeMetrics.withoutRaft()));
    assertThat(p.samples()).filteredOn(s -> s.name().equals("pgquorum_ha_cycle_duration_seconds"))
        .hasSize(3).allSatisfy(s -> assertThat(s.value()).isEqualTo("NaN"));
    assertThat(p.first("pgquorum_ha_cycle_duration_seconds_count").orElseThrow().value()).isEqualTo("0");
    assertThat(p.first("pgquorum_lease_headroom_min_seconds").orElseThrow().value()).isEqualTo("NaN");
    Sample leader = p.first("pgquorum_raft_leader_info").orElseThrow();
    assertThat(leader.labels()).containsEntry("leader", "");
    assertThat(leader.value()).isEqualTo("0");
  }

  @Test
  void labelValuesAreEscapedAndReadBackUnchanged() {
    String odd = "a\"b\\c\nd";
    AtomicReference<RaftStats> raft = new AtomicReference<>(new RaftStats(1, false, Optional.of(odd), 1, 1, 1, 1,
        0, 0, 0, 0));
    NodeMetrics m = new NodeMetrics(raft::get);
    m.decision(List.of(odd));
    NodeStatus s = Fixtures.status(odd, Fixtures.primaryPg(), "running", "primary", true,
        Optional.of(Fixtures.snapshot(false)), Optional.of(NOW), Fixtures.tags(Map.of()), System.nanoTime());
    String body = MetricsText.of(s, NOW, m);
    assertThat(body).contains("leader=\"a\\\"b\\\\c\\nd\"");
    Parsed p = parse(body);
    assertThat(p.first("pgquorum_raft_leader_info").orElseThrow().labels()).containsEntry("leader", odd)
        .containsEntry("name", odd);
    assertThat(byLabel(p, "pgquorum_ha_decisions_total", "action")).containsEntry(odd, "1");
  }

  @Test
  void patroniAndBackupMetricsAreUnchangedByTheInternalOnes() {
    // The earlier body is a prefix of the new one: no existing name, label or value moved or changed.
    NodeStatus s = everything("n1");
    String before = MetricsText.of(s, NOW);
    String after = MetricsText.of(s, NOW, busy(RaftStats.NONE));
    assertThat(after).startsWith(before);
    assertThat(after.substring(before.length())).doesNotContain("patroni_");
  }

  @Test
  void rendersTheLatestPublishedRaftSample() {
    AtomicReference<RaftStats> raft = new AtomicReference<>(RaftStats.NONE);
    NodeMetrics m = new NodeMetrics(raft::get);
    assertThat(parse(MetricsText.of(Fixtures.replica(), NOW, m)).first("pgquorum_raft_term").orElseThrow()
        .value()).isEqualTo("0");
    raft.set(new RaftStats(7, false, Optional.of("n2"), 5, 5, 5, 100, 0, 0, 1, 1));
    Parsed p = parse(MetricsText.of(Fixtures.replica(), NOW, m));
    assertThat(p.first("pgquorum_raft_term").orElseThrow().value()).isEqualTo("7");
    assertThat(p.first("pgquorum_raft_leader_info").orElseThrow().labels()).containsEntry("leader", "n2");
  }
}
