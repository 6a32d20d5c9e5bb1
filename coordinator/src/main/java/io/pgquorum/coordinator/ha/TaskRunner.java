package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.postgres.CopyRefusedException;
import io.pgquorum.coordinator.postgres.RefusedCopy;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one long operation (bootstrap, clone, rejoin) at a time in the background, so the HA loop keeps cycling
 * (and a lock holder keeps refreshing its lease) while it runs. The loop reads {@link #running()} and
 * {@link #takeFailure()} as inputs to the next decision.
 */
public final class TaskRunner {
  private static final Logger log = LoggerFactory.getLogger(TaskRunner.class);
  private final AtomicReference<Task> running = new AtomicReference<>();
  private final AtomicReference<String> failure = new AtomicReference<>();
  /** A copy PostgreSQL refused; kept (not taken once) until the next task starts, so a backed-off cycle loses none. */
  private final AtomicReference<RefusedCopy> refusal = new AtomicReference<>();
  /** The task started last, until it ended: what {@link #cancel} acts on. */
  private final AtomicReference<Run> current = new AtomicReference<>();
  /** How many tasks ended (successfully or not) so far: see {@link #ended}. */
  private final java.util.concurrent.atomic.AtomicLong ended = new java.util.concurrent.atomic.AtomicLong();
  private final String nodeName;
  private final Launcher launcher;

  /** Where a task's body runs: a thread of its own in the daemon; wherever a test driver says in a simulation. */
  @FunctionalInterface
  public interface Launcher {
    /** Runs {@code work} (which never throws) eventually, off the caller's stack; {@code name} names its thread. */
    void launch(String name, Runnable work);
  }

  /** The daemon's runner: every task on a daemon thread of its own. */
  public TaskRunner(String nodeName) {
    this(nodeName, (name, work) -> {
      Thread t = new Thread(work, name);
      t.setDaemon(true);
      t.start();
    });
  }

  /**
   * A runner whose task bodies run where {@code launcher} puts them. Why: the deterministic simulator decides when
   * a body runs (and so what the loop's cycles see meanwhile), which a real thread would leave to the scheduler.
   */
  public TaskRunner(String nodeName, Launcher launcher) {
    this.nodeName = nodeName;
    this.launcher = launcher;
  }

  /** Body of a task; throws to report failure. */
  @FunctionalInterface
  public interface Body {
    void run() throws Exception;
  }

  /**
   * One started task's lifecycle: NEW until its body begins (or it is cancelled before), then RUNNING on
   * {@link #thread}, then ENDED. Why a state rather than a flag: a cancel that comes before the body began must
   * end the task at once (the simulator's launcher runs bodies only when its driver says, never while the loop
   * waits), and one that comes while it runs must interrupt exactly that thread.
   */
  private static final class Run {
    static final int NEW = 0;
    static final int RUNNING = 1;
    static final int CANCELLED = 2;
    final java.util.concurrent.atomic.AtomicInteger state = new java.util.concurrent.atomic.AtomicInteger(NEW);
    final java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);
    volatile boolean cancelRequested;
    volatile Thread thread;
  }

  /** Starts {@code body} unless a task is already running (then returns false). */
  public boolean start(Task task, Body body, Runnable onDone) {
    if (!running.compareAndSet(null, task)) {
      return false;
    }
    String name = task.label();
    refusal.set(null);
    Run run = new Run();
    current.set(run);
    launcher.launch("task-" + name.replace(' ', '-') + "-" + nodeName, () -> {
      run.thread = Thread.currentThread();
      if (!run.state.compareAndSet(Run.NEW, Run.RUNNING)) {
        return; // cancelled before it began: cancel() already ended it
      }
      try {
        body.run();
        log.info("{} finished", name);
      } catch (Exception e) {
        if (run.cancelRequested) {
          // Cancelled on purpose: not a failure the decision should count or retry.
          log.warn("{} cancelled: {}", name, e.getMessage());
        } else {
          String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
          log.error("{} failed: {}", name, msg);
          failure.set(task.failure(msg));
          if (e instanceof CopyRefusedException c) {
            refusal.set(c.refused());
          }
        }
      } finally {
        if (run.cancelRequested) {
          Thread.interrupted(); // the interrupt was for this task only, not for whatever the thread runs next
        }
        current.compareAndSet(run, null);
        running.set(null);
        ended.incrementAndGet();
        try {
          onDone.run();
        } finally {
          run.ended.countDown(); // last: a cancel() that returns finds the task wholly ended
        }
      }
    });
    return true;
  }

  /**
   * Cancels the running task, Patroni's {@code AsyncExecutor.cancel}: a task whose body has not begun never runs;
   * a running one is interrupted, which kills the tool it waits for ({@code ProcessRunner}) and ends its polling
   * waits, and is waited for at most {@code bound}. A cancelled task reports no failure. A PostgreSQL it had
   * started keeps running (the caller's next step decides about it).
   *
   * @return true when no task runs any more
   */
  public boolean cancel(java.time.Duration bound) {
    Run run = current.get();
    Optional<Task> task = running();
    if (run == null || task.isEmpty()) {
      return running().isEmpty();
    }
    log.warn("Cancelling long running task {}", task.get().label());
    run.cancelRequested = true;
    if (run.state.compareAndSet(Run.NEW, Run.CANCELLED)) {
      current.compareAndSet(run, null);
      running.set(null);
      run.ended.countDown();
      return true;
    }
    Thread t = run.thread;
    if (t != null) {
      t.interrupt();
    }
    try {
      if (!run.ended.await(bound.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
        log.warn("{} did not end within {} s of its cancellation", task.get().label(), bound.toSeconds());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return running().isEmpty();
  }

  /** How many task bodies ended so far; a caller tells from a change that one ended since it last looked. */
  public long ended() {
    return ended.get();
  }

  public Optional<Task> running() {
    return Optional.ofNullable(running.get());
  }

  /** The copy PostgreSQL refused at the last task's start of it, until another task starts. */
  public Optional<RefusedCopy> refusal() {
    return Optional.ofNullable(refusal.get());
  }

  /** The last failure, once: the decision reports it and retries or gives up. */
  public Optional<String> takeFailure() {
    return Optional.ofNullable(failure.getAndSet(null));
  }
}
