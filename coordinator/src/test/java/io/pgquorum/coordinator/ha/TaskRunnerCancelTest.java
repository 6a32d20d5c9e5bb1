package io.pgquorum.coordinator.ha;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link TaskRunner#cancel}: Patroni's cancellation of a long task, as {@code reinitialize force} uses it. */
class TaskRunnerCancelTest {
  @Test
  void aRunningTaskIsInterruptedEndsWithoutAFailureAndAnotherMayStart() throws Exception {
    TaskRunner tasks = new TaskRunner("node1");
    CountDownLatch began = new CountDownLatch(1);
    AtomicBoolean interrupted = new AtomicBoolean();
    AtomicInteger done = new AtomicInteger();
    assertThat(tasks.start(Task.CLONE, () -> {
      began.countDown();
      try {
        Thread.sleep(60_000); // a pg_basebackup that takes long
      } catch (InterruptedException e) {
        interrupted.set(true);
        throw new IllegalStateException("clone interrupted");
      }
    }, done::incrementAndGet)).isTrue();
    assertThat(began.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(tasks.start(Task.REINITIALIZE, () -> { }, () -> { })).as("one task at a time").isFalse();

    // Ending within the 10 s allowed, of a body that sleeps a minute, is the interruption (asserted next); how
    // fast is not this test's business.
    assertThat(tasks.cancel(Duration.ofSeconds(10))).isTrue();
    assertThat(interrupted).isTrue();
    assertThat(tasks.running()).isEmpty();
    assertThat(done).hasValue(1);
    assertThat(tasks.takeFailure()).as("a cancelled task is no failure").isEmpty();

    CountDownLatch ran = new CountDownLatch(1);
    assertThat(tasks.start(Task.REINITIALIZE, ran::countDown, () -> { })).isTrue();
    assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aTaskWhoseBodyHasNotBegunNeverRuns() {
    List<Runnable> launched = new ArrayList<>();
    TaskRunner tasks = new TaskRunner("node1", (name, work) -> launched.add(work));
    AtomicBoolean ran = new AtomicBoolean();
    AtomicInteger done = new AtomicInteger();
    tasks.start(Task.REJOIN, () -> ran.set(true), done::incrementAndGet);
    assertThat(tasks.running()).contains(Task.REJOIN);

    // Returns at once (the launcher would never run the body while we wait), with nothing running.
    assertThat(tasks.cancel(Duration.ofSeconds(30))).isTrue();
    assertThat(tasks.running()).isEmpty();
    launched.get(0).run();
    assertThat(ran).as("cancelled before it began").isFalse();
    assertThat(tasks.takeFailure()).isEmpty();
    assertThat(tasks.start(Task.REINITIALIZE, () -> { }, () -> { })).isTrue();
  }

  @Test
  void aTaskThatIgnoresTheInterruptIsWaitedForOnlyWithinTheBound() throws Exception {
    TaskRunner tasks = new TaskRunner("node1");
    CountDownLatch began = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    tasks.start(Task.RESTART, () -> {
      began.countDown();
      while (true) {
        try {
          if (release.await(10, TimeUnit.SECONDS)) {
            return;
          }
        } catch (InterruptedException ignored) {
          // a step that cannot be interrupted (a JDBC call bounded by its own timeout)
        }
      }
    }, () -> { });
    assertThat(began.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(tasks.cancel(Duration.ofMillis(300))).isFalse();
    assertThat(tasks.running()).contains(Task.RESTART);
    release.countDown();
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> tasks.running().isEmpty());
  }

  @Test
  void nothingRunningNothingToCancel() {
    assertThat(new TaskRunner("node1").cancel(Duration.ofSeconds(1))).isTrue();
  }
}
