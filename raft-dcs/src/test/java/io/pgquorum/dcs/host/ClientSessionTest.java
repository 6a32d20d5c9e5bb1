package io.pgquorum.dcs.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgquorum.dcs.api.DcsUnavailableException;
import io.pgquorum.dcs.api.Precondition;
import io.pgquorum.dcs.api.WriteResult;
import io.pgquorum.dcs.lease.LeaseTracker;
import io.pgquorum.dcs.proto.Command;
import io.pgquorum.dcs.proto.Query;
import io.pgquorum.dcs.proto.QueryReply;
import io.pgquorum.dcs.proto.Reply;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Exactly-once sessions as a client sees them. Found by the fault-injection harness: a client whose very first
 * write timed out before any member applied it got "session expired" for every later write, each reported as of
 * unknown outcome, although nothing of that session had ever been applied.
 */
class ClientSessionTest {
  private final StoreHost host = new StoreHost(new LeaseTracker(System::nanoTime, 0.0));
  private long index;

  /** A client over one store whose next {@code lost} submissions time out without being applied. */
  private class FlakyClient extends AbstractDcsClient {
    final AtomicInteger lost = new AtomicInteger();

    FlakyClient() {
      super("c");
    }

    @Override
    protected synchronized Reply submit(Command command) {
      if (lost.getAndDecrement() > 0) {
        throw new DcsUnavailableException("no majority answered (outcome unknown)", java.time.Duration.ofSeconds(2),
            null, null);
      }
      return host.apply(++index, command);
    }

    @Override
    protected QueryReply query(Query query) {
      return host.read(query.getReadPrefix().getPrefix());
    }

    @Override
    protected QueryReply queryLocal(Query query) {
      return query(query);
    }

    @Override
    public void close() {}
  }

  @Test
  void aFirstCommandLostBeforeAnyAnswerDoesNotPoisonTheNextOnes() {
    FlakyClient c = new FlakyClient();
    c.lost.set(1);
    assertThatThrownBy(() -> c.put("/k", "1")).isInstanceOf(DcsUnavailableException.class);
    WriteResult r = c.put("/k", "2", Precondition.none(), null);
    assertThat(r.succeeded()).isTrue();
    assertThat(c.get("/k")).hasValueSatisfying(kv -> assertThat(kv.value()).isEqualTo("2"));
  }

  @Test
  void aConfirmedSessionIsKeptAcrossALostCommand() {
    FlakyClient c = new FlakyClient();
    c.put("/k", "1");
    ClientSession confirmed = c.session();
    c.lost.set(1);
    assertThatThrownBy(() -> c.put("/k", "2")).isInstanceOf(DcsUnavailableException.class);
    // The session exists in the state machine: keeping it keeps exactly-once for retries of later commands.
    assertThat(c.session()).isSameAs(confirmed);
    assertThat(c.put("/k", "3").succeeded()).isTrue();
  }

  /**
   * A retry whose reply the session no longer holds (its bound overflowed while the command was retried) may have
   * been applied: the client must report an unknown outcome, not a refusal (which a caller, and the harness's
   * history, would read as "not applied").
   */
  @Test
  void aRetryWhoseReplyWasForgottenHasAnUnknownOutcome() {
    AbstractDcsClient c = new FlakyClient() {
      @Override
      protected synchronized Reply submit(Command command) {
        return Reply.newBuilder().setSucceeded(false).setFailure(io.pgquorum.dcs.proto.Failure.INVALID)
            .setDetail(io.pgquorum.dcs.statemachine.KvStore.REPLY_FORGOTTEN + " (seq " + command.getSeq() + ")")
            .build();
      }
    };
    assertThatThrownBy(() -> c.put("/k", "1"))
        .isInstanceOf(io.pgquorum.dcs.api.DcsException.class)
        .isNotInstanceOf(io.pgquorum.dcs.api.DcsRejectedException.class)
        .hasMessageContaining("outcome is unknown");
  }

  /**
   * Found by CI (bench/run.sh --quick, 16 concurrent writers on one client): one thread took seq n, a second took
   * seq n+1 and stamped acked_below = n+1 before seq n was recorded as outstanding, and the state machine then
   * refused the never-applied command n as "duplicate of an acknowledged command". The first thread is held right
   * after taking its seq; the second must not stamp an acked_below past it.
   */
  @Test
  void aConcurrentBeginNeverAcknowledgesACommandStillOutstanding() throws Exception {
    CountDownLatch firstHolds = new CountDownLatch(1);
    CountDownLatch releaseFirst = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    ClientSession session = new ClientSession(() -> {
      if (calls.incrementAndGet() == 1) {
        firstHolds.countDown();
        await(releaseFirst);
      }
    });
    AtomicReference<Command> first = new AtomicReference<>();
    AtomicReference<Command> second = new AtomicReference<>();
    Thread a = new Thread(() -> first.set(session.begin(Command.newBuilder())));
    a.start();
    await(firstHolds);
    Thread b = new Thread(() -> second.set(session.begin(Command.newBuilder())));
    b.start();
    // b either finishes (it did not wait for a: the race) or blocks behind a; either way a is then released.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (b.getState() != Thread.State.BLOCKED && b.getState() != Thread.State.WAITING
        && b.getState() != Thread.State.TERMINATED) {
      assertThat(System.nanoTime()).as("second begin neither finished nor waited within 10 s").isLessThan(deadline);
      Thread.onSpinWait();
    }
    releaseFirst.countDown();
    a.join(10_000);
    b.join(10_000);
    assertThat(first.get().getSeq()).isEqualTo(1L);
    assertThat(second.get().getSeq()).isEqualTo(2L);
    assertThat(second.get().getAckedBelow()).as("acked_below of seq 2 while seq 1 is outstanding").isEqualTo(1L);
  }

  private static void await(CountDownLatch latch) {
    try {
      assertThat(latch.await(10, TimeUnit.SECONDS)).as("latch released within 10 s").isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
