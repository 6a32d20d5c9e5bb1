package io.pgquorum.bench.failover;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One failover trial on a healthy cluster: a writer per surviving node inserts every {@value #WRITE_INTERVAL_MS}
 * ms (short timeouts, reconnecting after any error), an observer per surviving node polls the DCS's leader key
 * every {@value #POLL_INTERVAL_MS} ms ({@link HaCluster#dcsLeader}: a linearizable read straight from the DCS for
 * both systems), then the fault hits the primary's node. A read the DCS does not answer (no leader, no majority)
 * is never taken for "key gone"; such reads are kept to report the DCS's outage ({@link DcsOutage}). The trial ends at
 * the first committed insert on a node that is not the old primary. It does not restart anything: the caller does.
 */
public final class FailoverTrial {
  static final long WRITE_INTERVAL_MS = 20;
  static final long POLL_INTERVAL_MS = 20;

  /** What hits the primary's node. */
  public enum Fault {
    /** kill -9 of everything on the node ({@link HaCluster#killNode}). */
    KILL9,
    /** SIGTERM of the coordinator process only ({@link HaCluster#terminateCoordinator}). */
    SIGTERM
  }

  private FailoverTrial() {}

  /**
   * Runs one trial.
   *
   * @throws IllegalStateException when there is no primary to start from, or no survivor accepted a write within
   *     {@code deadline}
   */
  public static TrialResult run(HaCluster c, Fault fault, Duration deadline) {
    int old = c.primary();
    if (old < 0) {
      throw new IllegalStateException("no single primary to fail over from");
    }
    String oldName = c.name(old);
    List<Integer> survivors = new ArrayList<>();
    for (int i = 0; i < c.size(); i++) {
      if (i != old) {
        survivors.add(i);
      }
    }
    AtomicLong faultAt = new AtomicLong(Long.MAX_VALUE);
    AtomicLong firstWrite = new AtomicLong(Long.MAX_VALUE);
    AtomicInteger writtenOn = new AtomicInteger(-1);
    AtomicLong keyGone = new AtomicLong(Long.MAX_VALUE);
    AtomicLong newLeader = new AtomicLong(Long.MAX_VALUE);
    ConcurrentLinkedQueue<DcsOutage.Read> reads = new ConcurrentLinkedQueue<>();
    CountDownLatch warm = new CountDownLatch(survivors.size() * 2);
    CountDownLatch done = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int node : survivors) {
      threads.add(new Thread(() -> write(c, node, faultAt, firstWrite, writtenOn, warm, done),
          "bench-writer-" + c.name(node)));
      threads.add(new Thread(() -> observe(c, node, oldName, survivors, faultAt, keyGone, newLeader, reads, warm, done),
          "bench-observer-" + c.name(node)));
    }
    threads.forEach(Thread::start);
    try {
      if (!warm.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("writers and observers did not get going within 30 s");
      }
      faultAt.set(System.nanoTime());
      if (fault == Fault.KILL9) {
        c.killNode(old);
      } else {
        c.terminateCoordinator(old);
      }
      if (!done.await(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("no survivor of " + c.system() + " accepted a write within "
            + deadline.toSeconds() + " s after " + fault + " of " + oldName + c.diagnostics());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } finally {
      done.countDown();
      for (Thread t : threads) {
        t.interrupt();
      }
      for (Thread t : threads) {
        try {
          t.join(10_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    long gone = keyGone.get();
    long elected = newLeader.get();
    Phases p = Phases.of(faultAt.get(), gone == Long.MAX_VALUE ? -1 : gone,
        elected == Long.MAX_VALUE ? -1 : elected, firstWrite.get());
    return new TrialResult(old, writtenOn.get(), p, gone < Math.min(elected, firstWrite.get()),
        elected <= firstWrite.get(), DcsOutage.of(faultAt.get(), List.copyOf(reads)));
  }

  private static void write(HaCluster c, int node, AtomicLong faultAt, AtomicLong firstWrite,
      AtomicInteger writtenOn, CountDownLatch warm, CountDownLatch done) {
    Connection conn = null;
    boolean warmed = false;
    try {
      while (done.getCount() > 0) {
        try {
          if (conn == null) {
            conn = c.connect(node, 1, 1);
          }
          try (PreparedStatement s = conn.prepareStatement("INSERT INTO " + ClusterHealth.TABLE
              + " (node) VALUES (?)")) {
            s.setString(1, c.name(node));
            s.executeUpdate();
          }
          long now = System.nanoTime();
          if (now >= faultAt.get() && firstWrite.compareAndSet(Long.MAX_VALUE, now)) {
            writtenOn.set(node);
            done.countDown();
          }
        } catch (SQLException e) {
          // a replica refuses writes (read-only), a dead server refuses connections: keep trying. A connection
          // to a replica stays usable after its promotion, so only a broken one is replaced.
          if (conn != null && isBroken(conn)) {
            close(conn);
            conn = null;
          }
        }
        if (!warmed) {
          warmed = true;
          warm.countDown();
        }
        if (!pause(WRITE_INTERVAL_MS)) {
          return;
        }
      }
    } finally {
      if (!warmed) {
        warm.countDown();
      }
      close(conn);
    }
  }

  private static void observe(HaCluster c, int via, String oldName, List<Integer> survivors, AtomicLong faultAt,
      AtomicLong keyGone, AtomicLong newLeader, ConcurrentLinkedQueue<DcsOutage.Read> reads, CountDownLatch warm,
      CountDownLatch done) {
    boolean warmed = false;
    try {
      while (done.getCount() > 0) {
        String leader = c.dcsLeader(via);
        long now = System.nanoTime();
        if (done.getCount() == 0) {
          // The trial ended while this read was in flight: the end interrupts observers, and an interrupted read
          // returns no answer; that is not the DCS being unavailable, and the trial is measured to the first write.
          return;
        }
        if (now >= faultAt.get()) {
          reads.add(new DcsOutage.Read(now, leader != null));
        }
        if (leader != null && now >= faultAt.get() && !leader.equals(oldName)) {
          keyGone.accumulateAndGet(now, Math::min);
          for (int s : survivors) {
            if (c.name(s).equals(leader)) {
              newLeader.accumulateAndGet(now, Math::min);
            }
          }
        }
        if (!warmed) {
          warmed = true;
          warm.countDown();
        }
        if (!pause(POLL_INTERVAL_MS)) {
          return;
        }
      }
    } finally {
      if (!warmed) {
        warm.countDown();
      }
    }
  }

  /** Whether {@code conn} can no longer be used (closed, or not answering within 1 s); the switchover suite too. */
  public static boolean isBroken(Connection conn) {
    try {
      return conn.isClosed() || !conn.isValid(1);
    } catch (SQLException e) {
      return true;
    }
  }

  /** Closes {@code conn} if there is one, ignoring a failure (it is being thrown away). */
  public static void close(Connection conn) {
    if (conn != null) {
      try {
        conn.close();
      } catch (SQLException e) {
        // already broken
      }
    }
  }

  /** Sleeps one write or poll interval; false when interrupted (the trial ended). */
  public static boolean pause(long millis) {
    try {
      Thread.sleep(millis); // the write / poll interval itself, not a stand-in for a condition
      return true;
    } catch (InterruptedException e) {
      return false;
    }
  }
}
