package io.pgquorum.jepsen.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgquorum.jepsen.dcs.LeaseWorkload;
import io.pgquorum.jepsen.history.HistoryRecorder;
import io.pgquorum.jepsen.history.Op;
import io.pgquorum.jepsen.history.OpType;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link DcsTrial#awaitHeldLease}: a planted-bug trial's schedule starts only after an acknowledged acquisition. */
class DcsTrialReadinessTest {
  private static final String LEASE_KEY = LeaseWorkload.KEY_PREFIX + "/0";

  @Test
  void returnsOnceALeaseAcquisitionIsAcknowledged() throws Exception {
    HistoryRecorder recorder = new HistoryRecorder();
    Op invoke = recorder.record(Op.of("lease-0", OpType.INVOKE, "acquire", LEASE_KEY, "lease-0", "n1", null));
    CompletableFuture<Void> waiting = CompletableFuture.runAsync(
        () -> DcsTrial.awaitHeldLease(recorder, Duration.ofSeconds(30)));
    assertThat(waiting).isNotDone(); // an invocation alone holds no lease
    recorder.record(invoke.complete(OpType.OK, 1L, null));
    waiting.get(30, TimeUnit.SECONDS);
  }

  @Test
  void failedAcquisitionsAndOtherKeysDoNotCountAndTheWaitEndsWithAnErrorNamingWhy() {
    HistoryRecorder recorder = new HistoryRecorder();
    Op lease = recorder.record(Op.of("lease-0", OpType.INVOKE, "acquire", LEASE_KEY, "lease-0", "n1", null));
    recorder.record(lease.complete(OpType.FAIL, null, "held by another"));
    Op unknown = recorder.record(Op.of("lease-1", OpType.INVOKE, "acquire", LEASE_KEY, "lease-1", "n1", null));
    recorder.record(unknown.complete(OpType.INFO, null, "timed out"));
    Op lock = recorder.record(Op.of("lock-0", OpType.INVOKE, "acquire", "jepsen/lock/0", "lock-0", "n1", null));
    recorder.record(lock.complete(OpType.OK, 1L, null));
    assertThatThrownBy(() -> DcsTrial.awaitHeldLease(recorder, Duration.ofMillis(200)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no lease client acquired a lease within");
  }
}
