package io.pgquorum.coordinator.postgres;

import io.pgquorum.coordinator.postgres.ProcessRunner.OnTimeout;
import io.pgquorum.coordinator.postgres.ProcessRunner.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The PostgreSQL server binaries pgquorum drives: {@code pg_ctl} (start, stop, promote, reload),
 * {@code pg_controldata}, and {@code postgres --single} for crash recovery of a stopped cluster.
 *
 * <p>The server is always started through {@code pg_ctl start}, which forks the postmaster into its own session
 * ({@code setsid}) with output going to a log file: the postmaster is therefore no child of the JVM in any
 * sense that matters (signals to the JVM's process group, the JVM's exit, its pipes), and a restarted pgquorum
 * finds it again through {@code postmaster.pid}.
 */
final class PgCtlRunner {
  private final PgContext ctx;

  PgCtlRunner(PgContext ctx) {
    this.ctx = ctx;
  }

  void start(String operation) {
    start(operation, "");
  }

  /**
   * Starts the server; {@code serverOptions} (may be empty) go to the postmaster's command line through
   * {@code pg_ctl -o}, where they win over every configuration file, {@code postgresql.auto.conf} included.
   */
  void start(String operation, String serverOptions) {
    start(operation, serverOptions, ctx.pgCtlTimeout());
  }

  /** As above, with pg_ctl waiting at most {@code wait} (at least a second) for the server to accept connections. */
  void start(String operation, String serverOptions, java.time.Duration wait) {
    try {
      Files.createDirectories(ctx.runtimeDir);
    } catch (IOException e) {
      throw new PostgresException(operation + " failed: cannot create " + ctx.runtimeDir + ": " + e.getMessage());
    }
    awaitReapedPostmaster(operation);
    long seconds = Math.max(1, wait.toSeconds());
    List<String> argv = new java.util.ArrayList<>(List.of(ctx.bin("pg_ctl"), "start", "-D", ctx.dataDir.toString(),
        "-l", ctx.startupLog.toString(), "-w", "-t", Long.toString(seconds)));
    if (!serverOptions.isEmpty()) {
      argv.add("-o");
      argv.add(serverOptions);
    }
    // pg_ctl's own -t fires first, so its message is what the user sees.
    Result r = ctx.runner.run(operation, argv, Map.of(), java.time.Duration.ofSeconds(seconds + 15),
        OnTimeout.KILL_TOOL);
    if (!r.ok()) {
      Optional<PostmasterPid> pm = PostmasterPid.running(ctx.dataDir);
      String still = pm.map(p -> " (the postmaster, pid " + p.pid() + ", is still running: it may still be"
          + " starting up)").orElse("");
      String output = r.output() + "\n" + logTail();
      throw new PostgresException(operation + " failed (pg_ctl exit " + r.exitCode() + ")" + still
          + RejectedSetting.find(output).map(this::describe).orElse("") + ProcessRunner.outputSuffix(output));
    }
  }

  /**
   * ": PostgreSQL rejected the setting name = 'value' (where it is configured): its message", so that the first
   * line of the error names the setting rather than leaving it to the log tail below.
   */
  private String describe(RejectedSetting rejected) {
    String name = rejected.name();
    Optional<String> value = new ConfigWriter(ctx).currentSetting(name);
    String where = ctx.pg.parameters().keySet().stream().anyMatch(name::equalsIgnoreCase)
        ? "postgresql.parameters"
        : ctx.dynamic().parameters().keySet().stream().anyMatch(name::equalsIgnoreCase)
            ? "parameters of the dynamic configuration"
            : "not set by pgquorum: postgresql.conf, postgresql.auto.conf or a file they include";
    return ": PostgreSQL rejected the setting " + name + value.map(v -> " = '" + ctx.redactor.apply(v) + "'")
        .orElse("") + " (" + where + "): " + rejected.message() + ". Fix or remove it";
  }

  /**
   * A postmaster killed by a fence (SIGKILL) leaves its postmaster.pid behind, naming a zombie until init reaps it
   * (on this kind of machine, a second or two later). PostgreSQL's own lock-file check takes a zombie for a live
   * postmaster ("lock file postmaster.pid already exists") and refuses to start: wait a bounded time for init.
   */
  private void awaitReapedPostmaster(String operation) {
    Optional<PostmasterPid> stale = PostmasterPid.read(ctx.dataDir);
    if (stale.isEmpty() || !PostmasterPid.zombie(stale.get().pid())) {
      return;
    }
    long deadline = System.nanoTime() + ctx.shortTimeout().toNanos();
    while (PostmasterPid.zombie(stale.get().pid()) && System.nanoTime() < deadline) {
      Polling.pause(java.time.Duration.ofMillis(50), operation);
    }
  }

