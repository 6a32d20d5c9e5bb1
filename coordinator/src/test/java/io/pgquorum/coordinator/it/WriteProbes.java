package io.pgquorum.coordinator.it;

import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Write probes sent straight to every node's PostgreSQL, one thread per node, each attempt recorded with its
 * invoke and completion time ({@link System#nanoTime()}): the raw material for "at most one writable primary".
 * Table {@code fence_probe} must exist on the primary (replicas get it by replication).
 */
final class WriteProbes implements AutoCloseable {
  /** One attempt: ok means the INSERT committed on that node. */
  record Attempt(String node, long invokeNanos, long completeNanos, boolean ok, long token) {}

  static final String CREATE = "CREATE TABLE IF NOT EXISTS fence_probe (id bigserial PRIMARY KEY, node text, "
      + "token bigint, at timestamptz DEFAULT now())";

  final List<Attempt> attempts = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean stopped;

  WriteProbes(List<NodeSpec> nodes) {
    for (NodeSpec n : nodes) {
      Thread t = new Thread(() -> probe(n), "probe-" + n.name);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  private void probe(NodeSpec n) {
    Connection c = null;
    while (!stopped) {
      long invoke = System.nanoTime();
      boolean ok = false;
      long token = -1;
      try {
        if (c == null) {
          c = LocalCluster.connect(n);
        }
        try (PreparedStatement s = c.prepareStatement("INSERT INTO fence_probe (node, token) VALUES (?, "
            + "current_setting('pgquorum.fencing_token', true)::bigint) RETURNING token")) {
          s.setString(1, n.name);
          try (var rs = s.executeQuery()) {
            rs.next();
            token = rs.getLong(1);
          }
        }
        ok = true;
      } catch (SQLException e) {
        closeQuietly(c);
        c = null;
      }
      attempts.add(new Attempt(n.name, invoke, System.nanoTime(), ok, token));
      try {
        Thread.sleep(50); // the probe cadence, not a wait for a condition
      } catch (InterruptedException e) {
        break;
      }
    }
    closeQuietly(c);
  }

  List<Attempt> on(String node) {
    return attempts.stream().filter(a -> a.node().equals(node)).toList();
  }

  /** The first committed write on any node but {@code except} invoked after {@code sinceNanos}. */
  Optional<Attempt> firstOkElsewhere(String except, long sinceNanos) {
    return attempts.stream().filter(a -> a.ok() && !a.node().equals(except) && a.invokeNanos() >= sinceNanos)
        .min((x, y) -> Long.compare(x.completeNanos(), y.completeNanos()));
  }

  /** The last committed write on {@code node}. */
  Optional<Attempt> lastOk(String node) {
    return on(node).stream().filter(Attempt::ok).max((x, y) -> Long.compare(x.completeNanos(), y.completeNanos()));
  }

  /** The first failed attempt on {@code node} invoked after {@code sinceNanos}. */
  Optional<Attempt> firstFailure(String node, long sinceNanos) {
    return on(node).stream().filter(a -> !a.ok() && a.invokeNanos() >= sinceNanos)
        .min((x, y) -> Long.compare(x.invokeNanos(), y.invokeNanos()));
  }

  private static void closeQuietly(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException e) {
        // already broken
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    stopped = true;
    for (Thread t : threads) {
      t.interrupt();
      t.join(10_000);
    }
  }
}
