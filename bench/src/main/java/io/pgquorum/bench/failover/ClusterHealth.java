package io.pgquorum.bench.failover;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * The same health check for both systems, asked of PostgreSQL itself: exactly one node answers 200 on
 * {@code /primary} and is not in recovery, every other node is in recovery with its WAL receiver streaming.
 */
public final class ClusterHealth {
  /** The table the failover writers insert into. */
  public static final String TABLE = "bench_failover";

  private ClusterHealth() {}

  /** Waits for health, then makes sure the bench table exists; throws with the last state seen on timeout. */
  public static void await(HaCluster c, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    String last = "nothing answered yet";
    while (System.nanoTime() < deadline) {
      int p = c.primary();
      if (p >= 0) {
        String problem = check(c, p);
        if (problem == null) {
          return;
        }
        last = problem;
      } else {
        last = "no single node answers 200 on /primary";
      }
      sleep(300); // poll interval of a condition with a deadline
    }
    throw new IllegalStateException(c.system() + " cluster not healthy within " + within.toSeconds()
        + " s (last seen: " + last + ")");
  }

  /** null when healthy with primary p, else what is wrong. */
  private static String check(HaCluster c, int p) {
    try (Connection conn = c.connect(p, 2, 5); Statement s = conn.createStatement()) {
      if (bool(s, "SELECT pg_is_in_recovery()")) {
        return c.name(p) + " answers /primary but is in recovery";
      }
      s.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (id bigserial PRIMARY KEY, node text NOT NULL, "
          + "at timestamptz NOT NULL DEFAULT clock_timestamp())");
    } catch (SQLException e) {
      return c.name(p) + ": " + e.getMessage();
    }
    for (int i = 0; i < c.size(); i++) {
      if (i == p) {
        continue;
      }
      try (Connection conn = c.connect(i, 2, 5); Statement s = conn.createStatement()) {
        if (!bool(s, "SELECT pg_is_in_recovery()")) {
          return c.name(i) + " is not in recovery";
        }
        if (!bool(s, "SELECT count(*) > 0 FROM pg_stat_wal_receiver WHERE status = 'streaming'")) {
          return c.name(i) + " is not streaming";
        }
      } catch (SQLException e) {
        return c.name(i) + ": " + e.getMessage();
      }
    }
    return null;
  }

  private static boolean bool(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      return rs.next() && rs.getBoolean(1);
    }
  }

  /** Sleeps (a poll interval or a sampling period); an interrupt becomes an IllegalStateException. */
  public static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
