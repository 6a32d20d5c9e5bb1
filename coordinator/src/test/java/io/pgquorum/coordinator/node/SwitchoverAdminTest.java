package io.pgquorum.coordinator.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.cluster.ClusterStore;
import io.pgquorum.coordinator.cluster.DcsKeys;
import io.pgquorum.coordinator.cluster.Failover;
import io.pgquorum.coordinator.cluster.SyncState;
import io.pgquorum.coordinator.config.ConfigLoader;
import io.pgquorum.coordinator.ha.PeerView;
import io.pgquorum.coordinator.rest.AdminActions.Result;
import io.pgquorum.dcs.api.Dcs;
import io.pgquorum.dcs.api.DcsUnavailableException;
import io.pgquorum.dcs.memory.InMemoryDcs;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The switchover part of the admin API against an in-memory DCS: Patroni's 412 checks on a fresh read, the key it
 * writes, and the outcomes of the poll (the HA loops are played by the wake callback).
 */
class SwitchoverAdminTest {
  private static final Duration TTL = Duration.ofSeconds(30);
  private final InMemoryDcs dcs = new InMemoryDcs();
  private final DcsKeys keys = new DcsKeys("/service/t/");
  private final ClusterStore node1 = new ClusterStore(dcs.client("node1"), keys, "node1");
  private final ClusterStore node2 = new ClusterStore(dcs.client("node2"), keys, "node2");
  private final ClusterStore node3 = new ClusterStore(dcs.client("node3"), keys, "node3");
  /** What each member's REST API answers (absent: unreachable). */
  private final Map<String, PeerView> answers = new HashMap<>();
  /** The HA loops' reaction to the wake-up. */
  private Runnable loops = () -> { };
  private int wakes;
  private final AtomicLong clock = new AtomicLong();

  private SwitchoverAdmin admin() {
    return admin(node1);
  }

  private SwitchoverAdmin admin(ClusterStore store) {
    return new SwitchoverAdmin(store, urls -> {
      Map<String, PeerView> out = new HashMap<>();
      urls.keySet().forEach(n -> out.put(n, answers.getOrDefault(n, PeerView.unreachable(n))));
      return out;
    }, () -> {
      wakes++;
      loops.run();
    }, () -> clock.addAndGet(500_000_000L), Duration.ofMillis(1));
  }

  private static PeerView replica(String name) {
    return new PeerView(name, true, Optional.of("replica"), true, OptionalLong.of(100), 1, 1, false);
  }

  private static void member(ClusterStore s, String name) {
    s.touchMember(Map.of("conn_url", "postgres://10.0.0.1:5432/postgres", "api_url", "http://10.0.0.1:8008/"
        + name, "state", "running", "role", "replica"), TTL);
  }

  @BeforeEach
  void cluster() {
    member(node1, "node1");
    member(node2, "node2");
    member(node3, "node3");
    assertThat(node1.acquireLeader(TTL)).isPresent();
    answers.put("node2", replica("node2"));
    answers.put("node3", replica("node3"));
  }

  @AfterEach
  void close() {
    dcs.close();
  }

  private Optional<Failover> key() {
    return node1.peek().failover();
  }

  @Test
  void refusedWith412AgainstAFreshReadWithoutWritingTheKey() {
    Result wrongLeader = admin().switchover("node2", Optional.of("node3"), Optional.empty());
    assertThat(wrongLeader).isEqualTo(new Result(412, "leader name does not match"));
    assertThat(admin().switchover("node1", Optional.of("node9"), Optional.empty()))
        .isEqualTo(new Result(412, "candidate does not exists"));
    answers.put("node2", new PeerView("node2", true, Optional.empty(), false, OptionalLong.empty(), 0, 1, false));
    assertThat(admin().switchover("node1", Optional.of("node2"), Optional.empty()))
        .as("a candidate whose PostgreSQL is stopped")
        .isEqualTo(new Result(412, "switchover is not possible: no good candidates have been found"));
    answers.put("node2", new PeerView("node2", true, Optional.of("replica"), true, OptionalLong.of(1), 1, 0, true));
    assertThat(admin().failover(Optional.of("node2"))).as("nofailover")
        .isEqualTo(new Result(412, "switchover is not possible: no good candidates have been found"));
    answers.remove("node3");
    assertThat(admin().switchover("node1", Optional.empty(), Optional.empty())).as("nobody answers")
        .isEqualTo(new Result(412, "switchover is not possible: no good candidates have been found"));
    node2.deleteMember();
    node3.deleteMember();
    assertThat(admin().switchover("node1", Optional.empty(), Optional.empty()))
        .isEqualTo(new Result(412, "switchover is not possible: cluster does not have members except leader"));
    assertThat(key()).isEmpty();
    assertThat(wakes).isZero();
  }

