package io.pgquorum.coordinator.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.dcs.api.RaftStats;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A witness's read endpoints, answered from a published status at a controlled clock. */
class WitnessHandlerTest {
  private static final Duration RECENT = Duration.ofSeconds(4);
  private static final RaftStats FOLLOWING = new RaftStats(7, false, Optional.of("n1"), 42, 41, 10, 2048, 0, 0, 1,
      0);

  private final AtomicReference<WitnessStatus> status = new AtomicReference<>();
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final WitnessHandler handler = new WitnessHandler(status::get, RECENT, now::get);

  private void publish(RaftStats raft, Optional<Duration> viewAge) {
    status.set(new WitnessStatus("demo", "w1", raft, viewAge, now.get()));
  }

  private static String body(HttpReply r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  @Test
  void beforeTheFirstPublicationOnlyLivenessIsOk() {
    assertThat(handler.read("/liveness").status()).isEqualTo(200);
    assertThat(handler.read("/health").status()).isEqualTo(503);
    assertThat(handler.read("/metrics").status()).isEqualTo(503);
  }

  @Test
  void healthyWhileItHeardFromItsLeaderRecently() {
    publish(FOLLOWING, Optional.of(Duration.ofMillis(1100)));
    assertThat(handler.read("/health").status()).isEqualTo(200);
    assertThat(handler.read("/readiness").status()).isEqualTo(200);
    assertThat(body(handler.read("/health"))).contains("\"role\":\"witness\"").contains("\"term\":7")
        .contains("\"leader\":\"n1\"");
  }

  @Test
  void aStaleContactOrAPublisherThatStoppedIsUnhealthy() {
    publish(FOLLOWING, Optional.of(Duration.ofSeconds(5)));
    assertThat(handler.read("/health").status()).as("contact older than RECENT").isEqualTo(503);
    publish(FOLLOWING, Optional.of(Duration.ofMillis(1100)));
    now.addAndGet(Duration.ofSeconds(3).toNanos());
    assertThat(handler.read("/health").status()).as("contact plus the time since publication").isEqualTo(503);
    assertThat(handler.read("/liveness").status()).isEqualTo(200);
  }

  @Test
  void noLeaderOrNoContactIsUnhealthy() {
    publish(new RaftStats(7, false, Optional.empty(), 42, 41, 10, 2048, 0, 0, 1, 0),
        Optional.of(Duration.ofMillis(1100)));
    assertThat(handler.read("/health").status()).isEqualTo(503);
    publish(FOLLOWING, Optional.empty());
    assertThat(handler.read("/readiness").status()).isEqualTo(503);
  }

  @Test
  void metricsAreTheRaftFamiliesWithTheWitnessesLabels() {
    publish(FOLLOWING, Optional.of(Duration.ofMillis(1100)));
    HttpReply r = handler.read("/metrics");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.contentType()).isEqualTo(MetricsText.CONTENT_TYPE);
    assertThat(body(r)).contains("pgquorum_raft_term{scope=\"demo\",name=\"w1\"} 7\n")
        .contains("pgquorum_raft_leader_info{scope=\"demo\",name=\"w1\",leader=\"n1\"} 1\n")
        .contains("pgquorum_raft_commit_index{scope=\"demo\",name=\"w1\"} 42\n")
        .contains("pgquorum_raft_elections_total{scope=\"demo\",name=\"w1\"} 1\n")
        .contains("pgquorum_raft_log_size_bytes{scope=\"demo\",name=\"w1\"} 2048\n")
        .as("a witness has no HA loop, PostgreSQL or lease").doesNotContain("pgquorum_ha_")
        .doesNotContain("patroni_").doesNotContain("pgquorum_lease_");
  }

  @Test
  void unknownPathsAre503AsOnANode() {
    publish(FOLLOWING, Optional.of(Duration.ofMillis(1100)));
    assertThat(handler.read("/primary").status()).isEqualTo(503);
    assertThat(handler.read("/patroni").status()).isEqualTo(503);
  }
}
