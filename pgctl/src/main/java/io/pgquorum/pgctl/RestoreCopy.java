package io.pgquorum.pgctl;

import io.pgquorum.backrest.run.BackrestRunner;
import io.pgquorum.backrest.run.CommandRun;
import io.pgquorum.backrest.run.Outcome;
import io.pgquorum.backrest.run.RestoreRequest;
import io.pgquorum.coordinator.config.Credentials;
import io.pgquorum.coordinator.config.NodeConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The restore test ({@code pgctl restore --to DIR}): restores the plan's backup into DIR with pgBackRest
 * ({@code --pg1-path=DIR --archive-mode=off}, the target, {@code --target-action=promote}), starts PostgreSQL there
 * on its own port and waits until it has left recovery, i.e. reached the target and promoted.
 *
 * <p>The copy must never act as a member of the cluster. The restored files hold the cluster's configuration, so
 * the postmaster's command line (which wins over every configuration file, postgresql.auto.conf included) switches
 * off what would reach the cluster: archiving (it would push a new timeline into the cluster's stanza), a primary
 * connection and slot (a recovery to a target never streams, but the settings should not point at the cluster),
 * synchronous standby names (the copy's first write would wait for ever for the cluster's standbys), the Unix
 * socket (the cluster's socket directory is the node's own) and the logging collector (its log goes to DIR's log
 * file, where the failure lines are read). Replication slots are not in a pgBackRest backup (pg_replslot is
 * excluded), so the copy holds none.
 */
final class RestoreCopy {
  /** PostgreSQL's texts for a connection refused while the server cannot take one (SQLSTATE 57P03). */
  private static final List<String> REFUSED_CONNECTION = List.of("the database system is in recovery mode",
      "the database system is starting up", "the database system is shutting down",
      "the database system is not yet accepting connections", "the database system is not accepting connections");

  /** The restore test as {@link RestoreCommand} calls it, after confirmation. */
  @FunctionalInterface
  interface Runner {
    int restore(RestorePlan plan);
  }

  static final String LOG_FILE = "restore-test.log";
  /** How long recovery may take before pgctl stops waiting (the copy keeps running): replay of a day's WAL. */
  static final Duration RECOVERY_TIMEOUT = Duration.ofHours(1);
  private static final Duration POLL = Duration.ofMillis(500);

  private final NodeConfig config;
  private final BackrestRunner backrest;
  private final SqlRunner sql;
  private final PrintStream out;
  private final Duration timeout;

  RestoreCopy(NodeConfig config, BackrestRunner backrest, SqlRunner sql, PrintStream out, Duration timeout) {
    this.config = config;
    this.backrest = backrest;
    this.sql = sql;
    this.out = out;
    this.timeout = timeout;
  }

  /**
   * A free TCP port on the loopback, for the copy. Another process may take it before PostgreSQL binds it; then
   * PostgreSQL fails to start and says so ("could not bind"), which is reported like any start failure.
   */
  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw CtlException.failure("no free port for the restored copy (give one with --port): " + e.getMessage());
    }
  }

  int restore(RestorePlan plan) {
    Path dir = plan.to().orElseThrow();
    RestoreCommand.checkEmpty(dir);
    try {
      // 0700 as PostgreSQL requires of a data directory; created here so pgBackRest finds its pg1-path.
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (IOException e) {
      throw CtlException.failure("--to " + dir + " cannot be created: " + e.getMessage());
    }
    RestoreRequest request = plan.target().toRequest(Optional.of(dir), Optional.of(plan.backup().label()))
        .withArchiveModeOff();
    out.println("Restoring " + plan.backup().label() + " into " + dir + " ...");
    out.flush();
    Outcome<CommandRun> restored = backrest.restore(request);
    if (restored instanceof Outcome.Failed<CommandRun> f) {
      throw CtlException.failure("pgBackRest could not restore into " + dir + ": " + f.failure().describe());
    }
    Path log = dir.resolve(LOG_FILE);
    out.println("Starting PostgreSQL on " + dir + " (port " + plan.port() + ", log " + log + ") and replaying WAL to"
        + " the target ...");
    out.flush();
    start(dir, log, plan.port());
    return awaitPromoted(dir, log, plan);
  }

  private void start(Path dir, Path log, int port) {
    String options = "-c port=" + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=''"
        + " -c archive_mode=off -c primary_conninfo='' -c primary_slot_name='' -c synchronous_standby_names=''"
        + " -c logging_collector=off -c hot_standby=on";
    List<String> argv = List.of(config.postgresql().binDir().resolve("pg_ctl").toString(), "start", "-D",
        dir.toString(), "-l", log.toString(), "-w", "-t", String.valueOf(Math.max(1, timeout.toSeconds())),
        "-o", options);
    ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
    String output;
    int exit;
    try {
      Process p = pb.start();
      p.getOutputStream().close();
      // pg_ctl -w returns when the server accepts read-only connections (consistent) or has died; the postmaster
      // writes to the log file (-l), not to this pipe, so reading to its end does not wait for the server.
      output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(timeout.toSeconds() + 30, TimeUnit.SECONDS)) {
        p.destroy();
        throw CtlException.failure("pg_ctl start did not return; see " + log);
      }
      exit = p.exitValue();
    } catch (IOException e) {
      throw CtlException.failure("cannot run pg_ctl from " + config.postgresql().binDir() + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CtlException.failure("interrupted while starting PostgreSQL on " + dir);
    }
    if (exit != 0) {
      throw CtlException.failure("PostgreSQL on " + dir + " did not start: " + failureLine(log)
          .orElse(output.strip().lines().reduce((a, b) -> b).orElse("pg_ctl exited " + exit)) + " (log: " + log
          + "; the restored files are kept)");
    }
  }

  private int awaitPromoted(Path dir, Path log, RestorePlan plan) {
    Credentials su = config.postgresql().superuser();
    SqlRunner.Target target = new SqlRunner.Target("127.0.0.1", plan.port(), su.username(), su.password(),
        "postgres");
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no answer yet";
    while (true) {
      if (!Files.exists(dir.resolve("postmaster.pid"))) {
        throw CtlException.failure("PostgreSQL on " + dir + " stopped before reaching the target "
            + plan.target().describe() + ": " + failureLine(log).orElse("see " + log) + " (the restored files are"
            + " kept; remove " + dir + " when done)");
      }
      try {
        Optional<SqlRunner.Rows> rows = sql.run(target, Optional.of(false), "SELECT 1");
        if (rows.isPresent()) {
          break;
        }
        last = "still in recovery";
      } catch (SQLException e) {
        last = e.getMessage();
      }
      if (System.nanoTime() - deadline > 0) {
        throw CtlException.failure("PostgreSQL on " + dir + " has not left recovery after " + timeout.toMinutes()
            + " min (" + last + "); it is still running: see " + log + ", stop it with "
            + config.postgresql().binDir().resolve("pg_ctl") + " -D " + dir + " stop");
      }
      try {
        Thread.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw CtlException.failure("interrupted while waiting for PostgreSQL on " + dir);
      }
    }
    out.println(recoveryLine(log).map(l -> "PostgreSQL: " + l + "\n").orElse("")
        + "Restored: " + dir + " has reached the target and accepts writes (archive_mode=off).");
    out.println("Connect:  psql \"host=127.0.0.1 port=" + plan.port() + " user=" + su.username()
        + " dbname=postgres\"  (the cluster's passwords as of the target)");
    out.println("Stop:     " + config.postgresql().binDir().resolve("pg_ctl") + " -D " + dir + " stop");
    out.println("The copy is yours to remove when done (pgctl never deletes it).");
    return 0;
  }

  /**
   * The server log's line saying why it stopped (FATAL/PANIC), the last one that is not a refused connection: our
   * own probes during recovery are refused with FATAL lines ("the database system is in recovery mode", SQLSTATE
   * 57P03), and one can land after the startup process's own FATAL while the server shuts down (seen in
   * RestoreTestIT, 2026-12-07). The last FATAL/PANIC of any kind when there is no other.
   */
  static Optional<String> failureLine(Path log) {
    return failureLine(readLines(log));
  }

  static Optional<String> failureLine(List<String> lines) {
    List<String> markers = List.of("FATAL:", "PANIC:");
    Optional<String> reason = lastLine(lines.stream()
        .filter(l -> REFUSED_CONNECTION.stream().noneMatch(l::contains)).toList(), markers);
    return reason.isPresent() ? reason : lastLine(lines, markers);
  }

  /** Where recovery stopped ("recovery stopping ..."), for the success message. */
  private static Optional<String> recoveryLine(Path log) {
    return lastLine(readLines(log), List.of("recovery stopping", "consistent recovery state reached"));
  }

  private static List<String> readLines(Path log) {
    try {
      return Files.readAllLines(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return List.of();
    }
  }

  private static Optional<String> lastLine(List<String> lines, List<String> markers) {
    List<String> hits = new ArrayList<>();
    for (String l : lines) {
      if (markers.stream().anyMatch(l::contains)) {
        hits.add(l.strip());
      }
    }
    return hits.isEmpty() ? Optional.empty() : Optional.of(hits.get(hits.size() - 1));
  }
}
