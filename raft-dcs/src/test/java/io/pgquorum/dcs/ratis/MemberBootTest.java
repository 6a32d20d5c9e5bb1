package io.pgquorum.dcs.ratis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pgquorum.dcs.api.DcsConfigException;
import io.pgquorum.dcs.api.DcsRejectedException;
import io.pgquorum.dcs.api.KeyValue;
import io.pgquorum.dcs.api.PrefixSnapshot;
import io.pgquorum.dcs.testing.RatisTestCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * How members without a Raft log start (founding, late founding, joining) and how membership changes behave,
 * against real Ratis members over loopback sockets.
 */
class MemberBootTest {
  private static final Duration ELECTION = Duration.ofSeconds(30);

  /**
   * Three founding members started at different times, all with empty dirs and no flag: the first waits for a
   * majority, the first two found the group and write to it, the third comes in late as a founding member that
   * had not run (registered through the others before it starts).
   */
  @Test
  void foundingMembersStartedAtDifferentTimesFormOneGroup() throws Exception {
    try (RatisTestCluster cluster = RatisTestCluster.create("staggered-" + System.nanoTime(), 3,
        DcsTuning.defaults(), n -> null)) {
      CompletableFuture<DcsServer> m1 = cluster.startMemberAsync("m1");
      // Alone, m1 cannot know whether the group is new: it holds back until a majority answers.
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> !m1.isDone());
      CompletableFuture<DcsServer> m2 = cluster.startMemberAsync("m2");
      m1.get(60, TimeUnit.SECONDS);
      m2.get(60, TimeUnit.SECONDS);
      cluster.awaitLeader(ELECTION);
      RatisDcsClient client = cluster.client("c", "m1", Duration.ofSeconds(10));
      long written = client.put("/written-before-m3", "yes").revision();

      DcsServer m3 = cluster.startMember("m3");
      assertThat(client.get(Registrations.key("m3"))).map(KeyValue::value).hasValueSatisfying(
          v -> assertThat(v).contains("late-founder"));
      await().atMost(ELECTION).until(() -> m3.lastAppliedIndex() >= written);
      assertThat(client.members()).extracting(PeerAddress::id).containsExactlyInAnyOrder("m1", "m2", "m3");
      await().atMost(ELECTION).until(() -> client.get(Registrations.key("m1")).isPresent()
          && client.get(Registrations.key("m2")).isPresent());

      // m3 is a voter: with m1 down, m2 and m3 still make a majority.
      cluster.stopMember("m1");
      RatisDcsClient viaM2 = cluster.client("c2", "m2", Duration.ofSeconds(10));
      await().atMost(ELECTION).ignoreExceptions().until(() -> viaM2.put("/m2-and-m3", "ok").succeeded());
    }
  }

  @Test
  void aFourthMemberJoinsThroughItsPartnersAndIsRegisteredBeforeItVotes() throws Exception {
    try (RatisTestCluster cluster = RatisTestCluster.start(3)) {
      cluster.awaitLeader(ELECTION);
      RatisDcsClient client = cluster.client("c", "m1", Duration.ofSeconds(10));
      long written = client.put("/k", "v").revision();
      DcsServer m4 = cluster.joinMemberAsync("m4").get(60, TimeUnit.SECONDS);
      assertThat(client.members()).extracting(PeerAddress::id).containsExactlyInAnyOrder("m1", "m2", "m3", "m4");
      assertThat(client.get(Registrations.key("m4"))).map(KeyValue::value).hasValueSatisfying(
          v -> assertThat(v).contains("joined"));
      await().atMost(ELECTION).until(() -> m4.lastAppliedIndex() >= written);

      // Restarted with its log and raft.join still set: a no-op (it resumes from its log).
      cluster.stopMember("m4");
      DcsServer again = DcsServer.start(cluster.config("m4").joining(true)
          .partnerAddrs(List.of(cluster.address("m1").toString(), cluster.address("m2").toString(),
              cluster.address("m3").toString())).build());
      try {
        assertThat(client.members()).extracting(PeerAddress::id)
            .containsExactlyInAnyOrder("m1", "m2", "m3", "m4");
        long next = client.put("/after-restart", "v").revision();
        await().atMost(ELECTION).until(() -> again.lastAppliedIndex() >= next);
      } finally {
        again.close();
      }
    }
  }

  /**
   * A join interrupted after the member's (empty) division was created, before the configuration change: its
   * Raft directory holds no entry. Restarted with raft.join it moves that directory aside and joins afresh.
   */
  @Test
  void aJoinInterruptedAfterItsDivisionWasCreatedJoinsAfreshOnRestart() throws Exception {
    try (RatisTestCluster cluster = RatisTestCluster.start(3)) {
      cluster.awaitLeader(ELECTION);
      RatisDcsClient client = cluster.client("c", "m1", Duration.ofSeconds(10));
      long written = client.put("/k", "v").revision();
      CompletableFuture<DcsServer> waiting = cluster.startJoiningMember("m4");
      PeerAddress m4 = cluster.address("m4");
      // An operator's add got as far as creating m4's division, and went no further.
      try (GroupProbe probe = new GroupProbe(RatisSettings.groupId(cluster.group()), List.of(m4),
          java.util.Optional.empty(), Duration.ofSeconds(2))) {
        await().atMost(ELECTION).ignoreExceptions().until(() -> {
          probe.addEmptyDivision(m4);
          return true;
        });
      }
      waiting.get(30, TimeUnit.SECONDS);
      cluster.stopMember("m4");
      String uuid = RatisSettings.groupId(cluster.group()).getUuid().toString();
      assertThat(MemberStorage.inspect(cluster.dataDir("m4"), uuid)).isEqualTo(MemberStorage.State.BLANK);

      DcsServer joined = cluster.joinMemberAsync("m4").get(60, TimeUnit.SECONDS);
      assertThat(client.members()).extracting(PeerAddress::id).containsExactlyInAnyOrder("m1", "m2", "m3", "m4");
      await().atMost(ELECTION).until(() -> joined.lastAppliedIndex() >= written);
      try (var entries = java.nio.file.Files.list(cluster.dataDir("m4"))) {
        assertThat(entries.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith(uuid + ".blank-"));
      }
    }
  }

  @Test
  void aRemovedMemberWithoutALogIsToldToJoin() throws Exception {
    try (RatisTestCluster cluster = RatisTestCluster.start(3)) {
      cluster.awaitLeader(ELECTION);
      RatisDcsClient client = cluster.client("c", "m1", Duration.ofSeconds(10));
      client.put("/k", "v");
      cluster.stopMember("m3");
      client.removeMember("m3");
      assertThat(client.members()).extracting(PeerAddress::id).containsExactlyInAnyOrder("m1", "m2");
      assertThat(client.get(Registrations.key("m3"))).as("registration deleted with the member").isEmpty();
      cluster.wipe("m3");
      assertThatThrownBy(() -> cluster.startMember("m3"))
          .isInstanceOf(DcsConfigException.class)
          .hasMessageContaining("member 'm3' is not in the configuration")
          .hasMessageContaining("raft.join: true")
          .hasMessageContaining("pgctl dcs add m3 " + cluster.address("m3").address());
      DcsServer m3 = cluster.joinMemberAsync("m3").get(60, TimeUnit.SECONDS);
      assertThat(client.members()).extracting(PeerAddress::id).containsExactlyInAnyOrder("m1", "m2", "m3");
      long next = client.put("/after", "v").revision();
      await().atMost(ELECTION).until(() -> m3.lastAppliedIndex() >= next);
    }
  }

  @Test
  void removalsThatWouldLeaveNoMajorityAreRefused() {
    try (RatisTestCluster cluster = RatisTestCluster.start(3)) {
      cluster.awaitLeader(ELECTION);
      RatisDcsClient client = cluster.client("c", "m1", Duration.ofSeconds(10));
      cluster.stopMember("m3");
      await().atMost(ELECTION).ignoreExceptions().until(() -> client.put("/k", "v").succeeded());
      assertThatThrownBy(() -> client.removeMember("m1"))
          .isInstanceOf(DcsRejectedException.class)
          .hasMessageContaining("removing 'm1' would leave 2 members of which only 1 answer")
          .hasMessageContaining("or remove m3 instead");
      assertThat(client.members()).extracting(PeerAddress::id).containsExactlyInAnyOrder("m1", "m2", "m3");
      client.removeMember("m3");
      assertThat(client.members()).extracting(PeerAddress::id).containsExactlyInAnyOrder("m1", "m2");
      assertThatThrownBy(() -> client.removeMember("nobody")).hasMessageContaining("'nobody' is not in the group");
    }
  }

  /** The client knew the old Raft leader; membership calls must find the new one, not keep asking the dead one. */
  @Test
  void membershipCallsFollowTheLeaderWhenTheOldOneIsGone() {
    try (RatisTestCluster cluster = RatisTestCluster.start(3)) {
      String leader = cluster.awaitLeader(ELECTION);
      RatisDcsClient client = cluster.client("c", leader, Duration.ofSeconds(15));
      client.put("/k", "v"); // the client now knows the leader
      cluster.stopMember(leader);
      assertThat(client.members()).extracting(PeerAddress::id).containsExactlyInAnyOrder("m1", "m2", "m3");
      client.removeMember(leader);
      assertThat(client.members()).extracting(PeerAddress::id).hasSize(2).doesNotContain(leader);
    }
  }

  @Test
  void registrationsStayOutOfEveryPatroniKeyPrefix() {
    try (RatisTestCluster cluster = RatisTestCluster.start(3)) {
      cluster.awaitLeader(ELECTION);
      RatisDcsClient client = cluster.client("c", "m1", Duration.ofSeconds(10));
      client.put("/service/demo/leader", "m1");
      await().atMost(ELECTION).until(() -> client.read(Registrations.PREFIX).entries().size() == 3);
      PrefixSnapshot all = client.read("/");
      assertThat(all.entries()).extracting(KeyValue::key).containsExactly("/service/demo/leader");
    }
  }

  /** A wiped member that restarts while the group has no majority without it waits instead of starting. */
  @Test
  void aWipedMemberWaitsWhileTheOthersHaveNoMajorityWithoutIt() {
    try (RatisTestCluster cluster = RatisTestCluster.start(3)) {
      cluster.awaitLeader(ELECTION);
      RatisDcsClient client = cluster.client("c", "m1", Duration.ofSeconds(10));
      await().atMost(ELECTION).until(() -> client.get(Registrations.key("m3")).isPresent());
      cluster.stopMember("m2");
      cluster.stopMember("m3");
      cluster.wipe("m3");
      CompletableFuture<DcsServer> wiped = cluster.startMemberAsync("m3");
      // m1 has the log; m2 is down: nobody can say whether m3 ran before, so it must neither start nor give up.
      assertStillStarting(wiped, Duration.ofSeconds(3));
      cluster.startMember("m2");
      await().atMost(Duration.ofSeconds(60)).until(wiped::isDone);
      assertThat(wiped).isCompletedExceptionally();
      assertThatThrownBy(wiped::join).cause().isInstanceOf(DcsConfigException.class)
          .hasMessageContaining("lost its log");
    }
  }

  /** Fails, saying how the start ended, if {@code start} completes within {@code period}. */
  private static void assertStillStarting(CompletableFuture<DcsServer> start, Duration period) {
    try {
      DcsServer server = start.get(period.toMillis(), TimeUnit.MILLISECONDS);
      throw new AssertionError("the wiped member started (as " + server + ") while the group had no majority "
          + "without it");
    } catch (TimeoutException e) {
      return; // still waiting, as it must
    } catch (ExecutionException e) {
      throw new AssertionError("the wiped member's start failed while the group had no majority without it",
          e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
