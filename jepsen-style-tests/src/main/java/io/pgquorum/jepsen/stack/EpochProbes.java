package io.pgquorum.jepsen.stack;

import io.pgquorum.jepsen.history.HistoryRecorder;
import io.pgquorum.jepsen.history.Op;
import io.pgquorum.jepsen.history.OpType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Write probes for "at most one writable primary" (P1): one thread per node, each writing every ~100 ms straight
 * to ITS node's PostgreSQL (never through the primary), recording f {@code probe}:
 *
 * <pre>INSERT INTO jepsen_probe(node, token)
 *   VALUES (?, current_setting('pgquorum.fencing_token', true)::bigint) RETURNING token</pre>
 *
 * <p>Each probe is its own autocommit transaction. OK carries the fencing token the write was committed with on
 * that node; FAIL when the node refused it for sure (read-only transaction, SQLSTATE 25006) or could not be
 * connected to (refused, not accepting connections: nothing was sent); INFO when the outcome is unknown (timeout,
 * connection lost while the statement or its commit ran), after which the thread continues under a new process.
 */
public final class EpochProbes implements Workload {
  static final String SQL = "INSERT INTO jepsen_probe(node, token) VALUES (?, "
      + "current_setting('pgquorum.fencing_token', true)::bigint) RETURNING token";

  private final PgCluster cluster;
  private final HistoryRecorder recorder;
  private final ClientIds ids;
  private final Duration interval;
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running;

  public EpochProbes(PgCluster cluster, HistoryRecorder recorder, ClientIds ids) {
    this(cluster, recorder, ids, Duration.ofMillis(100));
  }

  public EpochProbes(PgCluster cluster, HistoryRecorder recorder, ClientIds ids, Duration interval) {
    this.cluster = cluster;
    this.recorder = recorder;
    this.ids = ids;
    this.interval = interval;
  }

  @Override
  public synchronized void start() {
    if (running || !threads.isEmpty()) {
      throw new IllegalStateException("epoch probes already started");
    }
    running = true;
    for (int i = 0; i < cluster.size(); i++) {
      int node = i;
      Thread t = new Thread(() -> probeLoop(node), "probe-" + cluster.name(node));
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  private void probeLoop(int node) {
    String name = cluster.name(node);
    String process = ids.next();
    Connection c = null;
    while (running) {
      Op invoke = recorder.record(Op.of(process, OpType.INVOKE, "probe", null, null, name, null));
      if (c == null) {
        try {
          c = cluster.connect(node, 1, 3);
        } catch (SQLException e) {
          // Nothing was sent: the write certainly did not happen.
          recorder.record(invoke.complete(OpType.FAIL, null, "connect: " + SqlOutcome.describe(e)));
          PgCluster.sleep(interval.toMillis());
          continue;
        }
      }
      try (PreparedStatement ps = c.prepareStatement(SQL)) {
        ps.setString(1, name);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          long token = rs.getLong(1);
          recorder.record(invoke.complete(OpType.OK, rs.wasNull() ? null : token, null));
        }
      } catch (SQLException e) {
        OpType outcome = SqlOutcome.of(e);
        recorder.record(invoke.complete(outcome, null, SqlOutcome.describe(e)));
        if (outcome == OpType.INFO) {
          process = ids.next();
          SqlOutcome.closeQuietly(c);
          c = null;
        } else if (!isValid(c)) {
          SqlOutcome.closeQuietly(c);
          c = null;
        }
      }
      PgCluster.sleep(interval.toMillis()); // probe pacing: the workload's rate, not a wait for a condition
    }
    SqlOutcome.closeQuietly(c);
  }

  private static boolean isValid(Connection c) {
    try {
      return c.isValid(1);
    } catch (SQLException e) {
      return false;
    }
  }

  @Override
  public void close() {
    running = false;
    for (Thread t : threads) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
