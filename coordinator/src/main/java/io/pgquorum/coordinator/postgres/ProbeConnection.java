package io.pgquorum.coordinator.postgres;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The one connection pgquorum keeps open to the local PostgreSQL from one HA cycle to the next, for the work it
 * does there every cycle: the probe, and the physical slot sync (issue 15, idle cost). A new connection per use
 * costs PostgreSQL a fork, the password exchange and a cold catalog cache each time, which at loop_wait 1 s was
 * most of an idle server's CPU (two new backends a cycle on every node).
 *
 * <p>A kept connection answers like a new one would, because it is reused only while nothing a new backend would
 * see differently has happened: the same postmaster (pid and start time from postmaster.pid), which says it
 * accepts connections and is not stopped, no configuration reload sent by pgquorum since it was opened that it has
 * not applied ({@link Jdbc#reloadsSent}: a backend applies a reload only when its SIGHUP arrives, a new backend has
 * it from the start; after a reload the session is kept only if it shows the {@link ConfigWriter#CONFIG_DIGEST} the
 * file has now, see {@link #appliedLastReload}), and for at most {@link #MAX_AGE}. Otherwise it is closed and a
 * new one opened. A connection that turns out dead (PostgreSQL crashed or was restarted under the same pid file,
 * the backend was terminated) is replaced by a new one within the same call; see {@link #run}. Each use sets the
 * read bound it had with a connection of its own ({@link Jdbc#probe}'s or {@link Jdbc#admin}'s).
 *
 * <p>Never held by two callers at once: a caller takes the idle connection out, and one that finds none (another
 * call runs on another thread) opens its own, which is kept afterwards only if no other is by then.
 */
final class ProbeConnection {
  /** What the probe runs on a connection. */
  @FunctionalInterface
  interface Work<T> {
    T apply(Connection c) throws SQLException;
  }

  /** An idle connection and what it was opened under. */
  private record Held(Connection connection, long pid, Optional<Instant> started, long reloads, long openedNanos) {
    boolean sameServer(PostmasterPid pm, long nowNanos) {
      return pid == pm.pid() && started.equals(pm.startTime()) && nowNanos - openedNanos < MAX_AGE.toNanos();
    }

    Held withReloads(long applied) {
      return new Held(connection, pid, started, applied, openedNanos);
    }
  }

  /**
   * How long one connection is kept at most. Why: a probe on a new connection also proves that the postmaster
   * still accepts connections (forks backends), which a kept session cannot; a postmaster that stopped doing so
   * while its backends still answer (out of connection slots or memory to fork, hung in its loop) reads as not
   * answering, as before, within this bound. A stopped (SIGSTOP) postmaster, the case seen in practice, is told
   * at once from /proc ({@link PostmasterPid#stopped}). 30 s keeps the new backends a rare event (one per 30
   * cycles at loop_wait 1 s instead of two per cycle).
   */
  static final Duration MAX_AGE = Duration.ofSeconds(30);

  /**
   * A reused connection that fails sooner than this was found dead (a closed socket fails at once) rather than
   * slow: only then is the probe repeated on a new connection. One that timed out already spent the probe's time
   * bound, and a second attempt would double how long a hung server holds up the HA cycle.
   */
  private static final Duration DEAD_AT_ONCE = Duration.ofSeconds(1);

  private final PgContext ctx;
  private final Jdbc jdbc;
  private final Supplier<Optional<String>> writtenDigest;
  private final AtomicReference<Held> idle = new AtomicReference<>();

  /** {@code writtenDigest}: the {@link ConfigWriter#CONFIG_DIGEST} pgquorum's configuration file has now. */
  ProbeConnection(PgContext ctx, Jdbc jdbc, Supplier<Optional<String>> writtenDigest) {
    this.ctx = ctx;
    this.jdbc = jdbc;
    this.writtenDigest = writtenDigest;
  }

  /**
   * {@link #run(PostmasterPid, Duration, Work)} for the postmaster that postmaster.pid names now; with none alive
   * (or an unreadable pid file) on a new connection that is not kept, which fails as one always did then.
   */
  <T> T run(Duration read, Work<T> work) throws SQLException {
    if (PostmasterPid.liveness(ctx.dataDir) instanceof PostmasterPid.Alive a) {
      return run(a.postmaster(), read, work);
    }
    try (Connection c = jdbc.probe()) {
      setReadBound(c, read);
      return work.apply(c);
    }
  }

  /**
   * Runs {@code work} on the kept connection when it may be reused for {@code pm}, else on a new probe connection
   * ({@link Jdbc#probe}), which is kept for the next call when {@code work} succeeded; each statement may take up
   * to {@code read}.
   *
   * @throws SQLException when a new connection cannot be opened or {@code work} fails on it
   */
  <T> T run(PostmasterPid pm, Duration read, Work<T> work) throws SQLException {
    long reloads = jdbc.reloadsSent();
    Held held = idle.getAndSet(null);
    if (held != null && !(pm.acceptsConnections() && held.sameServer(pm, System.nanoTime())
        && !PostmasterPid.stopped(pm.pid()))) {
      closeQuietly(held.connection());
      held = null;
    }
    if (held != null && held.reloads() != reloads) {
      held = appliedLastReload(held, reloads, read);
    }
    if (held != null) {
      long started = System.nanoTime();
      try {
        setReadBound(held.connection(), read);
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
    long opened = System.nanoTime();
    Connection fresh = jdbc.probe();
    try {
      setReadBound(fresh, read);
      T out = work.apply(fresh);
      if (pm.acceptsConnections()) {
        keep(new Held(fresh, pm.pid(), pm.startTime(), reloads, opened));
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
   * {@code held} marked as up to date with {@code reloads} when its backend shows the configuration digest the file
   * has now; otherwise (an older digest, none, or the session fails) it is closed and null returned, and a new
   * connection answers. Why this is enough: the digest is a function of the file's whole content, so a backend
   * showing the file's current digest has read exactly what is in the file now, which is at least as new as what a
   * backend forked now would have (the postmaster's copy, read at its last reload). The file is read before the
   * backend is asked, so a write in between can only make the two differ (a new connection, never a stale one).
   * And a reload signal that reached the backend is applied before the backend runs its next query (PostgreSQL
   * checks for a pending reload after reading each command), so this query already sees it.
   */
  private Held appliedLastReload(Held held, long reloads, Duration read) {
    Optional<String> written = writtenDigest.get();
    if (written.isPresent()) {
      try (Statement s = held.connection().createStatement()) {
        setReadBound(held.connection(), read);
        try (ResultSet r = s.executeQuery("SELECT current_setting('" + ConfigWriter.CONFIG_DIGEST + "', true)")) {
          if (r.next() && written.get().equals(r.getString(1))) {
            return held.withReloads(reloads);
          }
        }
      } catch (SQLException e) {
        // dead or slow: a new connection answers, as after every reload before the digest
      }
    }
    closeQuietly(held.connection());
    return null;
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

  /** pgjdbc's socket timeout for the connection's next statements (the socketTimeout a new one gets). */
  private static void setReadBound(Connection c, Duration read) throws SQLException {
    c.setNetworkTimeout(Runnable::run, (int) Math.min(Integer.MAX_VALUE, Math.max(1, read.toSeconds()) * 1000));
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
