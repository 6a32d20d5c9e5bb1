package io.pgquorum.jepsen.runner;

import io.pgquorum.jepsen.fault.Schedule;
import io.pgquorum.jepsen.fault.ScheduleJson;
import io.pgquorum.jepsen.history.History;
import io.pgquorum.jepsen.history.Op;
import io.pgquorum.jepsen.nemesis.Nemesis;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/** Small pieces both trials share. */
final class Runs {
  private Runs() {
  }

  /**
   * {@code dir} itself when it does not exist or is empty, else the first free {@code dir-2}, {@code dir-3}, ...
   * A run never reuses another run's directory: a leftover data directory or Raft log would start a different
   * cluster than the schedule describes, and the earlier run's evidence would be overwritten.
   */
  static Path fresh(Path dir) {
    Path candidate = dir;
    for (int i = 2; exists(candidate); i++) {
      candidate = dir.resolveSibling(dir.getFileName() + "-" + i);
    }
    return candidate;
  }

  private static boolean exists(Path p) {
    if (!Files.exists(p)) {
      return false;
    }
    try (java.util.stream.Stream<Path> s = Files.list(p)) {
      return s.findAny().isPresent();
    } catch (IOException e) {
      return true;
    }
  }

  static void prepare(Path dir, Schedule schedule) {
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("schedule.json"), ScheduleJson.write(schedule));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the run directory " + dir, e);
    }
  }

  /**
   * Harness time of the last fault revert (the nemesis's last {@code stop-*} event), or of its first event when
   * the schedule had no steps. Measured from the history rather than the plan, so the availability bound starts
   * when the network really healed.
   */
  static long lastHealNanos(History h) {
    long last = -1;
    long first = -1;
    for (Op op : h.byProcess(Nemesis.PROCESS)) {
      if (first < 0) {
        first = op.timeNanos();
      }
      if (op.f().startsWith("stop-")) {
        last = op.timeNanos();
      }
    }
    return last >= 0 ? last : Math.max(first, 0);
  }

  /** The exact command that replays this run (its saved schedule, same target). */
  static String replay(String targetAndOptions, Path dir) {
    return "bin/jepsen-run --target " + targetAndOptions + " --schedule " + dir.toAbsolutePath().normalize()
        .resolve("schedule.json");
  }

  /**
   * Deletes a passed run's bulky state (PostgreSQL data directories, Raft logs) and keeps the evidence (history,
   * report, schedule, logs), so hundreds of runs fit on disk. Failed runs are kept whole.
   */
  static void pruneBulk(Path dir) {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
      List<Path> bulky = walk.filter(Files::isDirectory)
          .filter(p -> Set.of("pgdata", "raft", "data").contains(p.getFileName().toString()))
          .toList();
      for (Path b : bulky) {
        try (java.util.stream.Stream<Path> inner = Files.walk(b)) {
          inner.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prune " + dir, e);
    }
  }

  /** Runs {@code body} on a daemon thread named {@code name}; failures are rethrown by {@link Background#join}. */
  static Background background(String name, Runnable body) {
    Background b = new Background(body);
    Thread t = new Thread(b, name);
    t.setDaemon(true);
    b.thread = t;
    t.start();
    return b;
  }

  static final class Background implements Runnable {
    private final Runnable body;
    private Thread thread;
    private volatile RuntimeException failure;

    Background(Runnable body) {
      this.body = body;
    }

    @Override
    public void run() {
      try {
        body.run();
      } catch (RuntimeException e) {
        failure = e;
      }
    }

    void join(long timeoutMillis) {
      try {
        thread.join(timeoutMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + thread.getName(), e);
      }
      if (thread.isAlive()) {
        thread.interrupt();
        throw new IllegalStateException(thread.getName() + " did not finish within " + timeoutMillis + " ms");
      }
      if (failure != null) {
        throw failure;
      }
    }
  }
}
