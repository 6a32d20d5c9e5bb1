package io.pgquorum.coordinator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.it.LocalCluster.HttpResult;
import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import io.pgquorum.testkit.FreePorts;
import io.pgquorum.testkit.proc.Commands;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Issue 17, items 1, 2 and 5, end to end with a real daemon started through bin/pgquorum:
 * <ul>
 *   <li>a configuration written for older PostgreSQL ({@code wal_keep_segments}) is converted, not passed on;
 *   <li>a custom bootstrap from another cluster, whose superuser password differs, comes up and ends with the
 *       configured passwords;
 *   <li>while the bootstrap runs, {@code GET /} never answers 503 "initializing new cluster" while PostgreSQL
 *       accepts client connections (the lock is taken after the bootstrap, and PostgreSQL serves only then);
 *   <li>a failed bootstrap moves the data directory aside once, says why, and the daemon exits non-zero.
 * </ul>
 */
class BootstrapIT {
  private static final String BIN = "/usr/lib/postgresql/15/bin";
  private static final String OTHER_PASSWORD = "the-other-clusters-pw";

  @Test
  void aCustomBootstrapFromAnotherClusterComesUpWithTheConfiguredPasswords() throws Exception {
    try (LocalCluster cluster = new LocalCluster("it-boot-custom", 1, 8, false)) {
      NodeSpec n = cluster.nodes.get(0);
      int otherPort = FreePorts.next();
      Path other = cluster.base.resolve("other");
      startOtherCluster(cluster.base, other, otherPort);
      try {
        Path script = cluster.base.resolve("from-other.sh");
        Files.writeString(script, "#!/bin/sh\n"
            + "for a in \"$@\"; do case \"$a\" in --datadir=*) datadir=${a#--datadir=};; esac; done\n"
            + "PGPASSWORD=" + OTHER_PASSWORD + " exec " + BIN + "/pg_basebackup -D \"$datadir\" -h 127.0.0.1"
            + " -p " + otherPort + " -U postgres -X stream -c fast --no-sync\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        edit(n, "  initdb:\n", "  method: from_other\n  from_other:\n    command: " + script + "\n  initdb:\n");
        // Patroni configurations written for PostgreSQL 12 and older carry wal_keep_segments (16 MB each).
        edit(n, "wal_keep_size: 64MB", "wal_keep_segments: 4");

        cluster.start(n);
        List<String> violations = pollDuringBootstrap(cluster, n);

        assertThat(violations).as("GET / said 'initializing new cluster' while PostgreSQL served clients")
            .isEmpty();
        try (Connection c = LocalCluster.connect(n); Statement s = c.createStatement()) {
          assertThat(one(s, "SELECT v FROM from_other")).isEqualTo("copied");
          assertThat(one(s, "SHOW wal_keep_size")).isEqualTo("64MB");
        }
        assertThat(connects(n, OTHER_PASSWORD)).as("the other cluster's password no longer works").isFalse();
        String log = cluster.logs(n);
        assertThat(log).contains("wal_keep_segments").contains("wal_keep_size");
        assertThat(log).doesNotContain("PostgreSQL is already running");
      } finally {
        Commands.run(List.of(BIN + "/pg_ctl", "stop", "-m", "immediate", "-w", "-D", other.toString()), 30);
      }
    }
  }

  @Test
  void whileInitdbAndPostBootstrapRunPostgresqlServesNoClient() throws Exception {
    try (LocalCluster cluster = new LocalCluster("it-boot-order", 1, 8, false)) {
      NodeSpec n = cluster.nodes.get(0);
      // A post_bootstrap that takes a while (creating databases, extensions): the window in which the old order
      // served clients under a 503 "initializing new cluster".
      Path post = cluster.base.resolve("post.sh");
      Files.writeString(post, "#!/bin/sh\nsleep 3\n", StandardCharsets.UTF_8);
      Files.setPosixFilePermissions(post, PosixFilePermissions.fromString("rwx------"));
      edit(n, "  initdb:\n", "  post_bootstrap: " + post + "\n  initdb:\n");

      cluster.start(n);
      List<String> violations = pollDuringBootstrap(cluster, n);

      assertThat(violations).as("GET / said 'initializing new cluster' while PostgreSQL served clients")
          .isEmpty();
    }
  }

  @Test
  void aFailedBootstrapMovesTheDataDirectoryAsideOnceAndExits() throws Exception {
    try (LocalCluster cluster = new LocalCluster("it-boot-fail", 1, 8, false)) {
      NodeSpec n = cluster.nodes.get(0);
      edit(n, "shared_buffers: 16MB", "shared_buffers: lots");

      cluster.start(n);
      boolean exited = n.daemon.process().waitFor(90, TimeUnit.SECONDS);
      List<Path> aside = movedAside(n);
      String log = cluster.logs(n);

      assertThat(exited).as("the daemon gives up after one failed bootstrap; moved aside so far: " + aside.size()
          + cluster.diagnostics()).isTrue();
      assertThat(n.daemon.process().exitValue()).as(log).isEqualTo(1);
      assertThat(aside).as("one copy of the failed data directory").hasSize(1);
      assertThat(log).contains("removing initialize key after failed attempt to bootstrap the cluster")
          .contains("PostgreSQL rejected the setting shared_buffers = 'lots'");
      List<String> errors = log.lines().filter(l -> l.startsWith("pgquorum: ")).toList();
      assertThat(errors).as(log).hasSize(1).allSatisfy(l -> assertThat(l).contains("shared_buffers"));
      System.out.println("BootstrapIT: exited 1 with: " + errors.get(0));
    }
  }

  /**
   * Polls {@code GET /} and PostgreSQL's client port every 50 ms until the node answers 200 on {@code /primary}
   * (at most 120 s); returns every poll where the REST API said "initializing new cluster" while the port took
   * client connections (a login, or a refused password: either way a server answering clients).
   */
  private static List<String> pollDuringBootstrap(LocalCluster cluster, NodeSpec n) throws Exception {
    List<String> violations = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (LocalCluster.get(n, "/primary").status() != 200) {
      assertThat(System.nanoTime()).as("the node became primary within 120 s" + cluster.diagnostics())
          .isLessThan(deadline);
      HttpResult root = LocalCluster.get(n, "/");
      boolean serving = serves(n);
      if (root.status() == 503 && root.body().contains("initializing new cluster") && serving) {
        violations.add(root.body());
      }
      Thread.sleep(50);
    }
    return violations;
  }

  /** Whether PostgreSQL on the node's client port answers a client at all (any password). */
  private static boolean serves(NodeSpec n) {
    try (Connection c = LocalCluster.connect(n, "not-the-password")) {
      return true;
    } catch (SQLException e) {
      // 28P01 invalid password, 28000 no pg_hba line: the server answered. Connection refused: it did not.
      String state = e.getSQLState() == null ? "" : e.getSQLState();
      return state.startsWith("28");
    }
  }

  private static boolean connects(NodeSpec n, String password) {
    try (Connection c = LocalCluster.connect(n, password)) {
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  private static String one(Statement s, String sql) throws SQLException {
    try (ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getString(1);
    }
  }

  private static void edit(NodeSpec n, String from, String to) throws Exception {
    String yaml = Files.readString(n.config());
    assertThat(yaml).contains(from);
    Files.writeString(n.config(), yaml.replace(from, to));
  }

  private static List<Path> movedAside(NodeSpec n) throws Exception {
    try (Stream<Path> s = Files.list(n.dataDir().getParent())) {
      return s.filter(p -> p.getFileName().toString().startsWith(n.dataDir().getFileName() + ".failed-")).toList();
    }
  }

  /** A standalone PostgreSQL 15 with its own superuser password and one table, the source of the bootstrap. */
  private static void startOtherCluster(Path base, Path dir, int port) throws Exception {
    Path pw = base.resolve("other.pw");
    Files.writeString(pw, OTHER_PASSWORD + "\n");
    run(List.of(BIN + "/initdb", "-D", dir.toString(), "-U", "postgres", "--pwfile=" + pw, "-N",
        "--auth-local=scram-sha-256", "--auth-host=scram-sha-256"));
    Files.writeString(dir.resolve("postgresql.conf"), "\nlisten_addresses = '127.0.0.1'\nport = " + port
        + "\nunix_socket_directories = '" + base + "'\n", java.nio.file.StandardOpenOption.APPEND);
    run(List.of(BIN + "/pg_ctl", "start", "-w", "-D", dir.toString(), "-l", base.resolve("other.log").toString()));
    Properties p = new Properties();
    p.setProperty("user", "postgres");
    p.setProperty("password", OTHER_PASSWORD);
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", p);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE from_other (v text)");
      s.execute("INSERT INTO from_other VALUES ('copied')");
    }
  }

  private static void run(List<String> argv) throws Exception {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(String.join(" ", argv) + ":\n" + out).isZero();
  }
}
