package io.pgquorum.coordinator.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.ClusterStore;
import io.pgquorum.coordinator.cluster.DcsKeys;
import io.pgquorum.coordinator.cluster.ForwardingDcs;
import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.coordinator.metrics.NodeMetrics;
import io.pgquorum.dcs.api.Dcs;
import io.pgquorum.dcs.api.DcsUnavailableException;
import io.pgquorum.dcs.api.WriteResult;
import io.pgquorum.dcs.memory.InMemoryDcs;
import io.pgquorum.dcs.planted.PlantedBugs;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The lease keeper on a controllable clock, its ticks called by the test: it refreshes only under a license and
 * only when due, moves the deadline by the loop's rule, moves nothing on an unknown outcome or after a revocation
 * that came while its refresh was in flight, and leaves a lost lease to the loop and the guard.
 */
class LeaseKeeperTest {
  static final DynamicConfig DYN = LeaseKeepingTest.DYN;
  static final long S = 1_000_000_000L;
  final AtomicLong clock = new AtomicLong(5 * S);
  final InMemoryDcs dcs = new InMemoryDcs();
  /** Runs while a refresh is in flight, before the DCS applied it. */
  Runnable duringRefresh = () -> { };
  /** Runs while a refresh is in flight, after the DCS applied it and before its reply is handled. */
  Runnable afterApplied = () -> { };
  final ClusterStore store = new ClusterStore(new InFlight(dcs.client("node1")), new DcsKeys("/service/t/"),
      "node1");
  final HeldLease lease = new HeldLease();
  final NodeConfig config = TestConfigs.node("node1", DYN);
  final ActionExecutor executor = new ActionExecutor(config, store, new FakePostgres(), lease,
      new TaskRunner("node1"), clock::get, () -> { });
  final AtomicInteger wakes = new AtomicInteger();
  LeaseKeeper keeper = new LeaseKeeper(store, lease, clock::get, wakes::incrementAndGet, "node1", PlantedBugs.NONE);
  long token;

  @BeforeEach
  void holdTheLock() {
    run(Plans.acquire(DYN));
    token = lease.token().getAsLong();
  }

  @AfterEach
  void close() {
    keeper.close();
    dcs.close();
  }

  private void run(Action... actions) {
    ClusterSnapshot snap = store.load();
    executor.execute(new Decision(List.of(actions), "test"), Optional.of(snap));
  }

  /** What the loop does each cycle: license the keeper from the plan, then run the plan. */
  private void cycle(Action... actions) {
    Decision d = new Decision(List.of(actions), "test");
    keeper.license(LeaseKeeping.license(d, false, clock.get(), DYN.loopWait(), PlantedBugs.NONE));
    executor.execute(d, Optional.of(store.load()));
  }

  @Test
  void sendsNothingWhileTheLoopKeepsUp() {
    for (int i = 0; i < 10; i++) {
      clock.addAndGet(S);
      cycle(Plans.refresh(token, DYN));
      long deadline = lease.deadlineNanos().getAsLong();
      clock.addAndGet(S / 2);
      assertThat(keeper.tick()).isEqualTo(LeaseKeeper.Outcome.IDLE);
      assertThat(lease.deadlineNanos()).hasValue(deadline);
    }
  }

  @Test
  void refreshesAPeriodAfterTheLoopsLastRefreshByTheLoopsDeadlineRule() {
    cycle(Plans.refresh(token, DYN));
    clock.addAndGet(2 * S - 1);
    assertThat(keeper.tick()).isEqualTo(LeaseKeeper.Outcome.IDLE);
    clock.addAndGet(1);
    long sent = clock.get();
    assertThat(keeper.tick()).isEqualTo(LeaseKeeper.Outcome.CONFIRMED);
    assertThat(lease.deadlineNanos()).hasValue(sent + 6 * S); // ttl 8 - retry_timeout 2, from the send
  }

  /**
   * Every confirmed refresh, the loop's and the keeper's, reports how long the lease had left before its deadline
   * (as it stood before the refresh moved it); the metric keeps the lowest.
   */
  @Test
  void confirmedRefreshesReportTheLowestHeadroomTheLeaseHadLeft() {
    NodeMetrics m = NodeMetrics.withoutRaft();
    keeper.useMetrics(m);
    executor.useMetrics(m);
    assertThat(headroomMin(m)).isNaN();
    cycle(Plans.refresh(token, DYN)); // at the acquire's instant: its deadline, ttl 8 - retry_timeout 2, is 6 s away
    assertThat(headroomMin(m)).isEqualTo(6.0);
    clock.addAndGet(2 * S);
    assertThat(keeper.tick()).isEqualTo(LeaseKeeper.Outcome.CONFIRMED); // 2 s later: 4 s left
    assertThat(headroomMin(m)).isEqualTo(4.0);
    clock.addAndGet(S);
    cycle(Plans.refresh(token, DYN)); // 1 s after the keeper's refresh: 5 s left, the lowest stays
    assertThat(headroomMin(m)).isEqualTo(4.0);
  }

