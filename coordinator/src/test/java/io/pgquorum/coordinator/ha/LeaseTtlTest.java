package io.pgquorum.coordinator.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.ClusterStore;
import io.pgquorum.coordinator.cluster.DcsKeys;
import io.pgquorum.coordinator.cluster.ForwardingDcs;
import io.pgquorum.coordinator.cluster.LeaderLock;
import io.pgquorum.coordinator.cluster.LeaseGrant;
import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.dcs.api.Dcs;
import io.pgquorum.dcs.api.DcsUnavailableException;
import io.pgquorum.dcs.api.Precondition;
import io.pgquorum.dcs.api.WriteResult;
import io.pgquorum.dcs.memory.InMemoryDcs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Hole 1 of issue 10: the holder's deadline follows the ttl the DCS stores on the leader key, never the configured
 * one alone, and a configured ttl change reaches the key through a re-arm (compare-and-set, same fencing token)
 * before a longer deadline is used; lowering the ttl shortens the deadline before the shorter lease can be in
 * force.
 */
class LeaseTtlTest {
  static final DynamicConfig TTL8 = LeaseTest.DYN; // ttl 8, loop_wait 1, retry_timeout 2
  static final DynamicConfig TTL30 = withTtl(30);
  static final long S = 1_000_000_000L;

  final AtomicLong clock = new AtomicLong(5 * S);
  final InMemoryDcs memory = new InMemoryDcs();
  final LosingDcs dcs = new LosingDcs(memory.client("node1"));
  final FakePostgres pg = new FakePostgres();
  final HeldLease lease = new HeldLease();
  final NodeConfig config = TestConfigs.node("node1", TTL8);
  final ClusterStore store = new ClusterStore(dcs, new DcsKeys("/service/t/"), "node1");
  final ActionExecutor executor = new ActionExecutor(config, store, pg, lease, new TaskRunner("node1"),
      clock::get, () -> { });
  final List<String> armed = new ArrayList<>();

  LeaseTtlTest() {
    lease.setListener(new LeaseListener() {
      @Override
      public void armed(long fencingToken, long deadlineNanos) {
        armed.add(fencingToken + "@" + (deadlineNanos - 5 * S) / 1_000_000 + "ms");
      }

      @Override
      public void disarmed() {
        armed.add("disarmed");
      }
    });
  }

  static DynamicConfig withTtl(int ttl) {
    DynamicConfig d = LeaseTest.DYN;
    return d.withTiming(Duration.ofSeconds(ttl), d.loopWait(), d.retryTimeout());
  }

  @AfterEach
  void close() {
    memory.close();
  }

  private ActionExecutor.Outcome run(DynamicConfig dyn, Action... actions) {
    ClusterSnapshot snap = store.load();
    return executor.execute(new Decision(List.of(actions), "test"), Optional.of(snap));
  }

  private LeaderLock leaderKey() {
    return store.load().leader().orElseThrow();
  }

  @Test
  void aRefreshAfterTheConfiguredTtlRoseKeepsTheDeadlineOfTheStoredTtl() {
    run(TTL8, Plans.acquire(TTL8));
    long token = lease.token().getAsLong();
    clock.addAndGet(S);
    long sent = clock.get();
    // The operator raised ttl to 30; the key in the DCS still expires after 8 s.
    run(TTL30, Plans.refresh(token, TTL30));
    assertThat(leaderKey().ttl()).isEqualTo(Duration.ofSeconds(8));
    assertThat(lease.deadlineNanos()).as("min(stored 8, configured 30) - retry_timeout 2")
        .hasValue(sent + 6 * S);
  }

  @Test
  void aRearmStoresTheNewTtlUnderTheSameTokenAndOnlyThenExtendsTheDeadline() {
    run(TTL8, Plans.acquire(TTL8));
    long token = lease.token().getAsLong();
    LeaderLock before = leaderKey();
    clock.addAndGet(S);
    long sent = clock.get();
    run(TTL30, Plans.rearm(token, Duration.ofSeconds(30), TTL30));
    LeaderLock after = leaderKey();
    assertThat(after.ttl()).isEqualTo(Duration.ofSeconds(30));
    assertThat(after.fencingToken()).isEqualTo(before.fencingToken()).isEqualTo(token);
    assertThat(after.name()).isEqualTo("node1");
    assertThat(lease.deadlineNanos()).hasValue(sent + 28 * S);
    // The watchdog followed: first the refresh with the stored 8 s, then the confirmed 30 s.
    assertThat(armed).containsExactly(token + "@6000ms", token + "@7000ms", token + "@29000ms");
  }

