package io.pgquorum.backrest.run;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one program with an explicit argument list (no shell: nothing in a path or target is ever interpreted),
 * reading stdout and stderr on their own threads so a chatty process never blocks on a full pipe.
 */
final class ProcessExec {
  /** How it ended: an exit code, or {@code timedOut}, or {@code startError} when it never ran. */
  record Result(int exitCode, boolean timedOut, String startError, String stdout, String stderr, Duration took) {}

  private ProcessExec() {}

  static Result run(List<String> command, Duration timeout) {
    return run(command, timeout, java.util.Map.of());
  }

  /** As above, with {@code env} added to this process's environment (e.g. libpq's PGPASSFILE). */
  static Result run(List<String> command, Duration timeout, java.util.Map<String, String> env) {
    long start = System.nanoTime();
    Process p;
    try {
      ProcessBuilder b = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.PIPE);
      b.environment().putAll(env);
      p = b.start();
    } catch (IOException e) {
      return new Result(-1, false, e.getMessage(), "", "", Duration.ZERO);
    }
    try {
      p.getOutputStream().close(); // pgbackrest reads no input; a closed stdin keeps it from waiting on one
    } catch (IOException e) {
      // nothing to close any more
    }
    CompletableFuture<String> out = drain(p.getInputStream());
    CompletableFuture<String> err = drain(p.getErrorStream());
    boolean finished;
    try {
      finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      kill(p);
      Thread.currentThread().interrupt();
      return new Result(-1, true, null, "", "interrupted", elapsed(start));
    }
    if (!finished) {
      kill(p);
    }
    return new Result(finished ? p.exitValue() : -1, !finished, null, collect(out), collect(err), elapsed(start));
  }

  /**
   * Stops the process and its children: pgBackRest forks local helper processes (process-max) that would keep
   * files and the stanza lock otherwise.
   */
  private static void kill(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    try {
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * One new daemon thread per stream, never a shared pool: a drain blocks for as long as its process runs (a
   * restore: many minutes), so in a bounded pool (the common ForkJoin pool has cores-1 workers) two long runs
   * would queue a short run's drains behind them, and that run's output would be lost after collect's wait.
   */
  private static final java.util.concurrent.Executor DRAINS = task -> {
    Thread t = new Thread(task, "pgbackrest-output");
    t.setDaemon(true);
    t.start();
  };

  private static CompletableFuture<String> drain(InputStream in) {
    return CompletableFuture.supplyAsync(() -> {
      try (in) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "";
      }
    }, DRAINS);
  }

  private static String collect(CompletableFuture<String> f) {
    try {
      // The streams close when the process (and its children, killed above) exit.
      return f.get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    } catch (ExecutionException | TimeoutException e) {
      return "";
    }
  }

  private static Duration elapsed(long start) {
    return Duration.ofNanos(System.nanoTime() - start);
  }
}