  private static double headroomMin(NodeMetrics m) {
    return (Double) m.registry().getGauges().get(NodeMetrics.LEASE_HEADROOM_MIN).getValue();
  }

  /** A loop late in every cycle gets one INFO line a minute about it, with the count, not one per refresh. */
  @Test
  void refreshesForALateLoopAreLoggedAtInfoOnceAMinute() {
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    Logger logger = (Logger) LoggerFactory.getLogger(LeaseKeeper.class);
    Level level = logger.getLevel();
    logger.setLevel(Level.DEBUG);
    logger.addAppender(logs);
    try {
      cycle(Plans.refresh(token, DYN));
      int confirmed = 0;
      // The loop stalls for 15 s: the keeper refreshes every 2 s (the license runs 16 s), 7 times.
      for (int i = 0; i < 150; i++) {
        clock.addAndGet(S / 10);
        if (keeper.tick() == LeaseKeeper.Outcome.CONFIRMED) {
          confirmed++;
        }
      }
      assertThat(confirmed).isEqualTo(7);
      assertThat(logs.list).filteredOn(e -> e.getLevel() == Level.INFO).extracting(ILoggingEvent::getFormattedMessage)
          .containsExactly("the HA loop is late: the lease keeper refreshed the leader lock (fencing token " + token
              + "; 1 since the last such line)");
      assertThat(logs.list).filteredOn(e -> e.getLevel() == Level.DEBUG).hasSize(6);
      // The loop cycles every 3 s and is late by 1 s each time: the keeper refreshes 2 s after each of its refreshes.
      // The first refresh a minute or more after the line (the 16th, 61 s after it) logs the next, with 6 + 16.
      for (int i = 0; i < 20; i++) {
        clock.addAndGet(S);
        cycle(Plans.refresh(token, DYN));
        clock.addAndGet(2 * S);
        assertThat(keeper.tick()).isEqualTo(LeaseKeeper.Outcome.CONFIRMED);
      }
      assertThat(logs.list).filteredOn(e -> e.getLevel() == Level.INFO).hasSize(2).last()
          .extracting(ILoggingEvent::getFormattedMessage).asString().endsWith("; 22 since the last such line)");
    } finally {
      logger.detachAppender(logs);
      logger.setLevel(level);
    }
  }

  @Test
  void aStalledLoopKeepsItsLeaseUntilTheLicenseEndsAndLosesItAfter() {
    long decided = clock.get();
    cycle(Plans.refresh(token, DYN));
    int confirmed = 0;
    // The loop never cycles again: the keeper ticks every 100 ms of the clock.
    while (lease.validAt(clock.get())) {
      if (keeper.tick() == LeaseKeeper.Outcome.CONFIRMED) {
        confirmed++;
        assertThat(clock.get() - decided).isLessThan(16 * S);
      }
      clock.addAndGet(S / 10);
    }
    // Refreshed every 2 s until the license's end (2 ttl), then the lease ran out a validity after the last one.
    assertThat(confirmed).isEqualTo(7);
    assertThat(clock.get() - decided).isGreaterThan(16 * S).isLessThanOrEqualTo(22 * S);
  }

  @Test
  void aRevocationWhileARefreshIsInFlightKeepsTheDeadlineWhereItWas() {
    cycle(Plans.refresh(token, DYN));
    long deadline = lease.deadlineNanos().getAsLong();
    clock.addAndGet(2 * S);
    // The loop's next plan demotes: it revokes the license while the keeper's refresh is on its way.
    duringRefresh = () -> keeper.license(LeaseKeeping.license(new Decision(List.of(
        new Action.Demote(io.pgquorum.coordinator.postgres.StopMode.FAST)), "t"), false, clock.get(),
        DYN.loopWait(), PlantedBugs.NONE));
    assertThat(keeper.tick()).isEqualTo(LeaseKeeper.Outcome.SUPERSEDED);
    assertThat(lease.deadlineNanos()).hasValue(deadline);
    duringRefresh = () -> { };
    clock.addAndGet(2 * S);
    assertThat(keeper.tick()).isEqualTo(LeaseKeeper.Outcome.IDLE);
  }

