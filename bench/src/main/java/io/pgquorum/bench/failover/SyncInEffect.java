package io.pgquorum.bench.failover;

import io.pgquorum.jepsen.stack.PgClusterSpec.SyncMode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Whether the primary's PostgreSQL really replicates in the mode a benchmark claims to measure, asked of
 * PostgreSQL itself (never of the coordinator's own status): {@code synchronous_standby_names} and the
 * {@code sync_state} of every standby in {@code pg_stat_replication}. A benchmark of "synchronous" commits that
 * silently ran asynchronously would report the wrong cost, so the suites check this before and during every
 * measurement and fail when it does not hold.
 */
public final class SyncInEffect {
  private SyncInEffect() {}

  /**
   * What the primary reports.
   *
   * @param standbyNames {@code SHOW synchronous_standby_names}
   * @param syncStates {@code pg_stat_replication.sync_state} of each connected standby
   */
  public record Observed(String standbyNames, List<String> syncStates) {
    public Observed {
      syncStates = List.copyOf(syncStates);
    }

    @Override
    public String toString() {
      return "synchronous_standby_names '" + standbyNames + "', standbys' sync_state " + syncStates;
    }
  }

  /**
   * null when {@code seen} is replication in {@code mode}, else what is wrong. {@code on} (also strict): a
   * non-empty priority list ({@code FIRST n (...)}, a bare list or {@code *}) and at least one standby PostgreSQL
   * reports {@code sync}; {@code quorum}: an {@code ANY k (...)} list and at least one standby reported
   * {@code quorum}; {@code off}: no list and no standby waited for. Strict and plain {@code on} look the same to
   * PostgreSQL while standbys are connected (the difference is what happens without one), so the caller checks
   * {@code synchronous_mode_strict} in the dynamic configuration.
   */
  public static String problem(SyncMode mode, Observed seen) {
    String names = seen.standbyNames() == null ? "" : seen.standbyNames().strip();
    boolean any = names.toUpperCase(Locale.ROOT).startsWith("ANY ") || names.toUpperCase(Locale.ROOT)
        .startsWith("ANY(");
    long sync = seen.syncStates().stream().filter("sync"::equals).count();
    long quorum = seen.syncStates().stream().filter("quorum"::equals).count();
    return switch (mode) {
      case OFF -> names.isEmpty() && sync + quorum == 0 ? null
          : "asynchronous replication expected but the primary has " + seen;
      case ON, STRICT -> {
        if (names.isEmpty() || any) {
          yield "synchronous_mode on expects a priority list in synchronous_standby_names, the primary has " + seen;
        }
        yield sync > 0 ? null : "synchronous_mode on: no standby is synchronous yet (" + seen + ")";
      }
      case QUORUM -> {
        if (!any) {
          yield "synchronous_mode quorum expects ANY k (...) in synchronous_standby_names, the primary has " + seen;
        }
        yield quorum > 0 ? null : "synchronous_mode quorum: no standby is a quorum standby yet (" + seen + ")";
      }
    };
  }

  /** What node {@code node}'s PostgreSQL reports (meant for the primary). */
  public static Observed observe(HaCluster c, int node) throws SQLException {
    try (Connection conn = c.connect(node, 2, 5)) {
      return observe(conn);
    }
  }

  /** What the PostgreSQL behind {@code conn} reports. */
  public static Observed observe(Connection conn) throws SQLException {
    try (Statement s = conn.createStatement()) {
      String names;
      try (ResultSet rs = s.executeQuery("SHOW synchronous_standby_names")) {
        rs.next();
        names = rs.getString(1);
      }
      List<String> states = new ArrayList<>();
      try (ResultSet rs = s.executeQuery("SELECT sync_state FROM pg_stat_replication ORDER BY application_name")) {
        while (rs.next()) {
          states.add(rs.getString(1));
        }
      }
      return new Observed(names, states);
    }
  }

  /**
   * Waits until the cluster's primary replicates in {@code mode}; throws with the last state seen when it does not
   * within {@code within}.
   */
  public static void await(HaCluster c, SyncMode mode, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    String last = "nothing observed yet";
    while (System.nanoTime() < deadline) {
      int p = c.primary();
      if (p < 0) {
        last = "no single primary";
      } else {
        try {
          String problem = problem(mode, observe(c, p));
          if (problem == null) {
            return;
          }
          last = c.name(p) + ": " + problem;
        } catch (SQLException e) {
          last = c.name(p) + ": " + e.getMessage();
        }
      }
      ClusterHealth.sleep(300); // poll interval of a condition with a deadline
    }
    throw new IllegalStateException(c.system() + ": " + Variant.modeName(mode) + " not in effect within "
        + within.toSeconds() + " s (last seen: " + last + ")");
  }
}