  /** Between checks whether a stopping postmaster has exited: see {@link #stop}. */
  static final java.time.Duration STOP_POLL = java.time.Duration.ofMillis(5);

  /**
   * Stops the server; returns false when no server was running.
   *
   * <p>{@code pg_ctl stop -W} only sends the signal; the wait is ours, every {@link #STOP_POLL} on the postmaster
   * process itself. Why not {@code pg_ctl -w}: PostgreSQL 15's pg_ctl checks only every 100 ms, and in a
   * switchover everything after the stop (publishing the last position, releasing the lock, the candidate's
   * promotion) waits for this return while no node accepts writes: the 100 ms steps were 50 ms of the write gap
   * on average. Waiting for the postmaster process to exit is at least what {@code -w} waited for: the postmaster
   * removes postmaster.pid just before it exits, and exits only after every child it had (backends, walsenders,
   * the checkpointer with the shutdown checkpoint) has gone. A server still up after pg_ctl_timeout is an error,
   * as {@code pg_ctl -w -t} made it.
   */
  boolean stop(StopMode mode) {
    Optional<PostmasterPid> pm = PostmasterPid.running(ctx.dataDir);
    if (pm.isEmpty()) {
      return false;
    }
    String operation = "stop (" + mode.name().toLowerCase(Locale.ROOT) + ")";
    List<String> argv = List.of(ctx.bin("pg_ctl"), "stop", "-D", ctx.dataDir.toString(), "-m",
        mode.name().toLowerCase(Locale.ROOT), "-W");
    Result r = ctx.runner.run(operation, argv, Map.of(), ctx.pgCtlRunnerTimeout(), OnTimeout.KILL_TOOL);
    if (!r.ok() && PostmasterPid.running(ctx.dataDir).isPresent()) {
      throw new PostgresException(operation + " failed (pg_ctl exit " + r.exitCode() + ")"
          + ProcessRunner.outputSuffix(r.output()));
    }
    long deadline = System.nanoTime() + ctx.pgCtlTimeout().toNanos();
    while (pm.get().alive()) {
      if (System.nanoTime() > deadline) {
        throw new PostgresException(operation + " failed: the postmaster (pid " + pm.get().pid()
            + ") is still running " + ctx.pgCtlTimeout().toSeconds() + " s after the request (pg_ctl_timeout)");
      }
      Polling.pause(STOP_POLL, operation);
    }
    return true;
  }

  ControlData controlData() {
    Result r = ctx.runner.check("pg_controldata", List.of(ctx.bin("pg_controldata"), "-D", ctx.dataDir.toString()),
        Map.of("LC_ALL", "C"), ctx.shortTimeout(), OnTimeout.KILL_TREE);
    return ControlData.parse(r.output());
  }

  /**
   * Completes crash recovery of a stopped cluster that did not shut down cleanly, by running it once in
   * single-user mode with no input: it replays the WAL, writes a shutdown checkpoint, and exits. Afterwards
   * pg_controldata shows the true end of this cluster's WAL, and pg_rewind accepts it as a target.
   */
  void singleUserRecovery(String operation) {
    ctx.runner.check(operation + ": crash recovery in single-user mode", List.of(ctx.bin("postgres"), "--single",
        "-F", "-D", ctx.dataDir.toString(), "-c", "unix_socket_directories=" + ctx.socketDir,
        "template1"), Map.of(), PgContext.LONG_TOOL_TIMEOUT, OnTimeout.KILL_TREE);
  }

  /** The end of the startup log (the server's own messages when logging_collector is off). */
  private String logTail() {
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(ctx.startupLog.toFile(), "r")) {
      long from = Math.max(0, f.length() - 16_384);
      byte[] buf = new byte[(int) (f.length() - from)];
      f.seek(from);
      f.readFully(buf);
      String tail = ProcessRunner.tail(ctx.redactor.apply(new String(buf, StandardCharsets.UTF_8)));
      return tail.isEmpty() ? "" : "--- " + ctx.startupLog + " ---\n" + tail;
    } catch (IOException e) {
      return "";
    }
  }
}