  @Test
  void aRefreshUnderOlderTermsDoesNotRaiseTheDeadlineAboveAReArmsCap() {
    cycle(Plans.refresh(token, DYN));
    clock.addAndGet(2 * S);
    // The operator lowered ttl: the DCS applied the keeper's refresh (still ttl 8), then the loop's plan re-arms
    // with ttl 4 before the refresh's reply is handled. Counted from its send with the old terms, that reply would
    // put the deadline at send + 6 s, past what the re-armed key guarantees (its send + 3 s).
    DynamicConfig shorter = new DynamicConfig(4, 1, 1, 1_048_576, 300, true, true, Map.of(), List.of(), Map.of());
    afterApplied = () -> {
      afterApplied = () -> { };
      cycle(Plans.rearm(token, Duration.ofSeconds(4), shorter));
    };
    long capped = clock.get() + 3 * S; // the re-arm's cap: ttl 4 - retry_timeout 1, from its send (now)
    assertThat(keeper.tick()).isEqualTo(LeaseKeeper.Outcome.SUPERSEDED);
    assertThat(lease.deadlineNanos()).hasValue(capped);
  }

  @Test
  void anUnknownOutcomeMovesNothingAndIsRetriedOnceItEnded() {
    cycle(Plans.refresh(token, DYN));
    long deadline = lease.deadlineNanos().getAsLong();
    clock.addAndGet(2 * S);
    duringRefresh = () -> {
      clock.addAndGet(2 * S); // the DCS client's timeout (retry_timeout 2) passes inside the attempt
      throw new DcsUnavailableException("simulated timeout", Duration.ofSeconds(2), null, null);
    };
    assertThat(keeper.tick()).isEqualTo(LeaseKeeper.Outcome.UNKNOWN);
    assertThat(lease.deadlineNanos()).hasValue(deadline);
    // Due again at once (a period after the last confirmed send was 2 s ago; the attempt ended now).
    duringRefresh = () -> { };
    long sent = clock.get();
    assertThat(keeper.tick()).isEqualTo(LeaseKeeper.Outcome.CONFIRMED);
    assertThat(lease.deadlineNanos()).hasValue(sent + 6 * S);
  }

  @Test
  void aLostLockStopsTheKeeperAndWakesTheLoopButLeavesTheDeadlineToTheGuard() {
    cycle(Plans.refresh(token, DYN));
    long deadline = lease.deadlineNanos().getAsLong();
    store.releaseLeader(); // gone: an operator deleted it
    clock.addAndGet(2 * S);
    assertThat(keeper.tick()).isEqualTo(LeaseKeeper.Outcome.LOST);
    assertThat(wakes.get()).isEqualTo(1);
    // Not cleared: should the loop be stuck, the guard still fences at the deadline.
    assertThat(lease.deadlineNanos()).hasValue(deadline);
    clock.addAndGet(2 * S);
    assertThat(keeper.tick()).isEqualTo(LeaseKeeper.Outcome.IDLE);
  }

  /**
   * A keeper thread without a license idles (no 100 ms polling), and a license wakes it: with an idle bound of an
   * hour, only that wake-up can make it send the refresh that is due.
   */
  @Test
  void anIdleKeeperIsWokenByALicense() {
    keeper.close();
    keeper = new LeaseKeeper(store, lease, clock::get, wakes::incrementAndGet, "node1", PlantedBugs.NONE,
        Duration.ofHours(1));
    keeper.start();
    // Without a license the keeper goes to its idle wait (the hour) after its first look.
    await().atMost(Duration.ofSeconds(20)).until(() -> keeper.threadState() == Thread.State.TIMED_WAITING);
    run(Plans.refresh(token, DYN)); // the loop's refresh, without a license: the keeper has nothing to do
    long loopDeadline = lease.deadlineNanos().getAsLong();
    clock.addAndGet(2 * S); // a refresh is due a period (2 s here) after the loop's
    // The loop's license for its next cycle, before that cycle's own refresh runs (which this test never runs).
    keeper.license(LeaseKeeping.license(new Decision(List.of(Plans.refresh(token, DYN)), "test"), false, clock.get(),
        DYN.loopWait(), PlantedBugs.NONE));
    await().atMost(Duration.ofSeconds(20)).until(() -> lease.deadlineNanos().getAsLong() > loopDeadline);
  }

  @Test
  void plantedNoLeaseKeeperNeverRefreshes() {
    keeper = new LeaseKeeper(store, lease, clock::get, wakes::incrementAndGet, "node1",
        PlantedBugs.of(HaBug.NO_LEASE_KEEPER));
    cycle(Plans.refresh(token, DYN));
    clock.addAndGet(3 * S);
    assertThat(keeper.nextRefreshNanos()).isEmpty();
    assertThat(keeper.tick()).isEqualTo(LeaseKeeper.Outcome.IDLE);
  }

  /** The node's DCS client, running {@link #duringRefresh} while a refresh is in flight (before it is applied). */
  private final class InFlight extends ForwardingDcs {
    InFlight(Dcs delegate) {
      super(delegate);
    }

    @Override
    public WriteResult refresh(String key, long createRevision) {
      duringRefresh.run();
      WriteResult r = super.refresh(key, createRevision);
      afterApplied.run();
      return r;
    }
  }
}
