package io.pgquorum.coordinator.ha;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The race gate and the promise exclude each other ({@link FailsafePromises}); the failsafe extension of a lease
 * never resurrects one that ran out ({@link HeldLease#extendHeld}).
 */
class FailsafePromisesTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final HeldLease lease = new HeldLease();
  private final FailsafePromises promises = new FailsafePromises(lease, now::get, 0);

  @Test
  void aPromiseHoldsTheRaceBackUntilItEnds() {
    assertThat(promises.promise("node2", Duration.ofSeconds(8), Map.of())).isEqualTo(FailsafePromises.Answer.ACCEPTED);
    long until = promises.sample().promise().orElseThrow().untilNanos();
    assertThat(until - now.get()).isEqualTo(FailsafeRules.promiseNanos(Duration.ofSeconds(8)));
    assertThat(promises.beginRace()).isFalse();
    now.set(until - 1);
    assertThat(promises.beginRace()).isFalse();
    now.set(until);
    assertThat(promises.beginRace()).isTrue();
  }

  @Test
  void aRaceInProgressRefusesPromisesAndAHeldLeaseToo() {
    assertThat(promises.beginRace()).isTrue();
    assertThat(promises.promise("node2", Duration.ofSeconds(8), Map.of())).isEqualTo(FailsafePromises.Answer.LEADER);
    assertThat(promises.sample().promise()).isEmpty();
    lease.extend(7, now.get(), 6_000_000_000L); // the race was won
    promises.endRace();
    assertThat(promises.promise("node2", Duration.ofSeconds(8), Map.of())).isEqualTo(FailsafePromises.Answer.LEADER);
    lease.clear();
    assertThat(promises.promise("node2", Duration.ofSeconds(8), Map.of())).isEqualTo(FailsafePromises.Answer.ACCEPTED);
  }

  @Test
  void aLeaseHeldOnceIsRememberedForTheDaemonsLife() {
    assertThat(promises.sample().heldLease()).isFalse();
    assertThat(promises.beginRace()).isTrue();
    promises.endRace(); // lost: no lease
    assertThat(promises.sample().heldLease()).isFalse();
    assertThat(promises.beginRace()).isTrue();
    lease.extend(7, now.get(), 6_000_000_000L);
    promises.endRace(); // won
    lease.clear(); // and lost again before the next sample: still held once
    assertThat(promises.sample().heldLease()).isTrue();
    // A lease adopted without a race (a restarted daemon taking over its predecessor's) shows at the next sample.
    FailsafePromises other = new FailsafePromises(lease, now::get, 0);
    lease.extend(7, now.get(), 6_000_000_000L);
    assertThat(other.sample().heldLease()).isTrue();
  }

  @Test
  void aShorterLaterPromiseDoesNotCutAnEarlierLongerOne() {
    promises.promise("node2", Duration.ofSeconds(30), Map.of());
    long until = promises.sample().promise().orElseThrow().untilNanos();
    now.addAndGet(1_000_000_000L);
    promises.promise("node2", Duration.ofSeconds(2), Map.of());
    assertThat(promises.sample().promise().orElseThrow().untilNanos()).isEqualTo(until);
  }

  @Test
  void aRoundExtendsOnlyALeaseStillValidWhenItWasSent() {
    lease.extend(7, 0, 6_000);
    assertThat(lease.extendHeld(7, 5_999, 6_000)).isTrue();
    assertThat(lease.deadlineNanos()).hasValue(11_999);
    // Sent at or after the deadline: the gap between would have been covered by nothing.
    assertThat(lease.extendHeld(7, 11_999, 6_000)).isFalse();
    assertThat(lease.deadlineNanos()).hasValue(11_999);
    // Another token (the lock was lost and taken again) or no lease: nothing.
    assertThat(lease.extendHeld(8, 10_000, 6_000)).isFalse();
    lease.clear();
    assertThat(lease.extendHeld(7, 10_000, 6_000)).isFalse();
    assertThat(lease.deadlineNanos()).isEmpty();
  }
}
