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

  public TaskRunner(String nodeName) {
    this.nodeName = nodeName;
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
    Thread t = new Thread(() -> {
      try {
        body.run();
        log.info("{} finished", name);
      } catch (Exception e) {
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        log.error("{} failed: {}", name, msg);
        failure.set(name + " failed: " + msg);
      } finally {
        running.set(null);
        onDone.run();
      }
    }, "task-" + name.replace(' ', '-') + "-" + nodeName);
    t.setDaemon(true);
    t.start();
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
