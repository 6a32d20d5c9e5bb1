package io.pgquorum.jepsen.stack;

import io.pgquorum.jepsen.history.HistoryRecorder;
import io.pgquorum.jepsen.history.Op;
import io.pgquorum.jepsen.history.OpType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * "No acknowledged write lost" (P2): a few clients add unique longs to {@code jepsen_set} on whichever node
 * answers 200 on {@code /primary} (when none does, they try the nodes in turn), recording f {@code add}. An add
 * is OK only when its commit returned without the "canceling wait for synchronous replication" warning (such a
 * commit is local only and is recorded INFO); 25006 (read-only) and other definite server errors are FAIL;
 * anything that leaves the outcome unknown is INFO and the client continues under a new process. After the run,
 * {@link #finalRead} reads the whole set from the primary (f {@code read}, ok value = list of longs).
 */
public final class SetWorkload implements Workload {
  private final PgCluster cluster;
  private final HistoryRecorder recorder;
  private final ClientIds ids;
  private final int clients;
  private final Duration pacing;
  private final AtomicLong nextElement = new AtomicLong(1);
  private final AtomicLong roundRobin = new AtomicLong();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running;

  public SetWorkload(PgCluster cluster, HistoryRecorder recorder, ClientIds ids, int clients) {
    this(cluster, recorder, ids, clients, Duration.ofMillis(30));
  }

  /** @param pacing pause between one client's adds (keeps a 2-core machine usable) */
  public SetWorkload(PgCluster cluster, HistoryRecorder recorder, ClientIds ids, int clients, Duration pacing) {
    if (clients < 1) {
      throw new IllegalArgumentException("clients must be at least 1, got " + clients);
    }
    this.cluster = cluster;
    this.recorder = recorder;
    this.ids = ids;
    this.clients = clients;
    this.pacing = pacing;
  }

  @Override
  public synchronized void start() {
    if (running || !threads.isEmpty()) {
      throw new IllegalStateException("set workload already started");
    }
    running = true;
    for (int i = 0; i < clients; i++) {
      Thread t = new Thread(this::clientLoop, "set-client-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  private int target() {
    int p = cluster.primary();
    return p >= 0 ? p : (int) (roundRobin.getAndIncrement() % cluster.size());
  }

  private void clientLoop() {
    String process = ids.next();
    Connection c = null;
    int connectedTo = -1;
    while (running) {
      int node = target();
      if (c == null || node != connectedTo) {
        SqlOutcome.closeQuietly(c);
        c = null;
        try {
          c = cluster.connect(node, 1, 5);
          connectedTo = node;
        } catch (SQLException e) {
          PgCluster.sleep(100); // nothing was attempted; pace the reconnects
          continue;
        }
      }
      long element = nextElement.getAndIncrement();
      Op invoke = recorder.record(Op.of(process, OpType.INVOKE, "add", null, element, cluster.name(node), null));
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO jepsen_set(value) VALUES (?)")) {
        ps.setLong(1, element);
        ps.executeUpdate();
        if (SqlOutcome.syncWaitCancelled(ps.getWarnings()) || SqlOutcome.syncWaitCancelled(c.getWarnings())) {
          recorder.record(invoke.complete(OpType.INFO, element, SqlOutcome.SYNC_CANCEL));
          process = ids.next();
        } else {
          recorder.record(invoke.complete(OpType.OK, element, null));
        }
        c.clearWarnings();
      } catch (SQLException e) {
        OpType outcome = SqlOutcome.of(e);
        recorder.record(invoke.complete(outcome, element, SqlOutcome.describe(e)));
        if (outcome == OpType.INFO) {
          process = ids.next();
        }
        // a read-only node or a broken connection: look for the primary again
        SqlOutcome.closeQuietly(c);
        c = null;
      }
      PgCluster.sleep(pacing.toMillis()); // the workload's rate, not a wait for a condition
    }
    SqlOutcome.closeQuietly(c);
  }

  @Override
  public void close() {
    running = false;
    for (Thread t : threads) {
      try {
        t.join(15_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * Reads the whole set from the primary, retrying (each attempt recorded) until one succeeds or {@code within}
   * passes. Call it after {@link #close} once the cluster is healthy again.
   *
   * @return the elements, ascending
   * @throws IllegalStateException when no read succeeded in time
   */
  public List<Long> finalRead(Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    String process = ids.next();
    String last = "no primary";
    while (System.nanoTime() < deadline) {
      int p = cluster.primary();
      if (p < 0) {
        PgCluster.sleep(200); // waiting for a primary, with a deadline
        continue;
      }
      Op invoke = recorder.record(Op.of(process, OpType.INVOKE, "read", null, null, cluster.name(p), null));
      try (Connection c = cluster.connect(p, 2, 30); Statement s = c.createStatement();
           ResultSet rs = s.executeQuery("SELECT value FROM jepsen_set ORDER BY value")) {
        List<Long> values = new ArrayList<>();
        while (rs.next()) {
          values.add(rs.getLong(1));
        }
        recorder.record(invoke.complete(OpType.OK, values, null));
        return values;
      } catch (SQLException e) {
        // A read changes nothing: FAIL is always accurate, and the client may carry on under the same process.
        recorder.record(invoke.complete(OpType.FAIL, null, SqlOutcome.describe(e)));
        last = SqlOutcome.describe(e);
        PgCluster.sleep(200);
      }
    }
    throw new IllegalStateException("final read of jepsen_set did not succeed within " + within.toSeconds()
        + " s: " + last);
  }

  /** How many adds were invoked so far. */
  public long invoked() {
    return nextElement.get() - 1;
  }
}
