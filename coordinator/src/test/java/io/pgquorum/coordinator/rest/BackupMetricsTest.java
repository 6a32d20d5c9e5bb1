package io.pgquorum.coordinator.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.backrest.info.RepoHealth;
import io.pgquorum.coordinator.ha.NodeStatus;
import io.pgquorum.coordinator.postgres.ArchiverStats;
import io.pgquorum.coordinator.postgres.PgState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The backup and archiving gauges in /metrics and their objects in /patroni, with a fixed clock. */
class BackupMetricsTest {
  private static final Instant NOW = Instant.parse("2026-12-04T10:00:00Z");
  private static final String LABELS = "{scope=\"demo\",name=\"n1\"}";

  private static NodeStatus withBackrest(PgState pg, Optional<RepoHealth> repo) {
    NodeStatus s = Fixtures.status("n1", pg, "running", "primary", true, Optional.of(Fixtures.snapshot(false)),
        Optional.of(NOW), Fixtures.tags(Map.of()), System.nanoTime());
    return s.withBackrest(Map.of("stanza", "demo", "stanza_state", "done")).withRepository(repo);
  }

  private static RepoHealth healthy(Instant fullStop, Instant anyStop, boolean running) {
    return new RepoHealth(NOW.minusSeconds(30), true, OptionalInt.of(0), "ok", true, Optional.of(fullStop),
        Optional.of(anyStop), Optional.of(running));
  }

  private static String value(String body, String metric) {
    return body.lines().filter(l -> l.startsWith(metric + LABELS + " ")).findFirst()
        .map(l -> l.substring((metric + LABELS + " ").length())).orElse(null);
  }

  @Test
  void agesFollowTheClockAndEveryGaugeHasHelpAndType() {
    NodeStatus s = withBackrest(Fixtures.primaryPg(), Optional.of(healthy(NOW.minusSeconds(3600),
        NOW.minusSeconds(120), true)));
    String body = MetricsText.of(s, NOW);
    assertThat(value(body, "pgquorum_backup_repo_up")).isEqualTo("1");
    assertThat(value(body, "pgquorum_backup_repo_status")).isEqualTo("0");
    assertThat(value(body, "pgquorum_backup_repo_checked_time")).isEqualTo(NOW.minusSeconds(30).getEpochSecond()
        + ".000000");
    assertThat(value(body, "pgquorum_backup_running")).isEqualTo("1");
    assertThat(value(body, "pgquorum_backup_last_full_age_seconds")).isEqualTo("3600");
    assertThat(value(body, "pgquorum_backup_last_age_seconds")).isEqualTo("120");
    // The same status a minute and a half later: the ages grow, nothing else changes.
    String later = MetricsText.of(s, NOW.plusMillis(90_500));
    assertThat(value(later, "pgquorum_backup_last_full_age_seconds")).isEqualTo("3690.500");
    assertThat(value(later, "pgquorum_backup_last_age_seconds")).isEqualTo("210.500");
    for (String m : List.of("pgquorum_backup_repo_up", "pgquorum_backup_last_age_seconds")) {
      assertThat(body).contains("# HELP " + m + " ").contains("# TYPE " + m + " gauge\n" + m + LABELS);
    }
  }

  @Test
  void unknownIsNanAndNoBackupIsInfinite() {
    String before = MetricsText.of(withBackrest(Fixtures.primaryPg(), Optional.empty()), NOW);
    for (String m : List.of("pgquorum_backup_repo_up", "pgquorum_backup_repo_checked_time",
        "pgquorum_backup_repo_status", "pgquorum_backup_running", "pgquorum_backup_last_full_age_seconds",
        "pgquorum_backup_last_age_seconds")) {
      assertThat(value(before, m)).as(m + " before the first info run").isEqualTo("NaN");
    }
    RepoHealth fresh = new RepoHealth(NOW, true, OptionalInt.of(2), "no valid backups", true, Optional.empty(),
        Optional.empty(), Optional.of(false));
    String none = MetricsText.of(withBackrest(Fixtures.primaryPg(), Optional.of(fresh)), NOW);
    assertThat(value(none, "pgquorum_backup_repo_up")).isEqualTo("1");
    assertThat(value(none, "pgquorum_backup_repo_status")).isEqualTo("2");
    assertThat(value(none, "pgquorum_backup_last_full_age_seconds")).isEqualTo("+Inf");
    assertThat(value(none, "pgquorum_backup_last_age_seconds")).isEqualTo("+Inf");
    RepoHealth failed = RepoHealth.failed("[082] timed out", NOW, Optional.empty());
    String down = MetricsText.of(withBackrest(Fixtures.primaryPg(), Optional.of(failed)), NOW);
    assertThat(value(down, "pgquorum_backup_repo_up")).isEqualTo("0");
    assertThat(value(down, "pgquorum_backup_repo_status")).isEqualTo("NaN");
    assertThat(value(down, "pgquorum_backup_running")).isEqualTo("NaN");
    assertThat(value(down, "pgquorum_backup_last_age_seconds")).isEqualTo("NaN");
  }

