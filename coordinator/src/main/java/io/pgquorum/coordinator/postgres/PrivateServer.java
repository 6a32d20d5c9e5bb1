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

  /** Waits until the server has finished recovery (a custom bootstrap's restore), at most {@code timeout}. */
  void awaitEndOfRecovery(String op, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!"f".equals(query(op, "SELECT pg_is_in_recovery()").strip())) {
      if (System.nanoTime() > deadline) {
        throw new PostgresException(op + ": the new cluster is still in recovery after " + timeout.toSeconds()
            + " s");
      }
      Polling.pause(POLL, op);
    }
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
