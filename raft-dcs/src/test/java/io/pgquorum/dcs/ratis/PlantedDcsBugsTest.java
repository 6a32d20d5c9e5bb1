package io.pgquorum.dcs.ratis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pgquorum.dcs.api.DcsUnavailableException;
import io.pgquorum.dcs.api.KeyValue;
import io.pgquorum.dcs.api.Precondition;
import io.pgquorum.dcs.planted.DcsBug;
import io.pgquorum.dcs.planted.PlantedBugs;
import io.pgquorum.dcs.testing.RatisTestCluster;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The DCS's planted bugs reach their hooks through {@link DcsServerConfig} (the path the harness's member JVM and
 * {@code bin/pgquorum} use) and do what they claim, on real Ratis members. The harness's proof that its checkers
 * catch them is {@code DcsPlantedBugsIT}; this is the proof that the bugs are really there when planted.
 */
class PlantedDcsBugsTest {
  private static final Duration ELECTION = Duration.ofSeconds(30);

  /**
   * A correct DCS never expires a lease earlier than its ttl after the owner sent the write that armed it
   * ({@code ttl (1+rho)/(1-rho)} on the leader's clock); with early-expiry it is gone after half the ttl.
   */
  @Test
  void earlyExpiryPlantedThroughTheServerConfigExpiresBeforeTheTtl() {
    try (RatisTestCluster cluster = RatisTestCluster.start(1)) {
      cluster.awaitLeader(ELECTION);
      cluster.stopMember("m1");
      DcsServer member = cluster.startMember("m1", PlantedBugs.of(DcsBug.EARLY_EXPIRY));
      assertThat(member.config().plantedBugs().ids()).containsExactly("early-expiry");
      cluster.awaitLeader(ELECTION);
      var client = member.localClient("owner");
      Duration ttl = Duration.ofSeconds(3);
      long sent = System.nanoTime();
      assertThat(client.put("/leader", "owner", Precondition.absent(), ttl).succeeded()).isTrue();
      // Polled until the ttl has passed since the put was sent: a correct DCS still holds the key then.
      Optional<KeyValue> seen = client.get("/leader");
      while (seen.isPresent() && System.nanoTime() - sent < ttl.toNanos()) {
        seen = client.get("/leader");
      }
      assertThat(seen).as("the lease is gone before its ttl ran out").isEmpty();
    }
  }

  /**
   * Without ReadIndex, a member that lost its majority still answers "linearizable" reads from its own state:
   * the correct client fails, the one with stale-read (inherited from the member's config by its local client)
   * answers with the value it last applied.
   */
  @Test
  void staleReadPlantedThroughTheServerConfigAnswersFromALocalMemberWithoutQuorum() {
    try (RatisTestCluster cluster = RatisTestCluster.start(3)) {
      cluster.awaitLeader(ELECTION);
      long written = cluster.client("writer").put("/k", "before").revision();
      cluster.stopMember("m1");
      DcsServer m1 = cluster.startMember("m1", PlantedBugs.of(DcsBug.STALE_READ));
      await().atMost(ELECTION).until(() -> m1.lastAppliedIndex() >= written);
      var stale = m1.localClient("reader");
      var correct = cluster.client("correct", "m1", Duration.ofSeconds(2));
      cluster.stopMember("m2");
      cluster.stopMember("m3");

      assertThat(stale.get("/k")).map(KeyValue::value).contains("before");
      assertThatThrownBy(() -> correct.get("/k")).isInstanceOf(DcsUnavailableException.class);
      stale.close();
    }
  }

  /**
   * Ratis' ReadIndex alone lets a leader that lost its majority answer a read whose commit index an earlier read
   * already confirmed, from its old state, until it steps down (here after 10 s, well after the reads below). The
   * DCS's own confirmation refuses such a read; with read-index-only the leader answers it.
   */
  @Test
  void readIndexOnlyPlantedThroughTheServerConfigLetsALeaderWithoutItsMajorityAnswer() {
    assertThat(loneLeaderRead(PlantedBugs.of())).as("a correct leader without its majority").isEmpty();
    assertThat(loneLeaderRead(PlantedBugs.of(DcsBug.READ_INDEX_ONLY))).as("read-index-only").contains("before");
  }

  /**
   * m1 (with {@code bugs}) leads, a read of /k is confirmed, both other members stop, and /k is read again through
   * m1 with nothing written in between: its value, or empty when the read was refused (unavailable within 5 s).
   */
  private static Optional<String> loneLeaderRead(PlantedBugs bugs) {
    DcsTuning slowStepDown = DcsTuning.defaults().withElectionTimeout(Duration.ofSeconds(5), Duration.ofSeconds(10));
    try (RatisTestCluster cluster = RatisTestCluster.start(3, slowStepDown, name -> null)) {
      cluster.awaitLeader(ELECTION);
      cluster.stopMember("m1");
      DcsServer m1 = cluster.startMember("m1", bugs);
      // 5 s per call: heartbeats are 2.5 s apart at these election timeouts, and a refused read lasts the whole
      // call, well before m1 steps down (10 s without its majority).
      var client = cluster.client("reader", "m1", Duration.ofSeconds(5));
      await().atMost(ELECTION).ignoreExceptions().until(() -> {
        client.transferLeadership("m1", Duration.ofSeconds(10));
        return m1.isLeader();
      });
      // Every member registers itself once (a write): all done before the reads, so none moves the commit index.
      await().atMost(ELECTION).ignoreExceptions()
          .until(() -> client.read(Registrations.PREFIX).entries().size() == 3);
      client.put("/k", "before");
      assertThat(client.get("/k")).map(KeyValue::value).contains("before");
      cluster.stopMember("m2");
      cluster.stopMember("m3");
      assertThat(m1.isLeader()).as("m1 still leads (it steps down 10 s after losing its majority)").isTrue();
      try {
        return client.get("/k").map(KeyValue::value);
      } catch (DcsUnavailableException e) {
        return Optional.empty();
      }
    }
  }

  /**
   * A leader-local refresh must be confirmed by a majority in the leader's term (LeaderLocalRefreshTest shows a
   * correct leader without its majority refusing); with refresh-without-leadership-check the member left alone
   * answers "refreshed" from its own state.
   */
  @Test
  void refreshWithoutLeadershipCheckPlantedThroughTheServerConfigRefreshesWithoutAMajority() {
    DcsTuning local = DcsTuning.defaults().withLeaseRefresh(LeaseRefreshMode.LEADER_LOCAL);
    try (RatisTestCluster cluster = RatisTestCluster.start(3, local, name -> null)) {
      cluster.awaitLeader(ELECTION);
      cluster.stopMember("m1");
      DcsServer m1 = cluster.startMember("m1", PlantedBugs.of(DcsBug.REFRESH_WITHOUT_LEADERSHIP_CHECK));
      var owner = cluster.client("owner", "m1", Duration.ofSeconds(3));
      owner.transferLeadership("m1", Duration.ofSeconds(10));
      await().atMost(ELECTION).until(m1::isLeader);
      long create = owner.put("/leader", "owner", Precondition.absent(), Duration.ofSeconds(30)).entry()
          .orElseThrow().createRevision();
      cluster.stopMember("m2");
      cluster.stopMember("m3");

      assertThat(owner.refresh("/leader", create).succeeded()).as("refreshed without a majority").isTrue();
      assertThat(owner.leaderLocalRefreshes()).isPositive();
    }
  }
}