  private void synchronousMode(Object mode, boolean standbyCluster) {
    Map<String, Object> raw = new HashMap<>(Map.of("synchronous_mode", mode));
    if (standbyCluster) {
      raw.put("standby_cluster", Map.of("host", "10.0.0.9", "port", 5432));
    }
    assertThat(node1.writeConfigIfAbsent(ConfigLoader.parseDynamic(raw, "config", new ArrayList<>()))).isTrue();
  }

  private void syncKey(String... standbys) {
    long revision = node1.peek().sync().map(SyncState::modRevision).orElse(0L);
    assertThat(node1.writeSync(new SyncState(Optional.of("node1"), List.of(standbys), 0, 0), revision)).isPresent();
  }

  @Test
  void inSynchronousModeASwitchoverGoesOnlyToTheSyncStandby() {
    synchronousMode("on", false);
    syncKey("NODE2");
    assertThat(admin().switchover("node1", Optional.of("node3"), Optional.empty()))
        .isEqualTo(new Result(412, "candidate name does not match with sync_standby"));
    assertThat(admin().switchover("node1", Optional.of("node9"), Optional.empty()))
        .as("Patroni checks the key before membership")
        .isEqualTo(new Result(412, "candidate name does not match with sync_standby"));
    assertThat(admin().switchover("node2", Optional.of("node3"), Optional.empty()))
        .as("the leader is checked first").isEqualTo(new Result(412, "leader name does not match"));
    assertThat(key()).isEmpty();
    assertThat(wakes).isZero();
    // The standby the key lists (case-insensitive, as Patroni's sync.matches) is accepted.
    loops = () -> handOverTo(node2);
    assertThat(admin().switchover("node1", Optional.of("node2"), Optional.empty()))
        .isEqualTo(new Result(200, "Successfully switched over to \"node2\""));
  }

  @Test
  void inSynchronousModeAFailoverIsNotRestrictedByTheKey() {
    synchronousMode(true, false);
    syncKey("node2");
    loops = () -> handOverTo(node3);
    assertThat(admin().failover(Optional.of("node3")))
        .isEqualTo(new Result(200, "Successfully failed over to \"node3\""));
  }

  @Test
  void inSynchronousModeASwitchoverToAnyNeedsASyncStandby() {
    synchronousMode("on", false);
    syncKey();
    assertThat(admin().switchover("node1", Optional.empty(), Optional.empty()))
        .isEqualTo(new Result(412, "switchover is not possible: can not find sync_standby"));
    assertThat(admin().switchover("node1", Optional.of("node2"), Optional.empty()))
        .as("a key that lists nobody").isEqualTo(new Result(412, "candidate name does not match with sync_standby"));
    assertThat(key()).isEmpty();
    syncKey("node3");
    answers.remove("node3");
    assertThat(admin().switchover("node1", Optional.empty(), Optional.empty()))
        .as("only the sync standby is asked, and it does not answer")
        .isEqualTo(new Result(412, "switchover is not possible: no good candidates have been found"));
    answers.put("node3", replica("node3"));
    loops = () -> handOverTo(node3);
    assertThat(admin().switchover("node1", Optional.empty(), Optional.empty()))
        .isEqualTo(new Result(200, "Successfully switched over to \"node3\""));
  }

  @Test
  void quorumModeDoesNotRestrictTheCandidate() {
    synchronousMode("quorum", false);
    syncKey("node2");
    loops = () -> handOverTo(node3);
    assertThat(admin().switchover("node1", Optional.of("node3"), Optional.empty()))
        .isEqualTo(new Result(200, "Successfully switched over to \"node3\""));
  }

