package io.pgquorum.bench.sync;

import io.pgquorum.bench.failover.HaCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * PostgreSQL 15's pgbench against one server: {@code -i} once, then timed runs of its built-in TPC-B-like script
 * (three updates, a select and an insert per transaction, one commit), each into its own directory with the
 * output and the per-transaction log ({@code --log}).
 */
public final class Pgbench {
  private final Path pgbench;
  private final Path dir;
  private final HaCluster.Endpoint at;
  private final String user;
  private final String password;

  public Pgbench(Path pgBin, Path dir, HaCluster.Endpoint at, String user, String password) {
    this.pgbench = pgBin.resolve("pgbench");
    this.dir = dir;
    this.at = at;
    this.user = user;
    this.password = password;
  }

  /**
   * Creates {@code role} (a superuser with a password of the bench's, the same way for both systems) on {@code c}'s
   * primary and returns a pgbench against that primary as that role; {@link #init} is the caller's.
   */
  public static Pgbench onPrimary(Path pgBin, Path dir, HaCluster c, String role) throws SQLException {
    int p = c.primary();
    if (p < 0) {
      throw new IllegalStateException(c.system() + ": no single primary");
    }
    String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
    try (Connection conn = c.connect(p, 5, 30); Statement st = conn.createStatement()) {
      st.execute("CREATE ROLE " + role + " LOGIN SUPERUSER PASSWORD '" + password + "'");
    }
    return new Pgbench(pgBin, dir, c.postgresEndpoint(p), role, password);
  }

  /** The same pgbench (directory, role, password) against {@code other} (the primary after a failover). */
  public Pgbench at(HaCluster.Endpoint other) {
    return new Pgbench(pgbench.getParent(), dir, other, user, password);
  }

  /** {@code pgbench -i -s scale}: creates and fills the tables (replicated to the standbys like any write). */
  public void init(int scale) throws IOException, InterruptedException {
    run(Files.createDirectories(dir.resolve("init")), Duration.ofMinutes(15), "-i", "-q", "-s",
        Integer.toString(scale));
  }

  /** One timed run's output and per-transaction log. */
  record Outcome(PgbenchOutput.Summary summary, PgbenchOutput.Log log) {}

  /** {@code pgbench -c clients -j 1 -T seconds --log} into {@code dir/label}. */
  Outcome timed(String label, int clients, Duration duration) throws IOException, InterruptedException {
    Path out = Files.createDirectories(dir.resolve(label));
    // One thread: pgbench's client side is light at these rates, and one thread writes one log file.
    String text = run(out, duration.plusMinutes(5), "-c", Integer.toString(clients), "-j", "1", "-T",
        Long.toString(duration.toSeconds()), "--log", "--log-prefix=" + out.resolve("tx"));
    List<String> lines = new ArrayList<>();
    try (Stream<Path> files = Files.list(out)) {
      for (Path f : files.filter(f -> f.getFileName().toString().startsWith("tx.")).sorted().toList()) {
        lines.addAll(Files.readAllLines(f, StandardCharsets.UTF_8));
      }
    }
    return new Outcome(PgbenchOutput.summary(text), PgbenchOutput.log(lines));
  }

  /**
   * {@code pgbench -c clients -j 1 -T seconds} into {@code dir/label}, without the per-transaction log (a load for
   * minutes, not a latency measurement): its summary, or an IOException when it ended early (its server stopped
   * accepting the load) or did not end in time.
   */
  public PgbenchOutput.Summary load(String label, int clients, Duration duration)
      throws IOException, InterruptedException {
    Path out = Files.createDirectories(dir.resolve(label));
    return PgbenchOutput.summary(run(out, duration.plusMinutes(5), "-c", Integer.toString(clients), "-j", "1",
        "-T", Long.toString(Math.max(1, duration.toSeconds()))));
  }

  private String run(Path workDir, Duration timeout, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(pgbench.toString(), "-h", at.host(), "-p",
        Integer.toString(at.port()), "-U", user));
    cmd.addAll(List.of(args));
    cmd.add("postgres");
    Path output = workDir.resolve("pgbench.out");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
        .redirectOutput(output.toFile());
    pb.environment().put("PGPASSWORD", password);
    pb.environment().put("PGCONNECT_TIMEOUT", "10");
    Process p = pb.start();
    p.getOutputStream().close();
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new IOException("pgbench did not end within " + timeout + " (see " + output + ")");
    }
    String text = Files.readString(output, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IOException("pgbench " + String.join(" ", args) + " exited " + p.exitValue() + ": " + text);
    }
    return text;
  }
}
