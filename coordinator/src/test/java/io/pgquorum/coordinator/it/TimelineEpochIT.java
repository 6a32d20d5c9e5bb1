package io.pgquorum.coordinator.it;

import static io.pgquorum.coordinator.it.LocalCluster.count;
import static io.pgquorum.coordinator.it.LocalCluster.get;
import static io.pgquorum.coordinator.it.LocalCluster.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgquorum.coordinator.it.LocalCluster.HttpResult;
import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The real executor records the epoch of a timeline (docs/findings/same-timeline-forks.md): after a failover the
 * promoted node's record next to its data directory, and its {@code /patroni timeline_epoch} and member key, name
 * the fencing token it promoted under; the replica that streams onto the new timeline, the former primary that
 * rejoins, and a re-clone of it (reinitialize) all take that epoch from their source. Before, no real node knew any
 * epoch (LocalPostgres.timelineEpoch() was always empty), so every same-number-fork rule was silent.
 */
@EnabledOnOs(OS.LINUX)
class TimelineEpochIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WITHIN = Duration.ofSeconds(120);
  private LocalCluster cluster;

  @AfterEach
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static Optional<JsonNode> patroni(NodeSpec n) {
    try {
      HttpResult r = get(n, "/patroni");
      return r.status() == 200 || r.status() == 503 ? Optional.of(JSON.readTree(r.body())) : Optional.empty();
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  /** What {@code /patroni} says of the node's timeline and its epoch, as "timeline/epoch" ("2/-" when unknown). */
  private static String published(NodeSpec n) {
    return patroni(n).map(j -> j.path("timeline").asInt() + "/"
        + (j.has("timeline_epoch") ? j.path("timeline_epoch").asText() : "-")).orElse("?");
  }

  private String memberKeyEpoch(NodeSpec n) throws Exception {
    try (io.pgquorum.dcs.ratis.RatisDcsClient dcs = cluster.dcsClient()) {
      Optional<io.pgquorum.dcs.api.KeyValue> kv = dcs.get(cluster.dcsKey("members/" + n.name));
      return kv.isEmpty() ? "?" : JSON.readTree(kv.get().value()).path("timeline_epoch").asText("-");
    }
  }

  private static Path record(NodeSpec n) {
    return n.dataDir().resolveSibling(n.dataDir().getFileName() + ".timeline-epoch");
  }

  @Test
  void aFailoverRecordsThePromotionsTokenAndEveryCopyTakesItFromItsSource() throws Exception {
    cluster = new LocalCluster("it-epoch", 3, 8, false);
    try {
      cluster.startAll();
      await("a primary and two streaming replicas").atMost(WITHIN).pollInterval(Duration.ofMillis(300))
          .until(() -> cluster.primary().isPresent() && cluster.streamingReplicas().size() == 2);
      NodeSpec first = cluster.primary().orElseThrow();
      // Timeline 1 was made by initdb, not by a promotion: there is no token to record (its one fork per system
      // identifier needs none), so nobody publishes an epoch yet.
      for (NodeSpec n : cluster.nodes) {
        assertThat(published(n)).as(n.name).isEqualTo("1/-");
      }

      cluster.killDaemon(first);
      cluster.killPostmaster(first);
      await("a new primary").atMost(WITHIN).pollInterval(Duration.ofMillis(300))
          .until(() -> cluster.primary().filter(p -> p != first).isPresent());
      NodeSpec promoted = cluster.primary().orElseThrow();
      long token = count(promoted, "SELECT current_setting('pgquorum.fencing_token')::bigint").orElseThrow();
      String expected = "2/" + token;
      NodeSpec other = cluster.nodes.stream().filter(n -> n != first && n != promoted).findFirst().orElseThrow();
      await("the promoted node and the other replica publish epoch " + token).atMost(WITHIN)
          .pollInterval(Duration.ofMillis(300))
          .until(() -> published(promoted).equals(expected) && published(other).equals(expected));
      for (NodeSpec n : List.of(promoted, other)) {
        assertThat(Files.readString(record(n))).as(record(n).toString()).contains("timeline=2\n")
            .contains("epoch=" + token + "\n");
        await("the member key of " + n.name).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
            .until(() -> memberKeyEpoch(n).equals(Long.toString(token)));
      }

      // The former primary rejoins (rewound or not, it reaches timeline 2 from the new primary's WAL).
      cluster.start(first);
      await(first.name + " rejoins with epoch " + token).atMost(WITHIN).pollInterval(Duration.ofMillis(300))
          .until(() -> published(first).equals(expected) && cluster.streamingReplicas().contains(first));

      // A re-clone of it (reinitialize): the copy records its source's epoch; the old record went aside with the
      // old data directory.
      String startedBefore = postmasterStart(first);
      await("reinitialize is accepted").atMost(WITHIN).pollInterval(Duration.ofSeconds(1))
          .until(() -> post(first, "/reinitialize", "{\"force\": true}").status() == 200);
      // A new postmaster, not only the published status: until the re-clone's server has started, /patroni may
      // still show the old server's status (streaming, with the epoch) while the copy is being made.
      await(first.name + " re-cloned, with epoch " + token).atMost(WITHIN).pollInterval(Duration.ofMillis(300))
          .until(() -> !postmasterStart(first).equals(startedBefore) && !postmasterStart(first).isEmpty()
              && published(first).equals(expected) && cluster.streamingReplicas().contains(first)
              && movedAsideRecords(first) > 0);
      assertThat(Files.readString(record(first))).contains("epoch=" + token + "\n");

      // A second failover: the node promoted to timeline 3 keeps timeline 2's epoch after its own
      // (docs/findings/sim-seed-74489957632632.md: a primary recording an older switch must know that switch's
      // epoch), and so does the replica that streams onto timeline 3.
      cluster.killDaemon(promoted);
      cluster.killPostmaster(promoted);
      await("a primary after " + promoted.name).atMost(WITHIN).pollInterval(Duration.ofMillis(300))
          .until(() -> cluster.primary().filter(p -> p != promoted).isPresent());
      NodeSpec second = cluster.primary().orElseThrow();
      long token2 = count(second, "SELECT current_setting('pgquorum.fencing_token')::bigint").orElseThrow();
      NodeSpec follower = second == first ? other : first;
      String line = "timeline=3\nepoch=" + token2 + "\nearlier=2:" + token + "\n";
      await("the new primary and its replica publish epoch " + token2).atMost(WITHIN)
          .pollInterval(Duration.ofMillis(300))
          .until(() -> published(second).equals("3/" + token2) && published(follower).equals("3/" + token2));
      for (NodeSpec n : List.of(second, follower)) {
        assertThat(Files.readString(record(n))).as(record(n).toString()).contains(line);
      }
    } catch (AssertionError | org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(e.getMessage() + "\npublished: "
          + cluster.nodes.stream().map(n -> n.name + "=" + published(n)).toList() + cluster.diagnostics(), e);
    }
  }

  private static String postmasterStart(NodeSpec n) {
    return patroni(n).map(j -> j.path("postmaster_start_time").asText("")).orElse("");
  }

  private static long movedAsideRecords(NodeSpec n) throws Exception {
    try (var files = Files.list(n.dataDir().getParent())) {
      return files.filter(f -> f.getFileName().toString().startsWith(n.dataDir().getFileName() + ".failed-")
          && f.getFileName().toString().endsWith(".timeline-epoch")).count();
    }
  }
}
