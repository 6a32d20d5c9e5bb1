package io.pgquorum.coordinator.ha;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The mailbox between the REST threads (and SIGHUP) and the HA loop for {@link LocalRequest}s. A request is posted
 * with an id; the loop takes one per cycle ({@link #take()}) and answers it once the decision's plan says how it
 * went ({@link #answer}). The caller waits on the future with its own bound: the loop never blocks on a caller.
 */
public final class OperatorRequests {
  /** An answer: Patroni's status and text. */
  public record Reply(int status, String text) {}

  private final AtomicLong ids = new AtomicLong();
  private final ArrayDeque<LocalRequest> queue = new ArrayDeque<>();
  private final Map<Long, CompletableFuture<Reply>> waiting = new ConcurrentHashMap<>();
  private final Runnable wake;

  /** @param wake asks the loop for an early cycle, so a request does not wait for loop_wait */
  public OperatorRequests(Runnable wake) {
    this.wake = wake;
  }

  /** A fresh id for a request about to be posted. */
  public long nextId() {
    return ids.incrementAndGet();
  }

  /** Posts {@code request}; the future completes when the loop answers it (never, if nobody waits: id 0). */
  public CompletableFuture<Reply> post(LocalRequest request) {
    CompletableFuture<Reply> f = new CompletableFuture<>();
    if (request.id() != 0) {
      waiting.put(request.id(), f);
    }
    synchronized (queue) {
      // One reload nobody waits for is as good as several: a second one queued behind it changes nothing.
      boolean repeated = request instanceof LocalRequest.Reload && request.id() == 0
          && queue.stream().anyMatch(r -> r instanceof LocalRequest.Reload && r.id() == 0);
      if (!repeated) {
        queue.add(request);
      }
    }
    wake.run();
    return f;
  }

  /** The oldest request not yet taken (the loop's thread). */
  Optional<LocalRequest> take() {
    synchronized (queue) {
      return Optional.ofNullable(queue.poll());
    }
  }

  /** Whether requests wait (the loop then cycles again at once). */
  boolean pending() {
    synchronized (queue) {
      return !queue.isEmpty();
    }
  }

  /** Completes the request {@code id}'s future (nothing when nobody waits any more). */
  void answer(long id, Reply reply) {
    CompletableFuture<Reply> f = waiting.remove(id);
    if (f != null) {
      f.complete(reply);
    }
  }

  /** Gives up waiting for {@code id} (its caller timed out): a later answer is dropped. */
  public void forget(long id) {
    waiting.remove(id);
  }
}
