package io.pgquorum.bench.dcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SamplerTest {

  @Test
  void sequentialRunsEveryOperationOnceAndTimesEach() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Sampler.Batch b = Sampler.sequential(50, i -> assertThat(calls.getAndIncrement()).isEqualTo(i));

    assertThat(calls).hasValue(50);
    assertThat(b.latenciesMs()).hasSize(50);
    assertThat(java.util.Arrays.stream(b.latenciesMs())).allMatch(v -> v >= 0);
    assertThat(b.opsPerSecond()).isPositive();
  }

  @Test
  void closedLoopRunsEveryWorkerItsOperations() throws Exception {
    ConcurrentHashMap<Integer, AtomicInteger> perWorker = new ConcurrentHashMap<>();
    Sampler.Batch b = Sampler.closedLoop(8, 25,
        w -> i -> perWorker.computeIfAbsent(w, k -> new AtomicInteger()).incrementAndGet());

    assertThat(b.latenciesMs()).hasSize(200);
    assertThat(perWorker).hasSize(8).allSatisfy((w, n) -> assertThat(n).hasValue(25));
  }

  @Test
  void aFailedOperationFailsTheMeasurement() {
    assertThatThrownBy(() -> Sampler.sequential(10, i -> {
      if (i == 3) {
        throw new IllegalStateException("refused");
      }
    })).hasMessage("refused");
    assertThatThrownBy(() -> Sampler.closedLoop(4, 10, w -> i -> {
      if (w == 2 && i == 5) {
        throw new IllegalStateException("worker 2 refused");
      }
    })).hasMessage("worker 2 refused");
  }

  @Test
  void throughputIsOperationsPerSecond() {
    assertThat(Sampler.opsPerSecond(500, 2_000_000_000L)).isEqualTo(250.0);
  }

  @Test
  void batchOrderRotatesSoEachContenderGoesFirstEquallyOften() {
    assertThat(DcsBench.order(2, 0)).containsExactly(0, 1);
    assertThat(DcsBench.order(2, 1)).containsExactly(1, 0);
    assertThat(DcsBench.order(3, 1)).containsExactly(1, 2, 0);
    int[] first = new int[3];
    for (int b = 0; b < 9; b++) {
      first[DcsBench.order(3, b).get(0)]++;
      assertThat(DcsBench.order(3, b)).containsExactlyInAnyOrder(0, 1, 2);
    }
    assertThat(first).containsExactly(3, 3, 3);
  }
}
