package io.pgquorum.coordinator.it;

import static io.pgquorum.coordinator.it.CtlRun.pgctl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import io.pgquorum.dcs.api.KeyValue;
import io.pgquorum.dcs.ratis.RatisDcsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Scheduled backups on the lock holder, end to end: three daemons, real PostgreSQL 15 and pgBackRest 2.45 with a
 * posix repository in the test's directory, {@code backrest.schedule.incr: every 1m} (the shortest interval the
 * schedule syntax has; the same code path as any schedule, only the period is short). One cluster for all of it:
 * (1) the leader runs the slot, and the {@code backups} DCS key records it; (2) {@code pgctl backup --type full
 * --wait} runs on the leader, a second request while one runs gets 409, a replica answers 503;
 * (3) {@code pgctl backups} lists the repository (table and JSON); (4) kill -9 of the leader's daemon and
 * postmaster: the new leader runs check and an incremental on the new timeline (recorded by timeline), then the
 * next slot; across the whole run every slot was claimed by exactly one node (the daemons' logs) and only by the
 * lock holder of the time.
 */
class BackupScheduleIT {
  static final String SCOPE = "it-backups";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final Pattern CLAIMED = Pattern.compile("claimed the (full|diff|incr) backup slot (\\S+):");


  @Test
  void scheduledBackupsRunOnTheLeaderOnlyAcrossAFailoverAndPgctlDrivesThem() throws Exception {
    Path transcript = Path.of("target", "backup-schedule-it-pgctl.txt");
    Files.createDirectories(transcript.getParent());
    Files.writeString(transcript, "");
    try (LocalCluster cluster = new LocalCluster(SCOPE, 3, 8, false)) {
      Path repo = cluster.base.resolve("repo");
      for (NodeSpec n : cluster.nodes) {
        cluster.appendYaml(n, "backrest:\n  repo1:\n    path: " + repo + "\n  schedule:\n    full: \"off\"\n"
            + "    diff: \"off\"\n    incr: every 1m\n");
      }
      cluster.startAll();
      AtomicReference<NodeSpec> leader = new AtomicReference<>();
      AtomicReference<JsonNode> record = new AtomicReference<>();
      try (RatisDcsClient dcs = cluster.dcsClient()) {
        try {
          await("a primary and two streaming replicas").atMost(Duration.ofMinutes(3))
              .pollInterval(Duration.ofMillis(300))
              .until(() -> cluster.primary().map(p -> {
                leader.set(p);
                return cluster.streamingReplicas().size() == 2;
              }).orElse(false));
          // (1) No backup recorded yet: the current minute's slot is due (within the catch-up window) at once.
          await("the leader's scheduled backup, recorded in the DCS").atMost(Duration.ofMinutes(4))
              .pollInterval(Duration.ofMillis(500)).until(() -> {
                record.set(backupsKey(dcs, cluster));
                JsonNode last = record.get().path("last");
                return last.path("trigger").asText().equals("schedule") && last.path("state").asText().equals("done");
              });
        } catch (ConditionTimeoutException e) {
          throw new AssertionError(e.getMessage() + "\nbackups key: " + record.get() + cluster.diagnostics(), e);
        }
        NodeSpec first = leader.get();
        System.out.println("backups key after the first slot: " + record.get());
        assertThat(record.get().path("last").path("member").asText()).isEqualTo(first.name);
        assertThat(record.get().path("slot_type").asText()).isEqualTo("incr");
        assertThat(record.get().path("timeline").asLong()).isEqualTo(1);
        Instant firstSlot = Instant.parse(record.get().path("slot").asText());

        // (2) pgctl backup on the leader; a scheduled one may be running at that moment (409): asked again then.
        AtomicReference<CtlRun> backup = new AtomicReference<>();
        // The first DCS client of this JVM loads Ratis, which on a loaded machine can outlast pgctl's DCS timeout.
        try {
          await("pgctl backup --type full --wait succeeds").atMost(Duration.ofMinutes(3))
              .pollInterval(Duration.ofSeconds(2)).until(() -> {
                backup.set(pgctl(cluster.nodes.get(1), transcript, "backup", "--type", "full", "--wait"));
                return backup.get().exit() == 0;
              });
        } catch (ConditionTimeoutException e) {
          throw new AssertionError("last pgctl backup: " + backup.get(), e);
        }
        assertThat(backup.get().exit()).as(backup.get().out() + backup.get().err()).isZero();
        assertThat(backup.get().out()).contains("Success: full backup started on " + first.name)
            .contains("Backup finished on " + first.name);
        // A second request while one runs is refused with 409 (the first may finish before the second arrives on
        // a tiny database: then both ran, and the pair is tried again).
        boolean refused = false;
        for (int i = 0; i < 5 && !refused; i++) {
          HttpResponse<String> a = post(first, "/backup", "{\"type\":\"full\"}");
          HttpResponse<String> b = post(first, "/backup", "{\"type\":\"full\"}");
          if (a.statusCode() == 202 && b.statusCode() == 409) {
            assertThat(b.body()).isEqualTo("a backup is already running on " + first.name
                + " (GET /backup shows it)");
            refused = true;
          }
          awaitIdle(first);
        }
        assertThat(refused).as("a request while a backup runs got 409").isTrue();
        NodeSpec replica = cluster.streamingReplicas().get(0);
        HttpResponse<String> onReplica = post(replica, "/backup", "{}");
        assertThat(onReplica.statusCode()).isEqualTo(503);
        assertThat(onReplica.body()).isEqualTo("not the leader: a backup runs on the leader (" + first.name + ")");
        assertThat(post(first, "/backup", "{\"type\":\"weekly\"}").statusCode()).isEqualTo(400);

        // (3) pgctl backups: the repository's backups, as a table and as JSON.
        CtlRun table = pgctl(cluster.nodes.get(1), transcript, "backups");
        assertThat(table.exit()).as(table.err()).isZero();
        assertThat(table.out()).contains("Stanza: " + SCOPE + " (ok)").contains("| full ").contains("| Label");
        CtlRun json = pgctl(cluster.nodes.get(1), transcript, "backups", "--format", "json");
        JsonNode rows = JSON.readTree(json.out());
        List<String> types = new ArrayList<>();
        rows.forEach(r -> types.add(r.path("Type").asText()));
        assertThat(types).contains("full");

        // (4) Failover: kill -9 of the leader's daemon and postmaster.
        awaitIdle(first);
        cluster.killDaemon(first);
        cluster.killPostmaster(first);
        Instant killedAt = Instant.now();
        AtomicReference<NodeSpec> next = new AtomicReference<>();
        try {
          await("a new primary").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(300))
              .until(() -> cluster.primary().filter(p -> p != first).map(p -> {
                next.set(p);
                return true;
              }).orElse(false));
          await("the new leader's work after the promotion, recorded by timeline").atMost(Duration.ofMinutes(4))
              .pollInterval(Duration.ofMillis(500)).until(() -> {
                record.set(backupsKey(dcs, cluster));
                return record.get().path("timeline").asLong() >= 2;
              });
          System.out.println("backups key after the promotion: " + record.get());
          await("a slot after the failover, run by the new leader").atMost(Duration.ofMinutes(4))
              .pollInterval(Duration.ofMillis(500)).until(() -> {
                record.set(backupsKey(dcs, cluster));
                JsonNode last = record.get().path("last");
                return last.path("trigger").asText().equals("schedule") && last.path("state").asText().equals("done")
                    && Instant.parse(record.get().path("slot").asText()).isAfter(killedAt.minusSeconds(60));
              });
        } catch (ConditionTimeoutException e) {
          throw new AssertionError(e.getMessage() + "\nbackups key: " + record.get() + cluster.diagnostics(), e);
        }
        NodeSpec second = next.get();
        System.out.println("backups key after the next slot: " + record.get());
        assertThat(record.get().path("last").path("member").asText()).isEqualTo(second.name);
        assertThat(record.get().path("timeline").asLong()).isGreaterThanOrEqualTo(2);
        assertThat(Instant.parse(record.get().path("slot").asText())).isAfter(firstSlot);
        String secondLog = Files.readString(second.log());
        assertThat(secondLog).contains("claimed the work after the promotion to timeline 2")
            .contains("pgBackRest check and incr backup (promotion) done");

        // Every slot claimed by exactly one node; the killed leader's claims all came before its death, and the
        // node that never held the lock claimed nothing.
        Map<String, List<String>> claims = new TreeMap<>();
        for (NodeSpec n : cluster.nodes) {
          Matcher m = CLAIMED.matcher(Files.readString(n.log()));
          while (m.find()) {
            claims.computeIfAbsent(m.group(2), k -> new ArrayList<>()).add(n.name);
          }
        }
        System.out.println("slot claims: " + claims);
        assertThat(claims).isNotEmpty();
        claims.forEach((slot, by) -> assertThat(by).as("claims of slot " + slot).hasSize(1));
        assertThat(claims.values().stream().flatMap(List::stream).distinct().toList())
            .containsExactlyInAnyOrder(first.name, second.name);
        claims.forEach((slot, by) -> {
          if (by.get(0).equals(first.name)) {
            assertThat(Instant.parse(slot)).as("a slot the killed leader claimed").isBefore(killedAt);
          }
        });

        // pgBackRest's view: an incremental taken on timeline 2 (its WAL starts on timeline 2).
        CtlRun after = pgctl(cluster.nodes.get(1), transcript, "backups", "--format", "json");
        JsonNode all = JSON.readTree(after.out());
        boolean onTimeline2 = false;
        for (JsonNode r : all) {
          onTimeline2 |= r.path("Type").asText().equals("incr") && !r.path("Prior").asText().isEmpty()
              && r.path("Started").asText().compareTo(killedAt.toString()) > 0;
        }
        assertThat(onTimeline2).as("an incremental after the failover in %s", all).isTrue();
      }
    }
  }

  private static JsonNode backupsKey(RatisDcsClient dcs, LocalCluster cluster) throws Exception {
    Optional<KeyValue> kv = dcs.get(cluster.dcsKey("backups"));
    return kv.isEmpty() ? JSON.createObjectNode() : JSON.readTree(kv.get().value());
  }

  private static void awaitIdle(NodeSpec n) {
    await(n.name + "'s backup job idle").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(300))
        .until(() -> {
          LocalCluster.HttpResult r = LocalCluster.get(n, "/backup");
          return r.status() == 200 && !JSON.readTree(r.body()).path("state").asText().equals("running");
        });
  }

  private static HttpResponse<String> post(NodeSpec n, String path, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.restPort + path))
        .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

}