  @Test
  void aStandbyClusterIgnoresSynchronousMode() {
    synchronousMode("on", true);
    syncKey("node2");
    loops = () -> handOverTo(node3);
    assertThat(admin().switchover("node1", Optional.of("node3"), Optional.empty()))
        .isEqualTo(new Result(200, "Successfully switched over to \"node3\""));
  }

  @Test
  void scheduledIsWrittenAndAnswered202ThenCancelledOnce() {
    Result r = admin().switchover("node1", Optional.of("node2"), Optional.of("2030-01-02T03:04:05Z"));
    assertThat(r).isEqualTo(new Result(202, "Switchover scheduled"));
    assertThat(key()).hasValueSatisfying(f -> {
      assertThat(f.leader()).hasValue("node1");
      assertThat(f.member()).hasValue("node2");
      assertThat(f.scheduledAt()).hasValue("2030-01-02T03:04:05Z");
    });
    assertThat(wakes).as("nothing to do before its time").isZero();
    assertThat(admin().cancelSwitchover()).isEqualTo(new Result(200, "scheduled switchover deleted"));
    assertThat(key()).isEmpty();
    assertThat(admin().cancelSwitchover()).isEqualTo(new Result(404, "no switchover is scheduled"));
  }

  @Test
  void anImmediateRequestIsNotCancelledByDelete() {
    loops = () -> { };
    admin().switchover("node1", Optional.of("node2"), Optional.empty());
    assertThat(key()).isPresent();
    assertThat(admin().cancelSwitchover()).isEqualTo(new Result(404, "no switchover is scheduled"));
    assertThat(key()).isPresent();
  }

  /** The old leader stops and releases; the candidate acquires, then clears the key (ha.ManualFailover's order). */
  private void handOverTo(ClusterStore winner) {
    assertThat(node1.releaseLeader()).isTrue();
    assertThat(winner.acquireLeader(TTL)).isPresent();
    Failover f = winner.peek().failover().orElseThrow();
    assertThat(winner.clearFailover(f.modRevision())).isTrue();
  }

  @Test
  void immediateSwitchoverWaitsForTheLockToChangeHands() {
    loops = () -> handOverTo(node2);
    assertThat(admin().switchover("node1", Optional.of("node2"), Optional.empty()))
        .isEqualTo(new Result(200, "Successfully switched over to \"node2\""));
    assertThat(wakes).isOne();
  }

  @Test
  void switchoverToAnyReportsTheWinner() {
    loops = () -> handOverTo(node3);
    assertThat(admin().switchover("node1", Optional.empty(), Optional.empty()))
        .isEqualTo(new Result(200, "Successfully switched over to \"node3\""));
  }

  @Test
  void anotherWinnerIsSaid() {
    loops = () -> handOverTo(node3);
    assertThat(admin().switchover("node1", Optional.of("node2"), Optional.empty()))
        .isEqualTo(new Result(200, "Switched over to \"node3\" instead of \"node2\""));
  }

  @Test
  void failoverWordsAndAFailoverWithoutLeader() {
    loops = () -> handOverTo(node2);
    assertThat(admin().failover(Optional.of("node2")))
        .isEqualTo(new Result(200, "Successfully failed over to \"node2\""));
    // The lock is free (the leader died): any holder is a success.
    assertThat(node2.releaseLeader()).isTrue();
    loops = () -> {
      assertThat(node3.acquireLeader(TTL)).isPresent();
      node3.clearFailover(node3.peek().failover().orElseThrow().modRevision());
    };
    assertThat(admin().failover(Optional.of("node3")))
        .isEqualTo(new Result(200, "Successfully failed over to \"node3\""));
  }

  @Test
  void theLeaderRefusingClearsTheKeyAnd503() {
    loops = () -> node1.clearFailover(node1.peek().failover().orElseThrow().modRevision());
    assertThat(admin().switchover("node1", Optional.of("node2"), Optional.empty()))
        .isEqualTo(new Result(503, "Switchover failed"));
  }

