package io.pgquorum.bench.sync;

import io.pgquorum.bench.failover.HaCluster;
import io.pgquorum.bench.failover.SyncInEffect;
import io.pgquorum.jepsen.stack.PgClusterSpec.SyncMode;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks, all through a measurement, that the primary's PostgreSQL keeps replicating in the mode being measured:
 * a standby dropped from synchronous duty halfway (non-strict {@code on} falls back to asynchronous) would make
 * the rest of the run measure asynchronous commits under a synchronous label. Polls every
 * {@value #INTERVAL_MS} ms on its own connection; a poll that cannot ask counts as a problem too.
 */
final class ModeWatch implements AutoCloseable {
  static final long INTERVAL_MS = 500;

  private final HaCluster cluster;
  private final int primary;
  private final SyncMode mode;
  private final List<String> problems = new ArrayList<>();
  private final Thread thread;
  private volatile boolean stop;
  private int polls;

  ModeWatch(HaCluster cluster, int primary, SyncMode mode) {
    this.cluster = cluster;
    this.primary = primary;
    this.mode = mode;
    this.thread = new Thread(this::poll, "bench-sync-watch");
    thread.setDaemon(true);
    thread.start();
  }

  private void poll() {
    Connection conn = null;
    try {
      while (!stop) {
        try {
          if (conn == null) {
            conn = cluster.connect(primary, 5, 10);
          }
          String p = SyncInEffect.problem(mode, SyncInEffect.observe(conn));
          record(p);
        } catch (SQLException e) {
          record("could not ask " + cluster.name(primary) + ": " + e.getMessage());
          close(conn);
          conn = null;
        }
        Thread.sleep(INTERVAL_MS); // the sampling period of the check, not a wait for a condition
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      close(conn);
    }
  }

  private synchronized void record(String problem) {
    polls++;
    if (problem != null && problems.size() < 5) {
      problems.add(problem);
    }
  }

  /**
   * Stops polling, asks once more on a fresh connection (so that every run has a poll at its end, however short
   * it was) and returns what the watch saw.
   */
  Verdict finish() throws InterruptedException {
    close();
    try (Connection conn = cluster.connect(primary, 5, 10)) {
      record(SyncInEffect.problem(mode, SyncInEffect.observe(conn)));
    } catch (SQLException e) {
      record("could not ask " + cluster.name(primary) + ": " + e.getMessage());
    }
    synchronized (this) {
      return new Verdict(polls, List.copyOf(problems));
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop = true;
    thread.interrupt();
    thread.join(15_000);
  }

  /**
   * What the watch saw.
   *
   * @param polls how many times it asked
   * @param problems the first few answers that were not the mode (empty: the mode held at every poll)
   */
  record Verdict(int polls, List<String> problems) {}

  private static void close(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException e) {
        // closing a connection of a poll that already failed; nothing to report
      }
    }
  }
}
