package io.pgquorum.jepsen.dcs;

import io.pgquorum.dcs.api.Dcs;
import io.pgquorum.dcs.api.DcsRejectedException;
import io.pgquorum.jepsen.history.HistoryRecorder;
import io.pgquorum.jepsen.history.Op;
import io.pgquorum.jepsen.history.OpType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Runs a {@link DcsWorkload}: one thread per client, each invoking operations back to back until a deadline and
 * recording every invocation and completion.
 *
 * <p>Outcomes:
 * <ul>
 *   <li>OK / FAIL as the workload decided (a compare-and-set whose condition failed is a FAIL);
 *   <li>{@link DcsRejectedException} (the DCS refused the request as malformed) is a definite FAIL;
 *   <li>any other failure (timeout, {@link io.pgquorum.dcs.api.DcsUnavailableException}, lost session) of an
 *       operation that can change state is INFO, outcome unknown, and the thread continues as a new process
 *       (Jepsen's rule: a process never has two open operations, and an INFO op stays open forever). Process
 *       numbers come from a {@link ProcessIds} that concurrent runs on one recorder share, so they never collide;
 *   <li>the same failure of a read-only operation is a FAIL: a read has no effect, so "it did not happen" is
 *       exact, and it spares the checker an operation that would stay concurrent with everything after it.
 * </ul>
 */
public final class Workloads {

  private Workloads() {
  }

  /** What a run did (client operations by completion type). */
  public record Stats(long invoked, long ok, long fail, long info) {
    @Override
    public String toString() {
      return invoked + " invoked: " + ok + " ok, " + fail + " fail, " + info + " info";
    }
  }

  /** Hands out client process names {@code c0, c1, ...}; share one between runs recording into one history. */
  public static final class ProcessIds {
    private final AtomicLong next = new AtomicLong();

    /** A process name never handed out before by this allocator. */
    public String next() {
      return "c" + next.getAndIncrement();
    }
  }

  /** As {@link #run(HistoryRecorder, List, DcsWorkload, long, long, ProcessIds)} with its own process ids. */
  public static Stats run(HistoryRecorder recorder, List<? extends Dcs> clients, DcsWorkload workload,
      long durationMillis, long seed) {
    return run(recorder, clients, workload, durationMillis, seed, new ProcessIds());
  }

  /**
   * Runs {@code workload} with one thread per client in {@code clients} for {@code durationMillis}, recording
   * into {@code recorder}; thread {@code i} draws from {@code new Random(seed + i)}. Returns when every thread has
   * finished its last operation (an operation started before the deadline runs to its own timeout).
   */
  public static Stats run(HistoryRecorder recorder, List<? extends Dcs> clients, DcsWorkload workload,
      long durationMillis, long seed, ProcessIds ids) {
    if (durationMillis <= 0) {
      throw new IllegalArgumentException("duration must be > 0 ms, got " + durationMillis);
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(durationMillis);
    return runUntil(recorder, clients, workload, () -> System.nanoTime() >= deadline, seed, ids);
  }

  /**
   * As {@link #run(HistoryRecorder, List, DcsWorkload, long, long, ProcessIds)}, but until {@code stop} says so
   * (checked before every invocation), for runs whose length a fault schedule decides.
   */
  public static Stats runUntil(HistoryRecorder recorder, List<? extends Dcs> clients, DcsWorkload workload,
      BooleanSupplier stop, long seed, ProcessIds ids) {
    if (clients.isEmpty()) {
      throw new IllegalArgumentException("at least one client is required");
    }
    int n = clients.size();
    AtomicLong invoked = new AtomicLong();
    AtomicLong ok = new AtomicLong();
    AtomicLong fail = new AtomicLong();
    AtomicLong info = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    List<Throwable> crashes = new java.util.concurrent.CopyOnWriteArrayList<>();
    for (int w = 0; w < n; w++) {
      int worker = w;
      Dcs dcs = clients.get(w);
      DcsWorkload.Client client = workload.client(worker, n, new Random(seed + worker), dcs);
      String first = ids.next();
      Thread t = new Thread(() -> {
        String process = first;
        while (!stop.getAsBoolean() && !Thread.currentThread().isInterrupted()) {
          DcsWorkload.Invocation inv = client.next();
          Op invoke = recorder.record(Op.of(process, OpType.INVOKE, inv.f(), inv.key(), inv.value(), null,
              null));
          invoked.incrementAndGet();
          OpType type;
          Object value;
          String error;
          try {
            DcsWorkload.Completion c = client.apply(dcs, inv);
            type = c.type();
            value = c.value();
            error = c.error();
          } catch (DcsRejectedException e) {
            type = OpType.FAIL;
            value = inv.value();
            error = describe(e);
          } catch (RuntimeException e) {
            type = inv.readOnly() ? OpType.FAIL : OpType.INFO;
            value = inv.value();
            error = describe(e);
          }
          recorder.record(invoke.complete(type, value, error));
          (type == OpType.OK ? ok : type == OpType.FAIL ? fail : info).incrementAndGet();
          client.observe(inv, type, value);
          if (type == OpType.INFO) {
            process = ids.next();
          }
        }
      }, "jepsen-" + workload.name() + "-" + worker);
      t.setDaemon(true);
      t.setUncaughtExceptionHandler((th, e) -> crashes.add(e));
      threads.add(t);
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      try {
        t.join(); // bounded: each thread ends within one DCS operation timeout of stop
      } catch (InterruptedException e) {
        threads.forEach(Thread::interrupt);
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while the " + workload.name() + " workload ran", e);
      }
    }
    if (!crashes.isEmpty()) {
      throw new IllegalStateException("a client thread of the " + workload.name() + " workload crashed",
          crashes.get(0));
    }
    return new Stats(invoked.get(), ok.get(), fail.get(), info.get());
  }

  private static String describe(RuntimeException e) {
    String m = e.getClass().getSimpleName() + ": " + e.getMessage();
    return m.length() > 300 ? m.substring(0, 300) + "..." : m;
  }
}
