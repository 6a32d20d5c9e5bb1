package io.pgquorum.coordinator.ha;

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

  /** Starts {@code body} unless a task is already running (then returns false). */
  public boolean start(Task task, Body body, Runnable onDone) {
    if (!running.compareAndSet(null, task)) {
      return false;
    }
    String name = task.label();
    launcher.launch("task-" + name.replace(' ', '-') + "-" + nodeName, () -> {
      try {
        body.run();
        log.info("{} finished", name);
      } catch (Exception e) {
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        log.error("{} failed: {}", name, msg);
        failure.set(task.failure(msg));
      } finally {
        running.set(null);
        onDone.run();
      }
    });
    return true;
  }

  public Optional<Task> running() {
    return Optional.ofNullable(running.get());
  }

  /** The last failure, once: the decision reports it and retries or gives up. */
  public Optional<String> takeFailure() {
    return Optional.ofNullable(failure.getAndSet(null));
  }
}
