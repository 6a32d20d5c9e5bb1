package io.pgquorum.coordinator.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.ha.NodeStatus;
import io.pgquorum.coordinator.ha.PeerView;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The leader-race peer query against real servers, a closed port and a port that never answers. */
class PeerClientTest {

  @Test
  void fetchesPeersInParallelAndMarksFailuresUnreachable() throws Exception {
    NodeStatus primary = Fixtures.primary();
    NodeStatus replica = Fixtures.laggingReplica();
    NodeStatus stopped = Fixtures.stopped();
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    try (RestServer p = RestServer.start(TestHttp.config(Optional.empty(), List.of()), () -> primary,
            AdminActions.unsupported());
        RestServer r = RestServer.start(TestHttp.config(Optional.empty(), List.of()), () -> replica,
            AdminActions.unsupported());
        RestServer st = RestServer.start(TestHttp.config(Optional.empty(), List.of()), () -> stopped,
            AdminActions.unsupported());
        RestServer starting = RestServer.start(TestHttp.config(Optional.empty(), List.of()), () -> null,
            AdminActions.unsupported());
        // Accepts connections (the kernel completes the handshake) but never answers.
        ServerSocket blackHole = new ServerSocket(0)) {
      Map<String, String> urls = new LinkedHashMap<>();
      urls.put("n1", "http://127.0.0.1:" + p.port() + "/patroni");
      urls.put("n2", "http://127.0.0.1:" + r.port() + "/patroni");
      urls.put("n3", "http://127.0.0.1:" + st.port() + "/patroni");
      urls.put("n4", "http://127.0.0.1:" + starting.port() + "/patroni");
      urls.put("closed", "http://127.0.0.1:" + closedPort + "/patroni");
      urls.put("silent", "http://127.0.0.1:" + blackHole.getLocalPort() + "/patroni");
      urls.put("not-json", "http://127.0.0.1:" + p.port() + "/metrics");
      urls.put("bad-url", "not a url at all");

      Duration timeout = Duration.ofSeconds(1);
      long started = System.nanoTime();
      List<PeerView> views = PeerClient.fetchAll(urls, timeout);
      Duration took = Duration.ofNanos(System.nanoTime() - started);

      // The bound is the behaviour: a silent peer must not hold the race up much beyond the timeout.
      assertThat(took).isLessThan(timeout.plusMillis(1500));
      assertThat(views).extracting(PeerView::name)
          .containsExactly("n1", "n2", "n3", "n4", "closed", "silent", "not-json", "bad-url");

      assertThat(views.get(0)).isEqualTo(new PeerView("n1", true, Optional.of("primary"), true,
          OptionalLong.of(Fixtures.OPTIME), 3, 3, false));
      assertThat(views.get(1)).isEqualTo(new PeerView("n2", true, Optional.of("replica"), true,
          OptionalLong.of(Fixtures.OPTIME), 3, 1, false));
      assertThat(views.get(2)).isEqualTo(new PeerView("n3", true, Optional.of("replica"), false,
          OptionalLong.empty(), 0, 1, false));
      // Before its first cycle a peer answers 503 with a body; it is reachable but not running.
      assertThat(views.get(3).reachable()).isTrue();
      assertThat(views.get(3).running()).isFalse();
      for (PeerView v : views.subList(4, 8)) {
        assertThat(v).isEqualTo(PeerView.unreachable(v.name()));
      }
    }
  }

  @Test
  void emptyPeerSetIsEmpty() {
    assertThat(PeerClient.fetchAll(Map.of(), Duration.ofSeconds(1))).isEmpty();
  }

  /**
   * A streaming replica's /patroni says {@code "state": "streaming"} (Patroni 3+, and this API): its PostgreSQL
   * runs. Read as not running, every streaming replica was left out of the healthiest-node comparison, of
   * failoverPossible and of the switchover checks (found by SwitchoverIT: every switchover answered 412).
   */
  @Test
  void aStreamingReplicaRuns() {
    PeerView streaming = PeerClient.parse("r", bytes("{\"state\":\"streaming\",\"role\":\"replica\","
        + "\"timeline\":2,\"xlog\":{\"received_location\":100,\"replayed_location\":90}}"));
    assertThat(streaming.running()).isTrue();
    assertThat(streaming.walPosition()).hasValue(100);
    assertThat(PeerClient.parse("s", bytes("{\"state\":\"stopped\",\"role\":\"replica\"}")).running())
        .isFalse();
  }

  /** The epoch of the peer's timeline (docs/findings/same-timeline-forks.md), when it publishes one. */
  @Test
  void readsTheTimelineEpoch() {
    assertThat(PeerClient.parse("r", bytes("{\"state\":\"running\",\"role\":\"replica\",\"timeline\":2,"
        + "\"timeline_epoch\":41,\"xlog\":{\"received_location\":100}}")).timelineEpoch()).hasValue(41);
    assertThat(PeerClient.parse("r", bytes("{\"state\":\"running\",\"role\":\"replica\",\"timeline\":2}"))
        .timelineEpoch()).isEmpty();
  }

  /** What a node publishes in {@code /patroni} is what a racing peer reads. */
  @Test
  void theEpochRoundTripsThroughPatroniJson() throws Exception {
    NodeStatus p = Fixtures.primary();
    NodeStatus s = new NodeStatus(p.scope(), p.name(), p.pg().withTimelineEpoch(OptionalLong.of(41)), p.state(),
        p.role(), p.holdsLock(), p.cluster(), p.dcsLastSeen(), p.message(), p.tags(), p.cycleAt(), p.cycleNanos(),
        p.cycles(), p.leaseDeadlineNanos(), p.leaseToken(), p.watchdog());
    assertThat(PeerClient.parse("n", Json.MAPPER.writeValueAsBytes(StatusJson.of(s))).timelineEpoch()).hasValue(41);
    assertThat(PeerClient.parse("n", Json.MAPPER.writeValueAsBytes(StatusJson.of(p))).timelineEpoch()).isEmpty();
  }

  @Test
  void parsesPatroniStyleTagsAndRoles() {
    PeerView legacy = PeerClient.parse("old", bytes("{\"state\":\"running\",\"role\":\"master\","
        + "\"xlog\":{\"location\":123},\"timeline\":4,\"tags\":{\"failover_priority\":\"5\"}}"));
    assertThat(legacy).isEqualTo(new PeerView("old", true, Optional.of("primary"), true, OptionalLong.of(123), 4,
        5, false));
    PeerView noFailover = PeerClient.parse("nf", bytes("{\"state\":\"running\",\"role\":\"replica\","
        + "\"xlog\":{\"received_location\":10,\"replayed_location\":7},\"tags\":{\"nofailover\":true}}"));
    assertThat(noFailover).isEqualTo(new PeerView("nf", true, Optional.of("replica"), true, OptionalLong.of(10), 0,
        0, true));
    PeerView stringTag = PeerClient.parse("s", bytes("{\"state\":\"starting\",\"tags\":{\"nofailover\":\"true\","
        + "\"failover_priority\":2}}"));
    assertThat(stringTag.nofailover()).isTrue();
    assertThat(stringTag.failoverPriority()).isEqualTo(2);
    assertThat(stringTag.running()).isFalse();
    assertThat(stringTag.role()).isEmpty();
    assertThat(PeerClient.parse("x", bytes("[1]"))).isEqualTo(PeerView.unreachable("x"));
    assertThat(PeerClient.parse("x", bytes("{oops"))).isEqualTo(PeerView.unreachable("x"));
    assertThat(PeerClient.parse("x", bytes(""))).isEqualTo(PeerView.unreachable("x"));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