  @Test
  void nothingHappensWithinTheWaitThenStatusUnknown() {
    long before = clock.get();
    assertThat(admin().switchover("node1", Optional.of("node2"), Optional.empty()))
        .isEqualTo(new Result(503, "Switchover status unknown"));
    // 2 * max(10, loop_wait) seconds of the (fake) clock: 20 s without a config key.
    assertThat(clock.get() - before).isBetween(20_000_000_000L, 21_000_000_000L);
    assertThat(key()).as("the request stays for the loops").isPresent();
  }

  /** What the first write through {@link #flaky} does. */
  private enum FirstWrite { ANSWERED, APPLIED_ANSWER_LOST, LOST_WHILE_ANOTHER_REQUEST_LANDS }

  /**
   * node1's DCS client with an outage: the next {@code failures} reads and writes throw as an unavailable DCS does
   * (a Raft election in progress), and the first write behaves as {@code first} says.
   */
  private ClusterStore flaky(int[] failures, FirstWrite first) {
    Dcs real = dcs.client("node1");
    FirstWrite[] next = {first};
    Dcs proxy = (Dcs) Proxy.newProxyInstance(Dcs.class.getClassLoader(), new Class<?>[] {Dcs.class},
        (self, method, args) -> {
          boolean call = List.of("read", "get", "put", "delete").contains(method.getName());
          DcsUnavailableException down = new DcsUnavailableException("no leader", Duration.ofSeconds(2), null, null);
          if (call && failures[0] > 0) {
            failures[0]--;
            throw down;
          }
          FirstWrite now = method.getName().equals("put") ? next[0] : FirstWrite.ANSWERED;
          if (method.getName().equals("put")) {
            next[0] = FirstWrite.ANSWERED;
          }
          if (now == FirstWrite.LOST_WHILE_ANOTHER_REQUEST_LANDS) {
            assertThat(node2.writeFailover(Optional.empty(), Optional.of("node3"), Optional.empty(),
                node2.failoverRevision())).isTrue();
            throw down;
          }
          try {
            Object out = method.invoke(real, args);
            if (now == FirstWrite.APPLIED_ANSWER_LOST) {
              throw down;
            }
            return out;
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
    return new ClusterStore(proxy, keys, "node1");
  }

  @Test
  void aRequestWaitsOutAShortOutageOfTheDcs() {
    loops = () -> handOverTo(node2);
    int[] failures = {3};
    assertThat(admin(flaky(failures, FirstWrite.ANSWERED)).switchover("node1", Optional.of("node2"),
        Optional.empty())).isEqualTo(new Result(200, "Successfully switched over to \"node2\""));
    assertThat(failures[0]).as("every failure was met").isZero();
  }

  @Test
  void aWriteAppliedWithItsAnswerLostIsTheRequestWritten() {
    loops = () -> handOverTo(node3);
    assertThat(admin(flaky(new int[] {0}, FirstWrite.APPLIED_ANSWER_LOST)).switchover("node1", Optional.of("node3"),
        Optional.empty())).isEqualTo(new Result(200, "Successfully switched over to \"node3\""));
    assertThat(wakes).as("the request went to the loops once").isOne();
  }

  @Test
  void anOutageLongerThanThePatienceIs503WithoutAKey() {
    long before = clock.get();
    int[] failures = {Integer.MAX_VALUE};
    assertThat(admin(flaky(failures, FirstWrite.ANSWERED)).switchover("node1", Optional.of("node2"),
        Optional.empty())).isEqualTo(new Result(503, "failed to write failover key into DCS"));
    assertThat(clock.get() - before).as("gave up after the patience")
        .isBetween(SwitchoverAdmin.DCS_PATIENCE.toNanos(), SwitchoverAdmin.DCS_PATIENCE.toNanos() + 1_000_000_000L);
    assertThat(key()).isEmpty();
    assertThat(wakes).isZero();
  }

  @Test
  void aRequestThatLandedDuringTheOutageIsNotOverwritten() {
    assertThat(admin(flaky(new int[] {0}, FirstWrite.LOST_WHILE_ANOTHER_REQUEST_LANDS)).switchover("node1",
        Optional.of("node2"), Optional.empty()))
        .isEqualTo(new Result(503, "failed to write failover key into DCS"));
    assertThat(key().orElseThrow().member()).hasValue("node3");
    assertThat(wakes).isZero();
  }
}
