package io.pgquorum.coordinator.fence;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.fence.WatchdogState.DeviceOp;
import io.pgquorum.coordinator.fence.WatchdogState.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The watchdog's deadline, guarding and device rules with a fake clock (nanoseconds as plain numbers). */
class WatchdogStateTest {
  static final long MS = 1_000_000L;
  final WatchdogState s = new WatchdogState();

  static String arm(long deadlineMs) {
    return "ARM " + deadlineMs * MS;
  }

  @Test
  void armedFencesAtTheAbsoluteDeadline() {
    assertThat(s.receive(arm(7_000), 1_000 * MS).fenceNow()).isFalse();
    assertThat(s.waitNanos(1_000 * MS)).isEqualTo(6_000 * MS);
    assertThat(s.tick(6_999 * MS).fenceNow()).isFalse();
    assertThat(s.tick(7_000 * MS).fenceNow()).isTrue();
    assertThat(s.armed()).isFalse();
  }

  @Test
  void aLateReadNeverExtendsTheDeadline() {
    // The line waited in the pipe (the watchdog was stopped, or slow): the deadline is still the daemon's.
    s.receive(arm(7_000), 6_900 * MS);
    assertThat(s.tick(7_000 * MS).fenceNow()).isTrue();

    WatchdogState late = new WatchdogState();
    late.receive(arm(7_000), 7_500 * MS); // read after the deadline: fence at the next tick, at once
    assertThat(late.waitNanos(7_500 * MS)).isZero();
    assertThat(late.tick(7_500 * MS).fenceNow()).isTrue();
  }

  @Test
  void aNewerArmMovesTheDeadlineEitherWay() {
    s.receive(arm(6_000), 0);
    s.receive(arm(7_000), 1_000 * MS);
    assertThat(s.tick(6_500 * MS).fenceNow()).isFalse();
    assertThat(s.tick(7_000 * MS).fenceNow()).isTrue();
    s.fenced(7_010 * MS);
    s.receive(arm(14_000), 8_000 * MS);
    s.receive(arm(8_100), 8_000 * MS); // the daemon's latest word wins, even when earlier
    assertThat(s.tick(8_100 * MS).fenceNow()).isTrue();
  }

  @Test
  void neverArmedOrDisarmedNeverFences() {
    assertThat(s.tick(Long.MAX_VALUE / 2).fenceNow()).isFalse();
    s.receive(arm(10), 0);
    s.receive("DISARM", 5 * MS);
    assertThat(s.tick(1_000 * MS).fenceNow()).isFalse();
    assertThat(s.waitNanos(1_000 * MS)).isEqualTo(Long.MAX_VALUE);
    assertThat(s.finished()).isFalse();
  }

  @Test
  void badLinesAreReportedAndChangeNothing() {
    s.receive(arm(1_000), 0);
    for (String bad : new String[] {"", "ARM", "ARM x", "ARM 1e3", "arm 10", "FENCE", "DISARM now", "ARM 10 20",
        "\u0000\u0001", "ARM " + (10 * MS + WatchdogState.MAX_LEASE_NANOS + 1)}) {
      Step step = s.receive(bad, 10 * MS);
      assertThat(step.fenceNow()).as(bad).isFalse();
      assertThat(step.problem()).as(bad).isPresent();
      assertThat(s.armed()).isTrue();
    }
    assertThat(s.tick(999 * MS).fenceNow()).isFalse();
    assertThat(s.tick(1_000 * MS).fenceNow()).isTrue();

    WatchdogState fresh = new WatchdogState();
    assertThat(fresh.receive("garbage", 0).fenceNow()).isFalse();
    assertThat(fresh.tick(Long.MAX_VALUE / 2).fenceNow()).as("a bad line never arms").isFalse();
  }

  @Test
  void aDeadlineADayAheadMeansAnotherClock() {
    Step step = s.receive("ARM " + (WatchdogState.MAX_LEASE_NANOS + 5 * MS), 4 * MS);
    assertThat(step.problem()).get().asString().contains("more than a day ahead");
    assertThat(s.armed()).isFalse();
  }

  @Test
  void afterTheFenceItKeepsGuardingUntilTheDaemonSpeaks() {
    s.receive(arm(2_000), 0);
    assertThat(s.tick(2_000 * MS).fenceNow()).isTrue();
    s.fenced(2_050 * MS);
    assertThat(s.guarding()).isTrue();
    assertThat(s.waitNanos(2_050 * MS)).isEqualTo(WatchdogState.GUARD_INTERVAL_NANOS);
    assertThat(s.tick(2_100 * MS).fenceNow()).isFalse();
    assertThat(s.tick(2_050 * MS + WatchdogState.GUARD_INTERVAL_NANOS).fenceNow())
        .as("a start that was in flight may have made its postmaster visible only now").isTrue();
    s.fenced(2_300 * MS);
    s.receive("DISARM", 2_400 * MS);
    assertThat(s.guarding()).isFalse();
    assertThat(s.tick(60_000 * MS).fenceNow()).isFalse();

    WatchdogState rearmed = new WatchdogState();
    rearmed.receive(arm(2_000), 0);
    rearmed.tick(2_000 * MS);
    rearmed.fenced(2_010 * MS);
    rearmed.receive(arm(9_000), 2_500 * MS); // a new lease: a primary may run again
    assertThat(rearmed.guarding()).isFalse();
    assertThat(rearmed.tick(8_999 * MS).fenceNow()).isFalse();
    assertThat(rearmed.tick(9_000 * MS).fenceNow()).isTrue();
  }

