package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.postgres.PgState;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * How a cycle's probe of PostgreSQL runs against its DCS read: one after the other ({@link #INLINE}: the probe runs
 * when its result is asked for, after the read, on the caller's thread; the deterministic simulator and the unit
 * tests drive {@link HaLoop#cycle} this way), or at the same time ({@link #parallel()}: what {@link HaLoop#run}
 * uses).
 *
 * <p>Why at the same time: both are round trips to other processes (a linearizable read through the Raft leader,
 * a few queries on the kept PostgreSQL session), 5-40 ms each on a loaded 2-core machine, and a replica woken by the
 * leader key's release spends them both before it can race for the lock: the switchover's write gap.
 *
 * <p>Why the decision may take them in either order: each is a sample of its own system taken after the cycle
 * began and before the decision instant, which is all the decision assumes of them; neither is read to make the
 * other (the probe takes no argument from the snapshot). The lease arithmetic uses the send instants of DCS writes,
 * never the probe's. The probe was already concurrent with the tasks the loop runs in the background (a promotion
 * uses the same kept session), so it is safe to call from another thread.
 */
public interface ProbeAhead extends AutoCloseable {
  /** Starts {@code probe}; the supplier returned gives its result, or throws what it threw. */
  Supplier<PgState> start(Supplier<PgState> probe);

  @Override
  default void close() {}

  /** The probe runs when its result is asked for, on the asking thread. */
  ProbeAhead INLINE = probe -> probe;

  /** The probe starts at once on a thread of its own (one at a time: the loop asks for it before the next). */
  static ProbeAhead parallel() {
    ExecutorService pool = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "pgquorum-probe");
      t.setDaemon(true);
      return t;
    });
    return new ProbeAhead() {
      @Override
      public Supplier<PgState> start(Supplier<PgState> probe) {
        FutureTask<PgState> task = new FutureTask<>(probe::get);
        try {
          pool.execute(task);
        } catch (RejectedExecutionException e) {
          return probe; // closed: the loop is ending; probe inline
        }
        return () -> result(task);
      }

      @Override
      public void close() {
        pool.shutdownNow();
      }
    };
  }

  private static PgState result(FutureTask<PgState> task) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return task.get();
        } catch (InterruptedException e) {
          // The probe has its own time bounds; the cycle waits for it as it did when probing inline.
          interrupted = true;
        } catch (ExecutionException e) {
          if (e.getCause() instanceof RuntimeException re) {
            throw re;
          }
          if (e.getCause() instanceof Error err) {
            throw err;
          }
          throw new IllegalStateException("the probe failed: " + e.getCause(), e.getCause());
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