  @Test
  void withoutABackrestSectionOrAnArchiverTheGaugesAreLeftOut() {
    String body = MetricsText.of(Fixtures.primary(), NOW);
    assertThat(body).doesNotContain("pgquorum_backup_").doesNotContain("pgquorum_archiv");
    assertThat(StatusJson.pgquorum(Fixtures.primary(), System.nanoTime())).doesNotContainKeys("repository",
        "archive");
  }

  @Test
  void archivingFailsWhenTheLastFailureIsNewerThanTheLastSuccess() {
    Instant ok = NOW.minusSeconds(60);
    Instant bad = NOW.minusSeconds(10);
    ArchiverStats failing = new ArchiverStats(7, 3, Optional.of(ok), Optional.of(bad), 2);
    assertThat(failing.failing()).isTrue();
    assertThat(new ArchiverStats(8, 3, Optional.of(NOW), Optional.of(bad), 0).failing()).isFalse();
    assertThat(new ArchiverStats(0, 1, Optional.empty(), Optional.of(bad), 1).failing()).isTrue();
    assertThat(new ArchiverStats(5, 0, Optional.of(ok), Optional.empty(), 0).failing()).isFalse();
    assertThat(new ArchiverStats(0, 0, Optional.empty(), Optional.empty(), 0).failing()).isFalse();

    PgState pg = Fixtures.primaryPg().withArchiver(Optional.of(failing));
    String body = MetricsText.of(withBackrest(pg, Optional.empty()), NOW);
    assertThat(value(body, "pgquorum_archiving_ok")).isEqualTo("0");
    assertThat(value(body, "pgquorum_archive_archived_count")).isEqualTo("7");
    assertThat(value(body, "pgquorum_archive_failed_count")).isEqualTo("3");
    assertThat(value(body, "pgquorum_archive_last_archived_time")).isEqualTo(ok.getEpochSecond() + ".000000");
    assertThat(value(body, "pgquorum_archive_last_failed_time")).isEqualTo(bad.getEpochSecond() + ".000000");
    assertThat(value(body, "pgquorum_archive_ready_count")).isEqualTo("2");
    Map<String, Object> archive = asMap(StatusJson.pgquorum(withBackrest(pg, Optional.empty()), 0).get("archive"));
    assertThat(archive).containsEntry("failing", true).containsEntry("failed_count", 3L)
        .containsEntry("ready_count", 2L).containsKeys("last_archived_time", "last_failed_time");

    ArchiverStats never = new ArchiverStats(0, 0, Optional.empty(), Optional.empty(), 0);
    String idle = MetricsText.of(withBackrest(Fixtures.primaryPg().withArchiver(Optional.of(never)),
        Optional.empty()), NOW);
    assertThat(value(idle, "pgquorum_archiving_ok")).isEqualTo("1");
    assertThat(value(idle, "pgquorum_archive_last_archived_time")).isEqualTo("NaN");
    assertThat(value(idle, "pgquorum_archive_last_failed_time")).isEqualTo("NaN");
  }

  @Test
  void patroniShowsTheRepositoryAsTimestamps() {
    RepoHealth h = healthy(NOW.minusSeconds(3600), NOW.minusSeconds(120), false);
    Map<String, Object> repo = asMap(StatusJson.pgquorum(withBackrest(Fixtures.primaryPg(), Optional.of(h)), 0)
        .get("repository"));
    assertThat(repo).containsEntry("up", true).containsEntry("status_code", 0).containsEntry("message", "ok")
        .containsEntry("backup_running", false)
        .containsEntry("last_full_backup_stop", NOW.minusSeconds(3600).toString())
        .containsEntry("last_backup_stop", NOW.minusSeconds(120).toString());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(Object o) {
    assertThat(o).isInstanceOf(Map.class);
    return (Map<String, Object>) o;
  }
}
