package io.pgquorum.coordinator.postgres;

import io.pgquorum.coordinator.postgres.ProcessRunner.OnTimeout;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

/**
 * The new cluster of a bootstrap, running so that only pgquorum can reach it: no TCP listener
 * ({@code listen_addresses = ''}), its Unix socket in a fresh directory of mode 0700 owned by pgquorum's user, and
 * a pg_hba.conf in that directory that trusts local connections. All three are given on the postmaster's command
 * line, where they win over every configuration file (the configuration a custom method restored, its
 * {@code postgresql.auto.conf} included), and the data directory's own pg_hba.conf is not touched.
 *
 * <p>Why trust is safe here, and why it is needed: a custom bootstrap restores another cluster, whose passwords
 * pgquorum does not know, so it cannot log in with its own (Patroni opens trust access for the same reason, until
 * it has set the passwords). The socket is the only way in, and its directory admits nobody but this OS user,
 * who can read the data directory (and start PostgreSQL in single-user mode) anyway. Clients cannot connect at
 * all, so the cluster is never writable to them before the leader lock is held: the lock is taken after the
 * bootstrap, when the server starts again as primary (see {@code Decider}).
 *
 * <p>pgquorum's JDBC driver has no Unix sockets (see {@link Jdbc}), so SQL goes through {@code psql} from
 * {@code postgresql.bin_dir}, from a private file (never the command line).
 */
final class PrivateServer implements AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PrivateServer.class);
  private static final Duration POLL = Duration.ofMillis(200);

  private final PgContext ctx;
  private final Path dir;

  private PrivateServer(PgContext ctx, Path dir) {
    this.ctx = ctx;
    this.dir = dir;
  }

  /** Starts the stopped cluster privately; on failure nothing of it runs and the directory is gone. */
  static PrivateServer start(PgContext ctx, PgCtlRunner pgCtl) {
    String op = "bootstrap: private start of the new cluster";
    Path dir;
    try {
      // Mode 0700 from the start (createTempDirectory's default on POSIX, set again in case of an odd umask).
      dir = Files.createTempDirectory("pgquorum-boot-");
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      Files.writeString(dir.resolve("pg_hba.conf"), "# pgquorum's bootstrap: this socket's directory is private\n"
          + "local all all trust\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new PostgresException(op + " failed: cannot create its private directory: " + e.getMessage(), e);
    }
    PrivateServer s = new PrivateServer(ctx, dir);
    try {
      String path = dir.toString();
      if (path.contains("'") || !PgContext.socketPathFits(dir.resolve(".s.PGSQL." + ctx.port()).toString())) {
        throw new PostgresException(op + ": the temporary directory " + path + " (java.io.tmpdir) cannot hold "
            + "PostgreSQL's socket (a quote in its path, or a path longer than the kernel allows)");
      }
      pgCtl.start(op, "-c listen_addresses='' -c 'unix_socket_directories=" + path + "' -c 'hba_file="
          + dir.resolve("pg_hba.conf") + "'");
      return s;
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /**
   * Waits until the server has finished recovery (a custom bootstrap's restore), at most {@code timeout}. Replay
   * paused at the recovery target ({@code recovery_target_action = pause}, PostgreSQL's default and pgBackRest's
   * unless {@code --target-action} is given) never ends by itself: Patroni then waits in silence (its #2569).
   * Here the wait is said once in the log and shown in {@code /patroni} ({@code pgquorum.waiting_for_operator})
   * with what ends it, until it does.
   */
  void awaitEndOfRecovery(String op, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        String[] row = query(op, "SELECT pg_is_in_recovery(), CASE WHEN pg_is_in_recovery() THEN "
            + "pg_get_wal_replay_pause_state() ELSE '' END").strip().split("\\|", -1);
        if ("f".equals(row[0])) {
          return;
        }
        if (row.length > 1 && row[1].equals("paused")) {
          String why = pausedMessage();
          if (!why.equals(ctx.waitingForOperator.getAndSet(why))) {
            LOG.warn("{}", why);
          }
        } else {
          ctx.waitingForOperator.set("");
        }
        if (System.nanoTime() > deadline) {
          throw new PostgresException(op + ": the new cluster is still in recovery after " + timeout.toSeconds()
              + " s");
        }
        Polling.pause(POLL, op);
      }
    } finally {
      ctx.waitingForOperator.set("");
    }
  }

  /** The operator's choices at a paused recovery target, in the words the log and /patroni use. */
  String pausedMessage() {
    return "bootstrap: the restored cluster is paused at its recovery target (recovery_target_action = pause, "
        + "PostgreSQL's default and pgBackRest's unless --target-action is given); the bootstrap waits until "
        + "recovery ends. Check the data (psql -h " + dir + " -p " + ctx.port() + " -U "
        + ctx.pg.superuser().username() + "; this OS user only), then end recovery: " + ctx.bin("pg_ctl")
        + " promote -D " + ctx.dataDir + " (or SELECT pg_wal_replay_resume() in that psql). Not the right "
        + "point? Stop pgquorum, move " + ctx.dataDir + " aside and change the target; to promote without "
        + "stopping, set recovery_target_action: promote in bootstrap.<method>.recovery_conf";
  }

  /**
   * Runs {@code sql} as the configured superuser and returns psql's unaligned, tuples-only output. Retries while
   * the server still starts up (a restored cluster accepts connections only once it is consistent).
   */
  String query(String op, String sql) {
    Path file = null;
    try {
      file = Files.createTempFile(dir, "sql-", ".sql"); // mode 0600, in the private directory
      Files.writeString(file, sql, StandardCharsets.UTF_8);
      List<String> argv = List.of(ctx.bin("psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h",
          dir.toString(), "-p", Integer.toString(ctx.port()), "-U", ctx.pg.superuser().username(), "-d",
          "postgres", "-f", file.toString());
      long deadline = System.nanoTime() + ctx.pgCtlTimeout().toNanos();
      while (true) {
        ProcessRunner.Result r = ctx.runner.run(op, argv, ctx.libpqEnv(), ctx.pgCtlRunnerTimeout(),
            OnTimeout.KILL_TREE);
        if (r.ok()) {
          return r.output();
        }
        boolean starting = r.output().contains("starting up") || r.output().contains("not yet accepting");
        if (!starting || System.nanoTime() > deadline) {
          throw new PostgresException(op + " failed (psql exit " + r.exitCode() + ")"
              + ProcessRunner.outputSuffix(r.output()));
        }
        Polling.pause(POLL, op);
      }
    } catch (IOException e) {
      throw new PostgresException(op + " failed: " + e.getMessage(), e);
    } finally {
      if (file != null) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException ignored) {
          // in the private directory, removed with it
        }
      }
    }
  }

  /** A libpq URL that reaches this server as the superuser through its socket (no password in it). */
  String url() {
    return "postgres://" + URLEncoder.encode(ctx.pg.superuser().username(), StandardCharsets.UTF_8) + "@"
        + URLEncoder.encode(dir.toString(), StandardCharsets.UTF_8) + ":" + ctx.port() + "/postgres";
  }

  /** Removes the private directory (the server must be stopped: its socket lives there). */
  @Override
  public void close() {
    try {
      DataDirectory.deleteTree(dir);
    } catch (IOException e) {
      // A few bytes in the temporary directory; the next bootstrap uses a new one.
    }
  }
}
