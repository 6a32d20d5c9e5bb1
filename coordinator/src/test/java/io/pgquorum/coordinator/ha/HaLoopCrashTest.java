package io.pgquorum.coordinator.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.coordinator.cluster.ClusterStore;
import io.pgquorum.coordinator.cluster.DcsKeys;
import io.pgquorum.coordinator.postgres.PgState.Role;
import io.pgquorum.dcs.memory.InMemoryDcs;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Hole 11 of issue 10: an {@link Error} in the HA loop's thread ends the loop as a crash that the daemon reports
 * (a fatal reason, hence a non-zero exit) after running the crash handler; an ordinary exception still only fails
 * one cycle.
 */
class HaLoopCrashTest {
  final InMemoryDcs dcs = new InMemoryDcs();
  final FakePostgres pg = new FakePostgres();
  final ClusterStore store = new ClusterStore(dcs.client("node1"), new DcsKeys("/service/t/"), "node1");
  final AtomicLong cycles = new AtomicLong();
  final AtomicReference<String> lastMessage = new AtomicReference<>("");
  final HaLoop loop = new HaLoop(TestConfigs.node("node1", LongStartTest.DYN), store, pg, new HeldLease(),
      new TaskRunner("node1"), urls -> java.util.Map.of(), System::nanoTime, s -> {
        cycles.set(s.cycles());
        lastMessage.set(s.message());
      });
  final Thread thread = new Thread(loop, "ha-loop-crash-test");

  @AfterEach
  void stop() throws InterruptedException {
    loop.halt();
    thread.join(10_000);
    dcs.close();
  }

  @Test
  void anErrorEndsTheLoopAsACrashAfterTheCrashHandler() throws Exception {
    AtomicInteger handled = new AtomicInteger();
    loop.onCrash(handled::incrementAndGet);
    pg.state = FakePostgres.running(Role.REPLICA, 0);
    thread.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> cycles.get() >= 1);
    pg.probeFailure = new StackOverflowError("deep recursion in a probe");
    assertThat(loop.awaitFinished(Duration.ofSeconds(10))).as("the loop ended").isTrue();
    assertThat(loop.fatalReason()).hasValueSatisfying(r -> assertThat(r)
        .contains("the HA loop stopped on an unexpected error").contains("StackOverflowError"));
    assertThat(handled.get()).isEqualTo(1);
  }

  @Test
  void anExceptionOnlyFailsOneCycle() throws Exception {
    pg.state = FakePostgres.running(Role.REPLICA, 0);
    thread.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> cycles.get() >= 1);
    pg.probeFailure = new IllegalStateException("probe hiccup");
    await().atMost(Duration.ofSeconds(10)).until(() -> lastMessage.get().equals("error: probe hiccup"));
    long after = cycles.get();
    await().atMost(Duration.ofSeconds(10)).until(() -> cycles.get() > after + 1);
    assertThat(loop.fatalReason()).isEmpty();
    assertThat(loop.awaitFinished(Duration.ZERO)).isFalse();
  }
}