  @Test
  void endOfInputWhileArmedFencesAtTheDeadlineGuardsThenFinishes() {
    s.receive(arm(2_000), 0);
    s.receive(null, 500 * MS);
    assertThat(s.finished()).isFalse();
    assertThat(s.tick(1_999 * MS).fenceNow()).isFalse();
    assertThat(s.tick(2_000 * MS).fenceNow()).isTrue();
    s.fenced(2_100 * MS);
    assertThat(s.finished()).as("still guarding").isFalse();
    long end = 2_100 * MS + WatchdogState.HOLD_NANOS;
    assertThat(s.waitNanos(2_100 * MS)).isLessThanOrEqualTo(WatchdogState.GUARD_INTERVAL_NANOS);
    assertThat(s.tick(end - 1).fenceNow()).as("a guard check").isTrue();
    s.fenced(end - 1);
    assertThat(s.tick(end).fenceNow()).isFalse();
    assertThat(s.finished()).isTrue();
  }

  @Test
  void endOfInputWhileGuardingHoldsFromTheEndOfInput() {
    s.receive(arm(2_000), 0);
    s.tick(2_000 * MS);
    s.fenced(2_010 * MS);
    s.receive(null, 5_000 * MS);
    assertThat(s.tick(5_000 * MS).fenceNow()).isTrue();
    s.fenced(5_000 * MS);
    assertThat(s.tick(5_000 * MS + WatchdogState.HOLD_NANOS - 1).fenceNow()).isTrue();
    s.fenced(5_000 * MS + WatchdogState.HOLD_NANOS - 1); // guard checks do not extend the hold
    assertThat(s.finished()).isFalse();
    s.tick(5_000 * MS + WatchdogState.HOLD_NANOS);
    assertThat(s.finished()).isTrue();
  }

  @Test
  void endOfInputOrExitWhileDisarmedFinishesAtOnce() {
    s.receive(null, 0);
    assertThat(s.finished()).isTrue();

    WatchdogState other = new WatchdogState();
    other.receive(arm(2_000), 0);
    other.receive("DISARM", 1);
    other.receive("EXIT", 2);
    assertThat(other.finished()).isTrue();
  }

  @Test
  void exitWhileArmedBehavesLikeEndOfInputAndLaterLinesAreIgnored() {
    s.receive(arm(2_000), 0);
    s.receive("EXIT", 10 * MS);
    s.receive("DISARM", 20 * MS); // after EXIT nothing counts
    assertThat(s.finished()).isFalse();
    assertThat(s.tick(2_000 * MS).fenceNow()).isTrue();
  }

  // ---- kernel watchdog device ----

  static final long T = 2_000 * MS;
  static final long GRACE = WatchdogState.DEVICE_RESET_GRACE_NANOS;

  @Test
  void armOpensTheDeviceAndKeepaliveStopsInTimeForAResetByTheDeadlinePlusGrace() {
    WatchdogState d = new WatchdogState(T);
    Step open = d.receive(arm(6_000), 0);
    assertThat(open.device()).isEqualTo(DeviceOp.OPEN);
    assertThat(open.notice()).hasValue("DEVICE-ACTIVE");
    List<Long> keepalives = new ArrayList<>();
    long fencedAt = -1;
    for (long t = MS; t <= 6_000 * MS; t += MS) {
      Step step = d.tick(t);
      if (step.device() == DeviceOp.KEEPALIVE) {
        keepalives.add(t);
      }
      assertThat(step.device()).isNotEqualTo(DeviceOp.CLOSE);
      if (step.fenceNow()) {
        fencedAt = t;
        break;
      }
    }
    assertThat(fencedAt).isEqualTo(6_000 * MS);
    assertThat(keepalives).isNotEmpty();
    long last = keepalives.get(keepalives.size() - 1);
    assertThat(last + T).as("the kernel resets at most T after the last keepalive")
        .isLessThanOrEqualTo(6_000 * MS + GRACE);
    assertThat(last).as("keepalives went on while allowed").isGreaterThan(6_000 * MS + GRACE - T - 1_000 * MS);
    Step closed = d.fenced(6_100 * MS);
    assertThat(closed.device()).as("PostgreSQL is gone: disable the device (magic close)").isEqualTo(DeviceOp.CLOSE);
    assertThat(closed.notice()).hasValue("DEVICE-CLOSED");
  }

