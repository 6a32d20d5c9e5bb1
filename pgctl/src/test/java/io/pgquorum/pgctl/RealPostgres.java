package io.pgquorum.pgctl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A throwaway PostgreSQL 15 server (initdb, pg_ctl) on a loopback port, trust authentication, for query tests. */
final class RealPostgres implements AutoCloseable {
  static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");

  private final Path data;
  final int port;

  private RealPostgres(Path data, int port) {
    this.data = data;
    this.port = port;
  }

  static RealPostgres start(Path dir, int port) throws IOException, InterruptedException {
    Path data = dir.resolve("pg");
    run(List.of(BIN.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres", "--auth=trust",
        "--no-sync"), Duration.ofMinutes(2));
    run(List.of(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-w", "-t", "60", "-l",
        dir.resolve("pg.log").toString(), "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -k " + dir
        + " -c fsync=off", "start"), Duration.ofMinutes(2));
    return new RealPostgres(data, port);
  }

  /** {@code server_version_num}, as the coordinator reads it. */
  int serverVersionNum() throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres",
        ""); Statement s = c.createStatement(); ResultSet r = s.executeQuery("SHOW server_version_num")) {
      r.next();
      return Integer.parseInt(r.getString(1));
    }
  }

  private static void run(List<String> argv, Duration timeout) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException(argv.get(0) + " failed: " + output);
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    if (Files.isDirectory(data)) {
      run(List.of(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop"),
          Duration.ofMinutes(1));
    }
  }
}
