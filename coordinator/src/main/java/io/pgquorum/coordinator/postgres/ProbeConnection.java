package io.pgquorum.coordinator.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The one connection the probe keeps open to the local PostgreSQL from one cycle to the next (issue 15, idle
 * cost): a new connection per probe costs PostgreSQL a fork, the password exchange and a cold catalog cache every
 * loop_wait, which at loop_wait 1 s was most of an idle server's CPU.
 *
 * <p>A kept connection answers like a new one would, because it is reused only while nothing a new backend would
 * see differently has happened: the same postmaster (pid and start time from postmaster.pid), which says it
 * accepts connections, and no configuration reload sent by pgquorum since it was opened ({@link Jdbc#reloadsSent}:
 * a backend applies a reload only when its SIGHUP arrives, a new backend has it from the start). Otherwise it is
 * closed and a new one opened. A connection that turns out dead (PostgreSQL crashed or was restarted under the same
 * pid file, the backend was terminated) is replaced by a new one within the same probe; see {@link #run}.
 *
 * <p>Never held by two callers at once: a caller takes the idle connection out, and one that finds none (another
 * probe runs on another thread) opens its own, which is kept afterwards only if no other is by then.
 */
final class ProbeConnection {
  /** What the probe runs on a connection. */
  @FunctionalInterface
  interface Work<T> {
    T apply(Connection c) throws SQLException;
  }

  /** An idle connection and what it was opened under. */
  private record Held(Connection connection, long pid, Optional<Instant> started, long reloads) {
    boolean matches(PostmasterPid pm, long reloadsNow) {
      return pid == pm.pid() && started.equals(pm.startTime()) && reloads == reloadsNow;
    }
  }

  /**
   * A reused connection that fails sooner than this was found dead (a closed socket fails at once) rather than
   * slow: only then is the probe repeated on a new connection. One that timed out already spent the probe's time
   * bound, and a second attempt would double how long a hung server holds up the HA cycle.
   */
  private static final Duration DEAD_AT_ONCE = Duration.ofSeconds(1);

  private final Jdbc jdbc;
  private final AtomicReference<Held> idle = new AtomicReference<>();

  ProbeConnection(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * Runs {@code work} on the kept connection when it may be reused for {@code pm}, else on a new probe connection
   * ({@link Jdbc#probe}), which is kept for the next call when {@code work} succeeded.
   *
   * @throws SQLException when a new connection cannot be opened or {@code work} fails on it
   */
  <T> T run(PostmasterPid pm, Work<T> work) throws SQLException {
    long reloads = jdbc.reloadsSent();
    Held held = idle.getAndSet(null);
    if (held != null && !(pm.acceptsConnections() && held.matches(pm, reloads))) {
      closeQuietly(held.connection());
      held = null;
    }
    if (held != null) {
      long started = System.nanoTime();
      try {
        T out = work.apply(held.connection());
        keep(held);
        return out;
      } catch (SQLException e) {
        closeQuietly(held.connection());
        if (!deadAtOnce(e, System.nanoTime() - started)) {
          throw e;
        }
        // Found dead (a crash, an operator's restart, a terminated backend): what a new connection says now is
        // the answer, as it was when every probe opened one.
      } catch (RuntimeException e) {
        closeQuietly(held.connection());
        throw e;
      }
    }
    Connection fresh = jdbc.probe();
    try {
      T out = work.apply(fresh);
      if (pm.acceptsConnections()) {
        keep(new Held(fresh, pm.pid(), pm.startTime(), reloads));
      } else {
        closeQuietly(fresh);
      }
      return out;
    } catch (SQLException | RuntimeException e) {
      closeQuietly(fresh);
      throw e;
    }
  }

  /**
   * Closes the kept connection, if any. Before a stop: a smart shutdown waits for every client to leave, and the
   * probe's idle session must not be one of them.
   */
  void close() {
    Held held = idle.getAndSet(null);
    if (held != null) {
      closeQuietly(held.connection());
    }
  }

  private void keep(Held held) {
    if (!idle.compareAndSet(null, held)) {
      closeQuietly(held.connection()); // another caller's connection is kept already
    }
  }

  private static boolean deadAtOnce(SQLException e, long elapsedNanos) {
    String state = e.getSQLState();
    // Class 08 is a connection exception (pgjdbc's I/O errors are 08006); 57P01..57P03 a terminated backend or a
    // server shutting down or starting.
    boolean connectionLost = state != null && (state.startsWith("08") || state.startsWith("57P"));
    return connectionLost && elapsedNanos < DEAD_AT_ONCE.toNanos();
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException ignored) {
      // closing a connection that is already broken: nothing to do
    }
  }
}
