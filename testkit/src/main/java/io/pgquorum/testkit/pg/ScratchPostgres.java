package io.pgquorum.testkit.pg;

import io.pgquorum.testkit.proc.Commands;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A bare PostgreSQL 15 server for tests of tools that work on one (pgBackRest, pg_basebackup ...), without
 * pgquorum's coordinator: initdb (or an existing data directory, e.g. a restored copy), start and stop with pg_ctl,
 * and SQL through psql over the unix socket (trust authentication, superuser {@code postgres}). It listens on no
 * TCP address, so two scratch servers never collide on more than the port number they are given.
 */
public final class ScratchPostgres implements AutoCloseable {
  /** Debian's PostgreSQL 15, the version pgquorum targets. */
  public static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
  private static final int TIMEOUT_SECONDS = 120;

  private final Path dataDir;
  private final Path socketDir;
  private final int port;

  private ScratchPostgres(Path dataDir, Path socketDir, int port) {
    this.dataDir = dataDir;
    this.socketDir = socketDir;
    this.port = port;
  }

  /**
   * A new cluster (with data checksums, as pgBackRest's page checks expect) that will listen on {@code port} and a
   * socket in {@code socketDir} (keep it short: unix socket paths are limited to 107 bytes).
   *
   * @throws IllegalStateException when run as root, which PostgreSQL refuses: run Maven as an unprivileged user
   */
  public static ScratchPostgres initdb(Path dataDir, Path socketDir, int port) throws IOException {
    if (Commands.isRoot()) {
      throw new IllegalStateException("PostgreSQL refuses to run as root: run Maven as an unprivileged user, "
          + "e.g. su dev -c './mvnw ...'");
    }
    Commands.runChecked(List.of(BIN.resolve("initdb").toString(), "-D", dataDir.toString(), "-U", "postgres",
        "-A", "trust", "--data-checksums", "--no-sync"), TIMEOUT_SECONDS);
    ScratchPostgres pg = new ScratchPostgres(dataDir, socketDir, port);
    pg.appendConf("listen_addresses = ''", "unix_socket_directories = '" + socketDir + "'", "port = " + port);
    return pg;
  }

  /** An existing data directory (a restored copy), started on {@code port} whatever its configuration says. */
  public static ScratchPostgres existing(Path dataDir, Path socketDir, int port) {
    return new ScratchPostgres(dataDir, socketDir, port);
  }

  public Path dataDir() {
    return dataDir;
  }

  public int port() {
    return port;
  }

  public Path socketDir() {
    return socketDir;
  }

  /** Appends lines to postgresql.conf (later lines win, so this also overrides). */
  public void appendConf(String... lines) throws IOException {
    Files.writeString(dataDir.resolve("postgresql.conf"), String.join("\n", lines) + "\n",
        StandardOpenOption.APPEND);
  }

  /** Starts the server and waits until it accepts connections (pg_ctl -w); its log is {@code <dataDir>.log}. */
  public void start() {
    Commands.runChecked(List.of(BIN.resolve("pg_ctl").toString(), "start", "-w", "-t",
        Integer.toString(TIMEOUT_SECONDS), "-D", dataDir.toString(), "-l", dataDir + ".log", "-o",
        "-p " + port + " -k " + socketDir + " -c listen_addresses="), TIMEOUT_SECONDS + 10);
  }

  /** One SQL statement (psql -c: one transaction), its result as unaligned text without headers. */
  public String sql(String statement) {
    List<String> cmd = new ArrayList<>(List.of(BIN.resolve("psql").toString(), "-X", "-A", "-t", "-v",
        "ON_ERROR_STOP=1", "-h", socketDir.toString(), "-p", Integer.toString(port), "-U", "postgres", "-d",
        "postgres", "-c", statement));
    return Commands.runChecked(cmd, TIMEOUT_SECONDS).trim();
  }

  /** Stops the server (immediate: tests need no clean shutdown); does nothing when it is not running. */
  public void stop() {
    if (Files.exists(dataDir.resolve("postmaster.pid"))) {
      Commands.run(List.of(BIN.resolve("pg_ctl").toString(), "stop", "-w", "-m", "immediate", "-D",
          dataDir.toString()), TIMEOUT_SECONDS);
    }
  }

  @Override
  public void close() {
    stop();
  }
}
