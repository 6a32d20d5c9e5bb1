package io.pgquorum.dcs.ratis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pgquorum.dcs.api.DcsUnavailableException;
import io.pgquorum.dcs.api.KeyValue;
import io.pgquorum.dcs.api.Precondition;
import io.pgquorum.dcs.api.WriteResult;
import io.pgquorum.dcs.testing.RatisTestCluster;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Leader-local lease refresh ({@link LeaseRefreshMode#LEADER_LOCAL}) on real Ratis members, at the moments its
 * safety argument is about (see {@code LeaseTracker}, "Leader-local refresh"): a leader change right after a
 * local refresh, and a leader that lost its majority.
 */
class LeaderLocalRefreshTest {
  private static final Duration ELECTION = Duration.ofSeconds(30);
  private static final DcsTuning LOCAL = DcsTuning.defaults().withLeaseRefresh(LeaseRefreshMode.LEADER_LOCAL);

  private static String other(String leader, String... names) {
    for (String n : names) {
      if (!n.equals(leader)) {
        return n;
      }
    }
    throw new IllegalStateException();
  }

  /**
   * Only the old leader knew of the refresh. A new leader that timed the lease from when it applied the create
   * (2 s before the refresh) would expire it about 1.2 s after the refresh; rule 3 (re-arm every lease when a new
   * term starts) keeps it for at least the ttl after the refresh was sent, and it still goes away afterwards.
   */
  @Test
  void aLeaseRefreshedOnlyInTheOldLeadersMemorySurvivesALeaderChangeForItsTtl() throws InterruptedException {
    try (RatisTestCluster cluster = RatisTestCluster.start(3, LOCAL, name -> null)) {
      String leader = cluster.awaitLeader(ELECTION);
      String survivor = other(leader, "m1", "m2", "m3");
      RatisDcsClient owner = cluster.client("owner", survivor, Duration.ofSeconds(10));
      Duration ttl = Duration.ofSeconds(3);
      long create = owner.put("/leader", "owner", Precondition.absent(), ttl).entry().orElseThrow()
          .createRevision();
      // Scenario pacing, not a wait for a condition: puts the refresh well after the create, so timers armed at
      // the create's apply would run out long before the refresh's ttl.
      TimeUnit.MILLISECONDS.sleep(2_000);
      long sent = System.nanoTime();
      WriteResult refreshed = owner.refresh("/leader", create);
      assertThat(refreshed.succeeded()).isTrue();
      assertThat(owner.leaderLocalRefreshes()).as("served without a log entry").isEqualTo(1);
      assertThat(refreshed.entry().orElseThrow().createRevision()).isEqualTo(create);

      cluster.stopMember(leader);
      RatisDcsClient observer = cluster.client("observer", survivor, Duration.ofSeconds(10));
      // Polled until the ttl has passed since the refresh was sent: a correct DCS still holds the key then.
      Optional<KeyValue> seen = observer.get("/leader");
      while (seen.isPresent() && System.nanoTime() - sent < ttl.toNanos()) {
        seen = observer.get("/leader");
      }
      assertThat(seen).as("the lease outlives its ttl after the refresh that only the old leader knew").isPresent();
      await().atMost(ELECTION).until(() -> observer.get("/leader").isEmpty());
    }
  }

  /**
   * A group changing modes member by member: the leader serves leader-local refreshes, the others do not. Only
   * the old leader knew of the refresh, and the member elected after it runs the durable mode; it must still
   * re-arm every lease at its election (rule 3 in every mode), or it would expire the lease from when it applied
   * the create, about 1.2 s after the refresh.
   */
  @Test
  void aDurableMemberElectedAfterALocalRefreshKeepsTheLeaseForItsTtl() {
    RatisTestCluster cluster = RatisTestCluster.create("mixed-" + System.nanoTime(), 3, LOCAL, name -> null);
    try (cluster) {
      cluster.tuneMember("m2", DcsTuning.defaults());
      cluster.tuneMember("m3", DcsTuning.defaults());
      cluster.startConcurrently(java.util.List.of("m1", "m2", "m3"));
      cluster.awaitLeader(ELECTION);
      RatisDcsClient owner = cluster.client("owner", "m2", Duration.ofSeconds(10));
      await().atMost(ELECTION).ignoreExceptions().until(() -> {
        owner.transferLeadership("m1", Duration.ofSeconds(5));
        return "m1".equals(cluster.awaitLeader(ELECTION));
      });
      Duration ttl = Duration.ofSeconds(3);
      long create = owner.put("/leader", "owner", Precondition.absent(), ttl).entry().orElseThrow()
          .createRevision();
      // Scenario pacing, as above: timers armed at the create's apply would run out long before the refresh's ttl.
      sleepMillis(2_000);
      long sent = System.nanoTime();
      assertThat(owner.refresh("/leader", create).succeeded()).isTrue();
      assertThat(owner.leaderLocalRefreshes()).as("served by m1 without a log entry").isEqualTo(1);

      cluster.stopMember("m1");
      RatisDcsClient observer = cluster.client("observer", "m2", Duration.ofSeconds(10));
      Optional<KeyValue> seen = observer.get("/leader");
      while (seen.isPresent() && System.nanoTime() - sent < ttl.toNanos()) {
        seen = observer.get("/leader");
      }
      assertThat(seen).as("the lease outlives its ttl under a durable-mode leader elected after the refresh")
          .isPresent();
      await().atMost(ELECTION).until(() -> observer.get("/leader").isEmpty());
    }
  }

  private static void sleepMillis(long millis) {
    try {
      TimeUnit.MILLISECONDS.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A leader cut off from its majority cannot confirm its term: it serves no local refresh, and no log entry. */
  @Test
  void aLeaderWithoutItsMajorityServesNoRefresh() {
    try (RatisTestCluster cluster = RatisTestCluster.start(3, LOCAL, name -> null)) {
      String leader = cluster.awaitLeader(ELECTION);
      RatisDcsClient owner = cluster.client("owner", leader, Duration.ofSeconds(3));
      long create = owner.put("/leader", "owner", Precondition.absent(), Duration.ofSeconds(30)).entry()
          .orElseThrow().createRevision();
      assertThat(owner.refresh("/leader", create).succeeded()).isTrue();
      long served = owner.leaderLocalRefreshes();
      assertThat(served).isEqualTo(1);
      for (String n : new String[] {"m1", "m2", "m3"}) {
        if (!n.equals(leader)) {
          cluster.stopMember(n);
        }
      }
      assertThatThrownBy(() -> owner.refresh("/leader", create)).isInstanceOf(DcsUnavailableException.class);
      assertThat(owner.leaderLocalRefreshes()).isEqualTo(served);
    }
  }

  /**
   * The confirmation itself (rule 2): a majority in the leader's term is a yes; a term no member is in, or a lone
   * member, is a no. It never waits longer than its members take to answer or fail.
   */
  @Test
  void theTermPollConfirmsOnlyATermAMajorityIsIn() throws Exception {
    try (RatisTestCluster cluster = RatisTestCluster.start(3, LOCAL, name -> null)) {
      String leader = cluster.awaitLeader(ELECTION);
      DcsServer member = cluster.member(leader);
      org.apache.ratis.server.RaftServer.Division d = member.division();
      long term = d.getInfo().getCurrentTerm();
      var voters = d.getRaftConf().getCurrentPeers();
      try (TermPoll poll = new TermPoll(d.getGroup().getGroupId(), java.util.Optional.empty(),
          Duration.ofSeconds(1))) {
        // Until the followers have learnt a commit index, Ratis refuses them stale reads: a "no" (covered below).
        await().atMost(ELECTION).until(() -> poll.majorityInTerm(voters, d.getId(), term).get(30, TimeUnit.SECONDS));
        assertThat(poll.majorityInTerm(voters, d.getId(), term + 1).get(30, TimeUnit.SECONDS)).isFalse();
        // Both said "no" just now, so the poll asks in the voters' order, one member (all a majority of three
        // needs besides the leader): the first follower says yes and is asked first from then on.
        List<String> followers = voters.stream().map(p -> p.getId().toString()).filter(id -> !id.equals(leader))
            .toList();
        assertThat(poll.majorityInTerm(voters, d.getId(), term).get(30, TimeUnit.SECONDS)).isTrue();
        // Gone, it is still asked first; its failure makes the poll ask the other one.
        cluster.stopMember(followers.get(0));
        assertThat(poll.majorityInTerm(voters, d.getId(), term).get(30, TimeUnit.SECONDS)).isTrue();
        cluster.stopMember(followers.get(1));
        assertThat(poll.majorityInTerm(voters, d.getId(), term).get(30, TimeUnit.SECONDS)).isFalse();
      }
    }
  }

  /** The durable default: members that do not serve local refreshes are refreshed through the log. */
  @Test
  void aLeaderLocalClientOfDurableMembersRefreshesThroughTheLog() {
    try (RatisTestCluster cluster = RatisTestCluster.start(3)) {
      cluster.awaitLeader(ELECTION);
      RatisDcsClient owner = RatisDcsClient.connect(DcsClientConfig.builder().groupName(cluster.group())
          .members(java.util.List.of(cluster.address("m1"), cluster.address("m2"), cluster.address("m3")))
          .leaseRefresh(LeaseRefreshMode.LEADER_LOCAL).build(), "owner");
      try {
        WriteResult created = owner.put("/leader", "owner", Precondition.absent(), Duration.ofSeconds(30));
        long create = created.entry().orElseThrow().createRevision();
        WriteResult refreshed = owner.refresh("/leader", create);
        assertThat(refreshed.succeeded()).isTrue();
        assertThat(refreshed.revision()).as("a log entry after the create").isGreaterThan(create);
        assertThat(owner.leaderLocalRefreshes()).isZero();
      } finally {
        owner.close();
      }
    }
  }
}
