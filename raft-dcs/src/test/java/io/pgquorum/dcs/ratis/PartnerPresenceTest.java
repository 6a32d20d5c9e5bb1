package io.pgquorum.dcs.ratis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.dcs.testing.RatisTestCluster;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link DcsServer#noPartnerRunsTheGroup}: a definite "none" only when every partner answered without a division
 * of the group or nothing listens at its address; any division, or any partner that does not answer, is not.
 */
class PartnerPresenceTest {
  private static final Duration PROBE = Duration.ofMillis(500);

  /** Member m1's configuration with the other members of {@code cluster} as partners (m1 itself never runs). */
  private static DcsServerConfig m1(RatisTestCluster cluster, int size) {
    List<String> partners = new java.util.ArrayList<>();
    for (int i = 2; i <= size; i++) {
      partners.add(cluster.address("m" + i).toString());
    }
    return cluster.config("m1").partnerAddrs(partners).build();
  }

  @Test
  void noneWhileNothingListensThenNoneWhileAPartnerWaitsWithoutADivisionThenNotOnceTheGroupRuns()
      throws Exception {
    try (RatisTestCluster cluster = RatisTestCluster.create("presence-" + System.nanoTime(), 3,
        DcsTuning.defaults(), n -> null)) {
      DcsServerConfig m1 = m1(cluster, 3);
      assertThat(DcsServer.noPartnerRunsTheGroup(m1, PROBE)).as("no partner started")
          .hasValueSatisfying(v -> assertThat(v).contains("none of its partners").contains(
              cluster.address("m2").toString()).contains(cluster.address("m3").toString()));

      // m2 alone: its server runs (it answers probes) but it holds no division while it waits for a majority.
      CompletableFuture<DcsServer> m2 = cluster.startMemberAsync("m2");
      try (GroupProbe probe = new GroupProbe(RatisSettings.groupId(cluster.group()), m1.partners(),
          java.util.Optional.empty(), PROBE)) {
        await().atMost(Duration.ofSeconds(30))
            .until(() -> probe.ask(cluster.address("m2")).state() == GroupProbe.PeerState.NO_GROUP);
        assertThat(m2).as("m2 waits for a majority").isNotDone();
        assertThat(probe.presence(cluster.address("m2"))).isEqualTo(GroupProbe.Presence.NONE);
      }
      assertThat(DcsServer.noPartnerRunsTheGroup(m1, PROBE)).as("m2 up without a division, m3 not listening")
          .isPresent();

      CompletableFuture<DcsServer> m3 = cluster.startMemberAsync("m3");
      m2.get(60, TimeUnit.SECONDS);
      m3.get(60, TimeUnit.SECONDS);
      assertThat(DcsServer.noPartnerRunsTheGroup(m1, PROBE)).as("m2 and m3 run the group").isEmpty();
    }
  }

  @Test
  void aPartnerThatListensButDoesNotAnswerMayRunTheGroup() throws Exception {
    try (RatisTestCluster cluster = RatisTestCluster.create("presence-silent-" + System.nanoTime(), 2,
        DcsTuning.defaults(), n -> null);
        // Accepts connections (the kernel completes the handshake from the backlog) and never speaks gRPC: as a
        // member that is overloaded or stuck would look. That proves nothing, so it may run a division.
        ServerSocket silent = new ServerSocket(cluster.address("m2").port(), 50,
            InetAddress.getByName("127.0.0.1"))) {
      assertThat(DcsServer.noPartnerRunsTheGroup(m1(cluster, 2), PROBE)).isEmpty();
    }
  }
}
