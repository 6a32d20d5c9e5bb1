package io.pgquorum.coordinator.ha;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The mailbox between the REST threads and the HA loop. */
class OperatorRequestsTest {
  private final AtomicInteger wakes = new AtomicInteger();
  private final OperatorRequests box = new OperatorRequests(wakes::incrementAndGet);

  @Test
  void aRequestIsTakenOnceInOrderAndItsAnswerCompletesTheCallersFuture() {
    long id = box.nextId();
    CompletableFuture<OperatorRequests.Reply> f = box.post(new LocalRequest.Reinitialize(id, false, true));
    box.post(new LocalRequest.CancelRestart(box.nextId()));
    assertThat(wakes).as("each post wakes the loop").hasValue(2);
    assertThat(box.pending()).isTrue();
    assertThat(box.take()).contains(new LocalRequest.Reinitialize(id, false, true));
    assertThat(f).isNotDone();
    box.answer(id, new OperatorRequests.Reply(200, "reinitialize started"));
    assertThat(f).isCompletedWithValue(new OperatorRequests.Reply(200, "reinitialize started"));
    assertThat(box.take()).containsInstanceOf(LocalRequest.CancelRestart.class);
    assertThat(box.take()).isEmpty();
    assertThat(box.pending()).isFalse();
  }

  @Test
  void aForgottenRequestsLateAnswerIsDropped() {
    long id = box.nextId();
    CompletableFuture<OperatorRequests.Reply> f = box.post(new LocalRequest.Reload(id));
    box.forget(id);
    box.answer(id, new OperatorRequests.Reply(202, "reload scheduled"));
    assertThat(f).isNotDone();
  }

  @Test
  void reloadsNobodyWaitsForAreNotQueuedTwice() {
    box.post(new LocalRequest.Reload(0));
    box.post(new LocalRequest.Reload(0));
    assertThat(box.take()).contains(new LocalRequest.Reload(0));
    assertThat(box.take()).isEqualTo(Optional.empty());
  }
}