  @Test
  void disarmAndCleanExitCloseTheDevice() {
    WatchdogState d = new WatchdogState(T);
    d.receive(arm(6_000), 0);
    assertThat(d.receive("DISARM", 100 * MS).device()).isEqualTo(DeviceOp.CLOSE);
    assertThat(d.deviceOpen()).isFalse();
    assertThat(d.receive(arm(9_000), 3_000 * MS).device()).as("re-activated by the next lease")
        .isEqualTo(DeviceOp.OPEN);
    d.receive("DISARM", 3_100 * MS);
    assertThat(d.receive("EXIT", 3_200 * MS).device()).isEqualTo(DeviceOp.NONE);
    assertThat(d.finished()).isTrue();

    WatchdogState e = new WatchdogState(T);
    e.receive(arm(6_000), 0);
    e.receive("DISARM", 100 * MS);
    e.receive(arm(9_000), 200 * MS);
    assertThat(e.receive("EXIT", 300 * MS).device()).as("armed: the device stays on through the lease")
        .isEqualTo(DeviceOp.NONE);
    assertThat(e.deviceOpen()).isTrue();
  }

  @Test
  void aDeviceTimeoutLongerThanTheLeaseIsNotActivatedAndReportedOnce() {
    WatchdogState d = new WatchdogState(7_000 * MS);
    Step first = d.receive(arm(6_000), 0);
    assertThat(first.device()).isEqualTo(DeviceOp.NONE);
    assertThat(first.notice()).get().asString().startsWith("DEVICE-FAILED not activating the kernel watchdog");
    Step second = d.receive(arm(7_000), 1_000 * MS);
    assertThat(second.notice()).isEmpty();
    assertThat(d.deviceOpen()).isFalse();
  }

  @Test
  void aDeviceThatWouldResetDuringAValidLeaseIsClosedAndReported() {
    WatchdogState d = new WatchdogState(T);
    d.receive(arm(6_000), 0); // keepalive at 0: reset at 2 000 unless kept alive
    // The next lease's deadline (2 300) lies after that reset, and no keepalive is allowed at 1 000 (1 000 + T >
    // 2 300 + grace): the device would reset a primary whose lease is valid.
    Step step = d.receive(arm(2_300), 1_000 * MS);
    assertThat(step.device()).isEqualTo(DeviceOp.CLOSE);
    assertThat(step.notice()).get().asString().startsWith("DEVICE-FAILED");
  }

  @Test
  void deviceErrorsAreReported() {
    WatchdogState d = new WatchdogState(T);
    d.receive(arm(6_000), 0);
    Step err = d.deviceError("cannot open /dev/watchdog: Permission denied");
    assertThat(err.notice()).hasValue("DEVICE-FAILED cannot open /dev/watchdog: Permission denied");
    assertThat(d.deviceOpen()).isFalse();
  }

  /**
   * Seeded random histories: whenever the watchdog could freeze, the kernel's reset (T after the last keepalive)
   * lands no later than the grace after the deadline in force when that keepalive was written; and the device is
   * closed whenever nothing is armed or being fenced.
   */
  @Test
  void randomHistoriesNeverKeepAliveBeyondTheDeadlinePlusGrace() {
    long seed = Long.getLong("pgquorum.seed", System.nanoTime());
    Random rnd = new Random(seed);
    for (int history = 0; history < 300; history++) {
      long timeout = (1 + rnd.nextInt(5)) * 1_000 * MS;
      WatchdogState d = new WatchdogState(timeout);
      long now = 0;
      long deadline = Long.MIN_VALUE;
      boolean fencing = false;
      for (int i = 0; i < 200; i++) {
        now += rnd.nextInt(400) * MS;
        Step step;
        switch (rnd.nextInt(10)) {
          case 0, 1, 2 -> {
            deadline = now + rnd.nextInt(9_000) * MS - 500 * MS;
            step = d.receive("ARM " + deadline, now);
          }
          case 3 -> step = d.receive("DISARM", now);
          default -> step = d.tick(now);
        }
        if (step.device() == DeviceOp.OPEN || step.device() == DeviceOp.KEEPALIVE) {
          assertThat(now + timeout).as("seed %d history %d: keepalive at %d", seed, history, now)
              .isLessThanOrEqualTo(deadline + GRACE);
        }
        if (step.fenceNow()) {
          fencing = true;
          step = d.fenced(now);
          fencing = false;
        }
        if (!d.armed() && !fencing) {
          assertThat(d.deviceOpen()).as("seed %d history %d: device closed when disarmed", seed, history)
              .isFalse();
        }
      }
    }
  }
}
