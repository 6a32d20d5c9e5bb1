package io.pgquorum.coordinator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Maintenance mode and the dynamic configuration, end to end: three real daemons with PostgreSQL 15, driven by the
 * real {@code pgctl} (a separate JVM, reading node1's YAML as an operator would). (1) {@code pgctl pause --wait}:
 * every member shows pause in /patroni, /cluster and /metrics. (2) The primary's postmaster is killed with SIGKILL:
 * for many loop_waits nothing starts it again and no replica is promoted. (3) {@code pgctl resume --wait}: the
 * cluster recovers with a writable primary. (4) {@code pgctl edit-config -s ttl=12 --force}: every node's
 * GET /config shows it, and the leader's loop uses it (its lease grows past what ttl 8 allows). (5) Paused again,
 * {@code pgctl switchover --candidate X --force} succeeds: X becomes the writable primary while the cluster stays
 * paused, the old primary comes back as X's replica, and the third node's PostgreSQL (same postmaster) streams from
 * X, re-pointed by a reload, never restarted. (6) Paused, {@code pgctl failover --candidate X --force} with a
 * healthy primary: the same graceful handover. (7) Still paused, the primary's postmaster killed, then
 * {@code pgctl failover --candidate X --force}: X alone is promoted, the other replica follows it without a restart,
 * and the dead primary stays down until {@code pgctl resume}, then comes back as X's replica.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MaintenanceModeIT {
  static final int TTL = 8;
  static final java.util.regex.Pattern PAUSED_METRIC =
      java.util.regex.Pattern.compile("(?m)^patroni_is_paused\\{[^}]*} 1$");
  /** loop_wait is 1 s in LocalCluster: 10 s is ten cycles of every node. */
  static final Duration PAUSED_WATCH = Duration.ofSeconds(10);
  LocalCluster cluster;
  NodeSpec oldPrimary;
  /** The real outputs, for the record (the closing note asks what each command prints). */
  Path transcript;

  record Run(int exit, String out, String err) {}

  @BeforeAll
  void start() throws Exception {
    cluster = new LocalCluster("it-maintenance", 3, TTL, false);
    cluster.startAll();
    transcript = Path.of("target", "maintenance-mode-it-pgctl.txt");
    Files.createDirectories(transcript.getParent());
    Files.writeString(transcript, "");
  }

  @AfterAll
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** {@code pgctl -c node1.yml ARGS}: pgctl's whole command path, run in this JVM (see InProcess). */
  Run pgctl(String... args) throws IOException {
    List<String> all = new ArrayList<>(List.of("-c", cluster.nodes.get(0).config().toString()));
    all.addAll(List.of(args));
    String[] r = io.pgquorum.pgctl.InProcess.run(all.toArray(String[]::new));
    Run run = new Run(Integer.parseInt(r[0]), r[1], r[2]);
    Files.writeString(transcript, "$ pgctl " + String.join(" ", args) + "\n" + run.out() + run.err() + "(exit "
        + run.exit() + ")\n\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    return run;
  }

  private NodeSpec awaitPrimary(Duration within) {
    AtomicReference<NodeSpec> p = new AtomicReference<>();
    await("a writable primary").atMost(within).pollInterval(Duration.ofMillis(250)).until(() -> {
      Optional<NodeSpec> found = cluster.primary();
      found.ifPresent(p::set);
      return found.isPresent() && LocalCluster.tryExecute(found.get(),
          "CREATE TABLE IF NOT EXISTS it_maint (v int)", "INSERT INTO it_maint VALUES (1)");
    });
    return p.get();
  }

  @Test
  @Order(1)
  void pauseIsSeenByEveryMember() throws Exception {
    oldPrimary = awaitPrimary(Duration.ofMinutes(3));
    await("two streaming replicas").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
        .until(() -> cluster.streamingReplicas().size() == 2);
    // The first DCS client of this JVM loads Ratis; on a loaded machine that alone can outlast pgctl's 5 s DCS
    // timeout. A read-only command is retried until it gets through (it changes nothing).
    AtomicReference<Run> first = new AtomicReference<>();
    await("pgctl reaches the DCS").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
        .until(() -> {
          first.set(pgctl("show-config"));
          return first.get().exit() == 0;
        });
    Run show = first.get();
    assertThat(show.out()).contains("loop_wait: 1\n", "ttl: 8\n").doesNotContain("pause");

    Run pause = pgctl("pause", "--wait");
    assertThat(pause.exit()).as(pause.err()).isZero();
    assertThat(pause.out()).isEqualTo("'pause' request sent, waiting until it is recognized by all nodes\n"
        + "Success: cluster management is paused\n");
    for (NodeSpec n : cluster.nodes) {
      await(n.name + " publishes pause").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
          .until(() -> LocalCluster.get(n, "/patroni").json().path("pause").asBoolean()
              && LocalCluster.get(n, "/cluster").json().path("pause").asBoolean()
              && PAUSED_METRIC.matcher(LocalCluster.get(n, "/metrics").body()).find());
    }
    Run again = pgctl("pause");
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err()).isEqualTo("Error: Cluster is already paused\n");
  }

  @Test
  @Order(2)
  void aKilledPrimaryIsNeitherRestartedNorReplacedWhilePaused() throws Exception {
    long pid = cluster.postmasterPid(oldPrimary).orElseThrow();
    cluster.killPostmaster(oldPrimary);
    await("the postmaster gone").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
        .until(() -> cluster.postmasterPid(oldPrimary).isEmpty());
    // Watched for ten loop_waits: every poll must find no PostgreSQL on the old primary and no primary anywhere.
    long until = System.nanoTime() + PAUSED_WATCH.toNanos();
    int polls = 0;
    while (System.nanoTime() < until) {
      assertThat(cluster.postmasterPid(oldPrimary)).as("old primary's PostgreSQL started again while paused (was "
          + pid + ")" + cluster.diagnostics()).isEmpty();
      for (NodeSpec n : cluster.nodes) {
        // The old primary's own status may say primary until its next probe; its postmaster is checked above.
        if (n != oldPrimary) {
          assertThat(LocalCluster.get(n, "/patroni").json().path("role").asText())
              .as(n.name + " promoted while paused" + cluster.diagnostics()).isNotEqualTo("primary");
        }
      }
      polls++;
      Thread.sleep(250);
    }
    assertThat(polls).isGreaterThan(20);
    assertThat(cluster.logs(oldPrimary)).contains("PAUSE: removed leader lock because postgres is not running");
    for (NodeSpec n : cluster.nodes) {
      if (n != oldPrimary) {
        assertThat(cluster.logs(n)).contains("PAUSE: no action in maintenance mode; without it: ");
      }
    }
  }

  @Test
  @Order(3)
  void resumeRecoversAWritablePrimary() throws Exception {
    Run resume = pgctl("resume", "--wait");
    assertThat(resume.exit()).as(resume.err()).isZero();
    assertThat(resume.out()).isEqualTo("'resume' request sent, waiting until it is recognized by all nodes\n"
        + "Success: cluster management is resumed\n");
    NodeSpec primary = awaitPrimary(Duration.ofMinutes(2));
    assertThat(LocalCluster.get(primary, "/patroni").json().has("pause")).isFalse();
    await("every member running again").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
        .until(() -> cluster.streamingReplicas().size() == 2);
    Run again = pgctl("resume");
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err()).isEqualTo("Error: Cluster is not paused\n");
  }

  @Test
  @Order(4)
  void editConfigIsAppliedOnEveryNode() throws Exception {
    Run edit = pgctl("edit-config", "-s", "ttl=12", "--force");
    assertThat(edit.exit()).as(edit.err()).isZero();
    assertThat(edit.out()).contains("-ttl: 8\n+ttl: 12\n").endsWith("Configuration changed\n");
    for (NodeSpec n : cluster.nodes) {
      await(n.name + " GET /config shows ttl 12").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
          .until(() -> LocalCluster.get(n, "/config").json().path("ttl").asInt() == 12);
    }
    // The leader re-arms its lock with the new ttl: its lease (ttl - retry_timeout at most) then exceeds what ttl
    // 8 allowed (6 s).
    NodeSpec primary = awaitPrimary(Duration.ofSeconds(30));
    await("the leader's lease follows ttl 12").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
        .until(() -> LocalCluster.get(primary, "/patroni").json().path("pgquorum").path("lease_remaining_ms")
            .asLong() > 7_000);
    Run show = pgctl("show-config");
    assertThat(show.out()).contains("ttl: 12\n");
    Run invalid = pgctl("edit-config", "-s", "ttl=2", "--force");
    assertThat(invalid.exit()).isEqualTo(1);
    assertThat(invalid.err()).contains("config.ttl: must be at least 4");
    Run noTerminal = pgctl("edit-config", "-s", "ttl=10");
    assertThat(noTerminal.exit()).isEqualTo(1);
    assertThat(noTerminal.err()).contains("there is no terminal; use --force");
    assertThat(LocalCluster.get(primary, "/config").json().path("ttl").asInt()).isEqualTo(12);

    // Fractions of a second (issue 15): written as decimals, read by every node, and the leader re-arms its lock
    // with the fractional ttl (its log says so, in the configuration's spelling).
    Run fractional = pgctl("edit-config", "-s", "ttl=12.5", "-s", "loop_wait=0.5", "--force");
    assertThat(fractional.exit()).as(fractional.err()).isZero();
    assertThat(fractional.out()).contains("-loop_wait: 1\n+loop_wait: 0.5\n").contains("-ttl: 12\n+ttl: 12.5\n");
    for (NodeSpec n : cluster.nodes) {
      await(n.name + " GET /config shows ttl 12.5, loop_wait 0.5").atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(200)).until(() -> {
            com.fasterxml.jackson.databind.JsonNode c = LocalCluster.get(n, "/config").json();
            return c.path("ttl").asDouble() == 12.5 && c.path("loop_wait").asDouble() == 0.5;
          });
    }
    NodeSpec holder = awaitPrimary(Duration.ofSeconds(30));
    await("the leader re-arms its lock with ttl 12.5").atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> java.nio.file.Files.readString(holder.log()).contains("re-armed the leader lock with ttl 12.5 s"));
    Run back = pgctl("edit-config", "-s", "ttl=12", "-s", "loop_wait=1", "--force");
    assertThat(back.exit()).as(back.err()).isZero();
    Run tooFine = pgctl("edit-config", "-s", "loop_wait=0.0001", "--force");
    assertThat(tooFine.exit()).isEqualTo(1);
    assertThat(tooFine.err()).contains("config.loop_wait: must be a number of seconds (at most 3 decimals)");
  }

  @Test
  @Order(5)
  void aSwitchoverToANamedCandidateRunsWhilePaused() throws Exception {
    NodeSpec primary = awaitPrimary(Duration.ofMinutes(1));
    await("two streaming replicas").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
        .until(() -> cluster.streamingReplicas().size() == 2);
    List<NodeSpec> replicas = cluster.nodes.stream().filter(n -> n != primary).toList();
    NodeSpec candidate = replicas.get(0);
    NodeSpec third = replicas.get(1);
    long thirdPid = cluster.postmasterPid(third).orElseThrow();
    Run pause = pgctl("pause", "--wait");
    assertThat(pause.exit()).as(pause.err()).isZero();

    Run switchover = pgctl("switchover", "--candidate", candidate.name, "--force");
    assertThat(switchover.exit()).as(switchover.err() + cluster.diagnostics()).isZero();
    assertThat(switchover.out()).contains("Successfully switched over to \"" + candidate.name + "\"");
    assertThat(awaitPrimary(Duration.ofSeconds(30)).name).isEqualTo(candidate.name);
    for (NodeSpec n : cluster.nodes) {
      assertThat(LocalCluster.get(n, "/cluster").json().path("pause").asBoolean()).as(n.name + " still paused")
          .isTrue();
      assertThat(LocalCluster.get(n, "/liveness").status()).as(n.name + " /liveness while paused").isEqualTo(200);
    }
    // The old primary is back as the new primary's replica, and the third node streams from it: both seen on the
    // new primary by their application_name (the member name).
    for (NodeSpec n : List.of(primary, third)) {
      await(n.name + " streams from " + candidate.name).atMost(Duration.ofMinutes(1))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> LocalCluster.count(candidate, "SELECT count(*) FROM pg_stat_replication WHERE state = "
              + "'streaming' AND application_name = '" + n.name + "'").orElse(0L) == 1L);
    }
    assertThat(cluster.postmasterPid(third)).as("the third node's PostgreSQL was restarted" + cluster.diagnostics())
        .contains(thirdPid);
    assertThat(cluster.logs(primary)).contains("PAUSE: switchover: demoting myself, handing over to "
        + candidate.name);
    assertThat(cluster.logs(candidate)).contains("PAUSE: promoted self to leader by acquiring session lock");
    assertThat(cluster.logs(third)).contains("PAUSE: changing primary_conninfo and reloading to follow new leader ("
        + candidate.name + ")");
    Run resume = pgctl("resume", "--wait");
    assertThat(resume.exit()).as(resume.err()).isZero();
    // The watchdog is not disabled while paused (PauseNotice says why); each node logs so both ways.
    for (NodeSpec n : cluster.nodes) {
      await(n.name + " logs the resume").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
          .until(() -> cluster.logs(n).contains("maintenance mode off; the watchdog kept following the leader lease"));
      assertThat(cluster.logs(n)).contains("PAUSE: maintenance mode on; the watchdog stays armed while this node "
          + "holds the leader lease");
    }
  }

  /** How many times {@code n}'s PostgreSQL came up (its log's "database system is ready to accept" lines). */
  private long pgStarts(NodeSpec n) {
    return cluster.pgLogs(n).lines().filter(l -> l.contains("database system is ready to accept")).count();
  }

  /** The member names of those streaming from {@code primary}, as its pg_stat_replication shows them. */
  private static boolean streamsFrom(NodeSpec replica, NodeSpec primary) {
    return LocalCluster.count(primary, "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming' AND "
        + "application_name = '" + replica.name + "'").orElse(0L) == 1L;
  }

  @Test
  @Order(6)
  void aFailoverToANamedCandidateRunsWhilePaused() throws Exception {
    NodeSpec primary = awaitPrimary(Duration.ofMinutes(1));
    await("two streaming replicas").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
        .until(() -> cluster.streamingReplicas().size() == 2);
    List<NodeSpec> replicas = cluster.nodes.stream().filter(n -> n != primary).toList();
    NodeSpec candidate = replicas.get(1);
    NodeSpec third = replicas.get(0);
    Run pause = pgctl("pause", "--wait");
    assertThat(pause.exit()).as(pause.err()).isZero();
    long startsBefore = pgStarts(primary);

    // Patroni: a failover (candidate only) is allowed while paused; with a healthy leader it is a graceful handover.
    Run failover = pgctl("failover", "--candidate", candidate.name, "--force");
    assertThat(failover.exit()).as(failover.out() + failover.err() + cluster.diagnostics()).isZero();
    assertThat(failover.out()).startsWith("Current cluster topology\n")
        .contains("Successfully failed over to \"" + candidate.name + "\"").contains(" Maintenance mode: on");
    assertThat(awaitPrimary(Duration.ofSeconds(30)).name).isEqualTo(candidate.name);
    for (NodeSpec n : List.of(primary, third)) {
      await(n.name + " streams from " + candidate.name).atMost(Duration.ofMinutes(1))
          .pollInterval(Duration.ofMillis(500)).until(() -> streamsFrom(n, candidate));
    }
    for (NodeSpec n : cluster.nodes) {
      assertThat(LocalCluster.get(n, "/cluster").json().path("pause").asBoolean()).as(n.name + " still paused")
          .isTrue();
    }
    assertThat(pgStarts(primary)).as(primary.name + "'s PostgreSQL started once after the handover, as "
        + candidate.name + "'s replica").isEqualTo(startsBefore + 1);
    assertThat(cluster.logs(primary)).contains("PAUSE: failover: demoting myself, handing over to " + candidate.name);
    assertThat(cluster.logs(candidate)).contains("PAUSE: promoted self to leader by acquiring session lock");
  }

  @Test
  @Order(7)
  void aFailoverAfterThePrimaryDiedWhilePausedPromotesTheNamedCandidateOnly() throws Exception {
    // Still paused (the test above leaves it so). The primary's postmaster is killed: nothing happens by itself
    // (test 2), then the operator fails over to a named replica, Patroni's way out of a paused cluster without a
    // primary: the candidate alone takes the lock and promotes, the other replica is re-pointed at it by a reload,
    // and the dead primary stays down (a paused loop starts nothing it did not stop itself) until resume.
    NodeSpec dead = awaitPrimary(Duration.ofSeconds(30));
    List<NodeSpec> replicas = cluster.nodes.stream().filter(n -> n != dead).toList();
    NodeSpec candidate = replicas.get(0);
    NodeSpec third = replicas.get(1);
    await("two streaming replicas").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
        .until(() -> streamsFrom(candidate, dead) && streamsFrom(third, dead));
    long thirdPid = cluster.postmasterPid(third).orElseThrow();
    cluster.killPostmaster(dead);
    await("the lock given up").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
        .until(() -> cluster.logs(dead).contains("PAUSE: removed leader lock because postgres is not running")
            && LocalCluster.get(candidate, "/cluster").json().path("members").findValues("role").stream()
                .noneMatch(r -> r.asText().equals("leader")));
    assertThat(cluster.primary()).as("nothing promoted by itself while paused").isEmpty();

    Run failover = pgctl("failover", "--candidate", candidate.name, "--force");
    assertThat(failover.exit()).as(failover.out() + failover.err() + cluster.diagnostics()).isZero();
    assertThat(failover.out()).contains("Successfully failed over to \"" + candidate.name + "\"");
    assertThat(awaitPrimary(Duration.ofSeconds(30)).name).isEqualTo(candidate.name);
    await(third.name + " streams from " + candidate.name).atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(500)).until(() -> streamsFrom(third, candidate));
    assertThat(cluster.postmasterPid(third)).as(third.name + "'s PostgreSQL restarted while paused"
        + cluster.diagnostics()).contains(thirdPid);
    assertThat(cluster.postmasterPid(dead)).as("the dead primary started again while paused" + cluster.diagnostics())
        .isEmpty();
    assertThat(cluster.logs(candidate)).contains("PAUSE: promoted self to leader by acquiring session lock");

    Run resume = pgctl("resume", "--wait");
    assertThat(resume.exit()).as(resume.err()).isZero();
    await(dead.name + " back as a replica of " + candidate.name).atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500)).until(() -> streamsFrom(dead, candidate));
    assertThat(cluster.primary()).hasValue(candidate);
  }
}