  @Test
  void loweringTheTtlShortensTheDeadlineEvenWhenTheRearmsReplyIsLost() {
    run(TTL30, Plans.acquire(TTL30));
    long token = lease.token().getAsLong();
    assertThat(lease.deadlineNanos()).hasValue(5 * S + 28 * S);
    clock.addAndGet(S);
    long sent = clock.get();
    dcs.loseNextPutReply.set(true); // the put is applied, its reply never arrives
    assertThatThrownBy(() -> run(TTL8, Plans.rearm(token, Duration.ofSeconds(8), TTL8)))
        .isInstanceOf(DcsUnavailableException.class);
    // The DCS now expires the key 8 s after the put: the old 28 s deadline must be gone already.
    assertThat(leaderKey().ttl()).isEqualTo(Duration.ofSeconds(8));
    assertThat(lease.deadlineNanos()).hasValue(sent + 6 * S);
    assertThat(armed).last().isEqualTo(token + "@7000ms");
  }

  @Test
  void loweringTheTtlWithAConfirmedRearm() {
    run(TTL30, Plans.acquire(TTL30));
    long token = lease.token().getAsLong();
    clock.addAndGet(S);
    long sent = clock.get();
    run(TTL8, Plans.rearm(token, Duration.ofSeconds(8), TTL8));
    assertThat(leaderKey().ttl()).isEqualTo(Duration.ofSeconds(8));
    assertThat(lease.deadlineNanos()).hasValue(sent + 6 * S);
  }

  @Test
  void aRearmOfAKeyThatChangedSinceTheRefreshLosesTheLockAndWritesNothing() {
    run(TTL8, Plans.acquire(TTL8));
    long token = lease.token().getAsLong();
    LeaseGrant stale = store.renewLeader(token).orElseThrow();
    // Someone rewrote the key after that refresh (an operator, another incarnation): the compare-and-set fails.
    dcs.put("/service/t/leader", "node1", Precondition.none(), Duration.ofSeconds(8));
    assertThat(store.rearmLeader(stale, Duration.ofSeconds(30))).isEmpty();
    assertThat(leaderKey().ttl()).isEqualTo(Duration.ofSeconds(8));
  }

  @Test
  void aRearmOfALostLockWritesNothing() {
    run(TTL8, Plans.acquire(TTL8));
    long token = lease.token().getAsLong();
    store.releaseLeader();
    ActionExecutor.Outcome o = run(TTL30, Plans.rearm(token, Duration.ofSeconds(30), TTL30));
    assertThat(o.recheckNow()).isTrue();
    assertThat(lease.deadlineNanos()).isEmpty();
    assertThat(store.load().leader()).isEmpty();
  }

  @Test
  void theDeciderPlansARearmWhenTheStoredTtlDiffersFromTheConfiguredOne() {
    run(TTL8, Plans.acquire(TTL8));
    long token = lease.token().getAsLong();
    ClusterSnapshot snap = store.load();
    HaPolicy raised = new HaPolicy("node1", config.tags(), TTL30);
    assertThat(Decider.keepLock(snap, raised)).isEqualTo(Plans.rearm(token, Duration.ofSeconds(30), TTL30));
    HaPolicy same = new HaPolicy("node1", config.tags(), TTL8);
    assertThat(Decider.keepLock(snap, same)).isEqualTo(Plans.refresh(token, TTL8));
  }

  /** Delegates to a real DCS client; can apply a put and then lose its reply (an unknown outcome). */
  static final class LosingDcs extends ForwardingDcs {
    final AtomicBoolean loseNextPutReply = new AtomicBoolean();

    LosingDcs(Dcs delegate) {
      super(delegate);
    }

    @Override
    public WriteResult put(String key, String value, Precondition condition, Duration ttl) {
      WriteResult r = super.put(key, value, condition, ttl);
      if (loseNextPutReply.getAndSet(false)) {
        throw new DcsUnavailableException("DCS write failed: reply lost (outcome unknown)", Duration.ofSeconds(2),
            null, null);
      }
      return r;
    }
  }
}
