package io.pgquorum.coordinator.postgres;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * One superuser session for a sequence of steps on the critical path of a handover (promotion): the token reload,
 * the promotion, and the waits between them, without a new connection per step.
 *
 * <p>Why: a new connection costs a TCP connect, a backend fork and a SCRAM exchange, 30-50 ms each on this
 * project's machines (more under load), and the old promotion path opened five of them plus a {@code pg_ctl promote
 * -w}, which checks for the end of recovery only every 100 ms. Together that was about half a second of the
 * switchover's write gap. Here the waits poll a query on the open session every {@link #POLL}.
 *
 * <p>Why polling this session sees a reload: {@code pg_reload_conf()} signals the postmaster, which re-reads the
 * files and then signals every backend, this one included; a backend applies a pending reload before it runs its
 * next command. So once this session shows the new value, the postmaster has it too, and every session forked
 * after that (the first write on a new timeline) starts with it.
 */
final class AdminSession implements AutoCloseable {
  /** Between polls: short, since each poll is one round trip on an open session (well under a millisecond). */
  static final Duration POLL = Duration.ofMillis(5);

  /** Between repeated promote requests while the server stays in recovery: see {@link #promote}. */
  static final Duration RESIGNAL = Duration.ofMillis(50);

  /** {@code pg_promote}'s "recovery is not in progress" (object_not_in_prerequisite_state). */
  private static final String NOT_IN_RECOVERY = "55000";

  private final Connection connection;
  private final String op;
  private final Function<SQLException, String> describe;
  private final Runnable reloadSent;
  /** Whether {@link #close} closes the connection: not when it was lent ({@link #over}). */
  private final boolean owned;

  private AdminSession(Connection connection, String op, Function<SQLException, String> describe,
      Runnable reloadSent, boolean owned) {
    this.connection = connection;
    this.op = op;
    this.describe = describe;
    this.reloadSent = reloadSent;
    this.owned = owned;
  }

  static AdminSession open(Jdbc jdbc, String op) {
    try {
      return new AdminSession(jdbc.admin(), op, jdbc::describe, jdbc::reloadSent, true);
    } catch (SQLException e) {
      throw new PostgresException(op + " failed: " + jdbc.describe(e), e);
    }
  }

  /**
   * A session over a connection someone else holds (the kept probe connection, see {@link ProbeConnection}), which
   * {@link #close} leaves open; the caller sets its statements' read bound.
   */
  static AdminSession over(Connection connection, Jdbc jdbc, String op) {
    return new AdminSession(connection, op, jdbc::describe, jdbc::reloadSent, false);
  }

  /** The session's connection, for a caller that runs its own statements on it (the promotion's probe). */
  Connection connection() {
    return connection;
  }

  /** The first column of the one row {@code sql} returns, as text (null for SQL NULL). */
  String query(String sql) {
    try (Statement s = connection.createStatement(); ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getString(1);
    } catch (SQLException e) {
      throw new PostgresException(op + " failed: " + describe.apply(e), e);
    }
  }

  boolean inRecovery() {
    return "t".equals(query("SELECT pg_is_in_recovery()"));
  }

  /**
   * Commits a transaction that only takes a transaction id, with synchronous_commit off for it alone (so it never
   * waits itself): WAL every standby receives, flushes and answers, which lets the walsenders release commits
   * waiting under a synchronous_standby_names just changed.
   */
  void nudgeStandbys() {
    query("SELECT set_config('synchronous_commit', 'off', true), pg_current_xact_id()");
  }

  /** Asks the postmaster to re-read its configuration files. */
  void reload() {
    try {
      query("SELECT pg_reload_conf()");
    } finally {
      reloadSent.run(); // also when the answer was lost: the signal may have been sent
    }
  }

  /**
   * Reloads and waits until this session shows {@code expected} for the setting {@code name} (a missing custom
   * setting reads as the empty string), at most {@code timeout}.
   *
   * @throws PostgresException naming what the server still shows (through {@code redact}: a setting may hold a
   *     secret) when it does not within {@code timeout}
   */
  void reloadAndAwait(String name, String expected, Duration timeout, UnaryOperator<String> redact) {
    reload();
    await(name, expected, timeout, redact);
  }

  /**
   * Waits until this session shows {@code expected} for the setting {@code name} after a {@link #reload} sent
   * earlier, at most {@code timeout}; see {@link #reloadAndAwait}.
   */
  void await(String name, String expected, Duration timeout, UnaryOperator<String> redact) {
    String sql = "SELECT coalesce(current_setting('" + name.replace("'", "''") + "', true), '')";
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      String seen = query(sql);
      if (expected.equals(seen)) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new PostgresException(op + ": after a reload the server still does not show the new " + name
            + " (it shows '" + redact.apply(seen) + "')");
      }
      Polling.pause(POLL, op);
    }
  }

  /**
   * Promotes the server ({@code pg_promote} without its own wait, which also polls only every 100 ms: the same
   * promote signal file and postmaster signal as {@code pg_ctl promote}) and waits until it has left recovery,
   * repeating the request every {@link #RESIGNAL} while the server is still in recovery.
   *
   * <p>Why repeat: PostgreSQL 15's startup process can take a promote request and then sleep for the rest of
   * {@code wal_retrieve_retry_interval} (5 s by default) before it acts on it. That happens when the request arrives
   * while it waits for a walreceiver that just lost its upstream, which is exactly the moment of a switchover (the
   * old primary has just stopped); seen here as a 5 s write gap in one switchover of two. A repeated request wakes
   * that sleep (the promote signal sets the latch it waits on). A request that comes after the promotion finished
   * is refused by the server ({@code recovery is not in progress}) and means done; one that came during the
   * promotion can leave a promote signal file behind, which the postmaster removes when it next starts, before a
   * standby could act on it.
   *
   * @return whether it left recovery within {@code timeout}
   */
  boolean promote(Duration timeout) {
    if (!requestPromotion()) {
      return true;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    long again = System.nanoTime() + RESIGNAL.toNanos();
    while (inRecovery()) {
      long now = System.nanoTime();
      if (now > deadline) {
        return false;
      }
      if (now >= again) {
        if (!requestPromotion()) {
          return true;
        }
        again = now + RESIGNAL.toNanos();
      }
      Polling.pause(POLL, op);
    }
    return true;
  }

  /** Sends a promote request; false when the server is not in recovery (any more). */
  private boolean requestPromotion() {
    String answer;
    try (Statement s = connection.createStatement();
        ResultSet r = s.executeQuery("SELECT CASE WHEN pg_is_in_recovery() THEN pg_promote(false) END")) {
      r.next();
      answer = r.getString(1);
    } catch (SQLException e) {
      if (NOT_IN_RECOVERY.equals(e.getSQLState())) {
        return false; // recovery ended between the check and the request: promoted
      }
      throw new PostgresException(op + " failed: " + describe.apply(e), e);
    }
    if (answer == null) {
      return false;
    }
    if (!"t".equals(answer)) {
      throw new PostgresException(op + ": PostgreSQL did not accept the promote request");
    }
    return true;
  }

  @Override
  public void close() {
    if (!owned) {
      return;
    }
    try {
      connection.close();
    } catch (SQLException e) {
      // Closing a session that already failed: nothing left to release that the server does not clean up.
    }
  }
}
