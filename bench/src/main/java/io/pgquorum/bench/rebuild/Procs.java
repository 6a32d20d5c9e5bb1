package io.pgquorum.bench.rebuild;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The PostgreSQL tools the rebuild suite runs, each logged to one file, and the polls it waits with. */
final class Procs {
  private final Path pgBin;
  private final Path log;

  Procs(Path pgBin, Path log) {
    this.pgBin = pgBin;
    this.log = log;
  }

  String bin(String name) {
    return pgBin.resolve(name).toString();
  }

  /** Runs a command to completion; fails with the log's name when it exits non-zero or outlives {@code timeout}. */
  void run(Duration timeout, String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    p.getOutputStream().close();
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", command) + " did not end within " + timeout + " (see " + log + ")");
    }
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + " (see " + log + ")");
    }
  }

  void pgCtl(Path dataDir, String action) throws IOException, InterruptedException {
    run(Duration.ofMinutes(30), bin("pg_ctl"), "-D", dataDir.toString(), "-l",
        dataDir.resolveSibling(dataDir.getFileName() + ".log").toString(), "-w", "-t", "1800", action);
  }

  /** A fast stop of the server in {@code dataDir} when its postmaster.pid says one runs. */
  void stopIfRunning(Path dataDir) {
    if (!Files.exists(dataDir.resolve("postmaster.pid"))) {
      return;
    }
    List<String> cmd = new ArrayList<>(List.of(bin("pg_ctl"), "-D", dataDir.toString(), "-m", "fast", "-w",
        "stop"));
    try {
      run(Duration.ofMinutes(5), cmd.toArray(String[]::new));
    } catch (IOException | InterruptedException e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("stopping the server in " + dataDir + " failed: " + e.getMessage(), e);
    }
  }

  String query(int port, String user, String sql) throws SQLException {
    try (Connection c = connect(port, user); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getString(1);
    }
  }

  /**
   * Polls the replica until its WAL receiver streams and it has replayed past {@code targetLsn}: a rebuilt replica
   * that is useful again.
   */
  void awaitStreaming(int port, String user, String targetLsn, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    String sql = "SELECT (SELECT status FROM pg_stat_wal_receiver) = 'streaming' AND pg_last_wal_replay_lsn() >= '"
        + targetLsn + "'::pg_lsn";
    String last = "";
    while (System.nanoTime() < deadline) {
      try {
        if ("t".equals(query(port, user, sql))) {
          return;
        }
        last = "not streaming or behind " + targetLsn;
      } catch (SQLException e) {
        last = e.getMessage(); // still starting
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("the replica on port " + port + " did not catch up within " + timeout + ": "
        + last);
  }

  private static Connection connect(int port, String user) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("connectTimeout", "5");
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", p);
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
