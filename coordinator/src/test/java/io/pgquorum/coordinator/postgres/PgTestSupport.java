package io.pgquorum.coordinator.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.testkit.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * Shared plumbing for tests against real PostgreSQL: refuses root, picks free ports, tracks every data
 * directory so its postmaster is stopped (by data directory, then by pid) and the temp tree removed, connects
 * with JDBC, and captures pgquorum's log lines to check for leaked secrets.
 */
final class PgTestSupport implements AutoCloseable {
  final Path base;
  private final List<Path> dataDirs = new ArrayList<>();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  PgTestSupport() throws IOException {
    requireNotRoot();
    base = Files.createTempDirectory("pgq-pg-");
    logs.start();
    ((Logger) LoggerFactory.getLogger("io.pgquorum")).addAppender(logs);
  }

  /** PostgreSQL refuses to run as root; say so plainly instead of failing deep inside initdb. */
  static void requireNotRoot() throws IOException {
    int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    assertThat(uid).as("these tests start PostgreSQL, which refuses to run as root: run Maven as an"
        + " unprivileged user, e.g. su pgquorum-ci -c './mvnw ...'").isNotZero();
  }


  TestNodes.Builder node(String name) throws IOException {
    TestNodes.Builder b = TestNodes.node(base, name, FreePorts.next());
    dataDirs.add(b.dataDir());
    return b;
  }

  /** Registers another directory that may hold a running postmaster (e.g. a moved-aside one). */
  void track(Path dataDir) {
    dataDirs.add(dataDir);
  }

  static Connection connect(NodeConfig node) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", TestNodes.SUPERUSER);
    p.setProperty("password", TestNodes.SUPERUSER_PASSWORD);
    p.setProperty("connectTimeout", "5");
    p.setProperty("socketTimeout", "30");
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + node.postgresql().listen().port()
        + "/postgres", p);
  }

  static void execute(NodeConfig node, String sql) throws SQLException {
    try (Connection c = connect(node); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  static String queryString(NodeConfig node, String sql) throws SQLException {
    try (Connection c = connect(node); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      return r.next() ? r.getString(1) : null;
    }
  }

  static long queryLong(NodeConfig node, String sql) throws SQLException {
    return Long.parseLong(queryString(node, sql));
  }

  /** A directory as a mistyped data_dir could name it: a home directory with only dot files. */
  static Path homeLike(Path home) throws IOException {
    Files.createDirectories(home.resolve(".ssh"));
    Files.writeString(home.resolve(".ssh").resolve("authorized_keys"), "ssh-ed25519 AAAA alice@laptop");
    Files.writeString(home.resolve(".bashrc"), "export EDITOR=vi\n");
    return home;
  }

  /** Every captured pgquorum log line (message with arguments), for secret checks. */
  List<String> logLines() {
    List<String> lines = new ArrayList<>();
    for (ILoggingEvent e : List.copyOf(logs.list)) {
      lines.add(e.getFormattedMessage());
      if (e.getThrowableProxy() != null) {
        lines.add(e.getThrowableProxy().getMessage());
      }
    }
    return lines;
  }

  void assertNoSecretsLogged() {
    for (String line : logLines()) {
      for (String secret : TestNodes.SECRETS) {
        assertThat(line).as("a pgquorum log line").doesNotContain(secret);
      }
    }
  }

  /** Stops every tracked postmaster (immediate, by data directory; then SIGKILL by pid), removes the tree. */
  @Override
  public void close() throws IOException {
    ((Logger) LoggerFactory.getLogger("io.pgquorum")).detachAppender(logs);
    for (Path dir : dataDirs) {
      stopImmediately(dir);
    }
    DataDirectory.deleteTree(base);
  }

  static void stopImmediately(Path dataDir) {
    Optional<PostmasterPid> pm = PostmasterPid.running(dataDir);
    if (pm.isEmpty()) {
      return;
    }
    try {
      Process p = new ProcessBuilder("/usr/lib/postgresql/15/bin/pg_ctl", "stop", "-D", dataDir.toString(), "-m",
          "immediate", "-w", "-t", "20").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
      p.waitFor(30, TimeUnit.SECONDS);
    } catch (IOException e) {
      // fall through to the kill below
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    ProcessHandle.of(pm.get().pid()).ifPresent(h -> {
      if (h.isAlive()) {
        h.destroyForcibly();
      }
    });
  }
}
