package io.pgquorum.bench.switchover;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgquorum.bench.failover.HaCluster;
import io.pgquorum.testkit.proc.Deadline;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Waits, before the next trial, until the leader's {@code GET /cluster} shows every other member streaming (Patroni
 * 3.0: running) on the leader's timeline with no lag: what both systems' switchover endpoints require of a
 * candidate (else they answer 412 "no good candidates"). Why more than {@link HaCluster#awaitHealthy}: a replica
 * that just rejoined streams before it has replayed the new timeline's switch, and a trial started then measured
 * the systems' refusal, not a switchover. Both pgquorum and Patroni publish these fields in {@code /cluster}.
 */
final class CandidatesSettled {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private CandidatesSettled() {}

  static void await(HaCluster c, Duration within) {
    String[] last = {"no answer yet"};
    Deadline.await("every replica streaming on the leader's timeline without lag", within, Duration.ofMillis(200),
        () -> {
          last[0] = check(c);
          return last[0].isEmpty();
        }, () -> last[0]);
  }

  /** Empty when settled, else what is not. */
  private static String check(HaCluster c) {
    JsonNode cluster;
    try {
      HaCluster.Endpoint rest = c.restEndpoint(c.primary());
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + rest + "/cluster"))
          .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
      cluster = JSON.readTree(r.body());
    } catch (Exception e) {
      return "GET /cluster failed: " + e;
    }
    long timeline = -1;
    for (JsonNode m : cluster.path("members")) {
      if (m.path("role").asText().equals("leader")) {
        timeline = m.path("timeline").asLong(-1);
      }
    }
    if (timeline < 0) {
      return "no leader with a timeline in /cluster";
    }
    for (JsonNode m : cluster.path("members")) {
      if (m.path("role").asText().equals("leader")) {
        continue;
      }
      // Patroni 3.0 (Debian 12's) says "running" for a streaming replica; 3.1+ and pgquorum say "streaming".
      boolean streams = m.path("state").asText().equals("streaming") || m.path("state").asText().equals("running");
      if (!streams || m.path("timeline").asLong(-1) != timeline
          || !m.path("lag").isNumber() || m.path("lag").asLong() != 0) {
        return m.path("name").asText() + ": state " + m.path("state").asText() + ", timeline "
            + m.path("timeline").asText("?") + " (leader " + timeline + "), lag " + m.path("lag").asText("?");
      }
    }
    return "";
  }
}
