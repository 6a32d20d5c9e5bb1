package io.pgquorum.jepsen.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pgquorum.jepsen.fault.Component;
import io.pgquorum.jepsen.fault.Fault;
import io.pgquorum.jepsen.fault.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The process-level faults of {@link PgCluster} on one shared three-node cluster (starting one costs 20-40 s
 * here): kill -9 and restart of the primary's daemon, a frozen PostgreSQL tree on a replica, and a daemon
 * restarted under libfaketime and back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PgClusterFaultsIT {
  PgCluster cluster;

  @BeforeAll
  void start() throws Exception {
    cluster = PgCluster.start(PgClusterSpec.defaults());
  }

  @AfterAll
  void stop() {
    if (cluster != null) {
      cluster.close();
      assertThat(cluster.baseDir()).doesNotExist();
    }
  }

  private void healthy() {
    try {
      cluster.awaitHealthy(Duration.ofSeconds(90));
    } catch (IllegalStateException e) {
      throw new AssertionError(e.getMessage() + cluster.diagnostics(), e);
    }
  }

  @Test
  @Order(1)
  void supportsEveryFullStackFaultKind() {
    assertThat(cluster.supports(new Fault.Kill(Target.primary(), Component.DAEMON))).isTrue();
    assertThat(cluster.supports(new Fault.Pause(Target.replica(0), Component.POSTGRES))).isTrue();
    assertThat(cluster.supports(new Fault.ClockSkew(Target.node(0), 2.0))).isTrue();
    assertThat(cluster.supports(new Fault.Delay(50))).isTrue();
    assertThat(cluster.supports(new Fault.Kill(Target.primary(), Component.DCS_MEMBER))).isFalse();
    assertThatThrownBy(() -> cluster.kill(0, Component.DCS_MEMBER)).isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("DAEMON");
  }

  @Test
  @Order(2)
  void killNineOfThePrimaryDaemonThenRestart() {
    int p = cluster.primary();
    assertThat(p).isGreaterThanOrEqualTo(0);
    long pid = cluster.daemonPid(p);
    long postmaster = cluster.postmasterPid(p).orElseThrow();
    cluster.kill(p, Component.DAEMON);
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("daemon JVM gone").isFalse();
    assertThat(cluster.get(p, "/patroni").status()).isZero();
    assertThat(ProcessHandle.of(postmaster).map(ProcessHandle::isAlive).orElse(false))
        .as("PostgreSQL runs detached and survives the daemon").isTrue();
    cluster.restart(p, Component.DAEMON);
    assertThat(cluster.daemonPid(p)).isNotEqualTo(pid);
    cluster.awaitDaemonUp(p, Duration.ofSeconds(60));
    healthy();
  }

  @Test
  @Order(3)
  void pausingAReplicasPostgresFreezesTheWholeTree() throws Exception {
    int p = cluster.primary();
    int r = Target.replica(0).resolve(cluster.size(), p);
    assertThat(query(r)).isEqualTo(1);
    long postmaster = cluster.postmasterPid(r).orElseThrow();
    List<Long> tree = ProcessHandle.of(postmaster).orElseThrow().descendants().map(ProcessHandle::pid).toList();
    assertThat(tree).as("backends and auxiliary processes").isNotEmpty();
    cluster.pause(r, Component.POSTGRES);
    try {
      assertThat(cluster.postgresPaused(r)).isTrue();
      assertThat(state(postmaster)).isEqualTo('T');
      for (long pid : tree) {
        char st = state(pid);
        if (st != '?' && st != 'Z') { // a backend that exited meanwhile (our own query's) is no counterexample
          assertThat(st).as("process %d of the tree is stopped", pid).isEqualTo('T');
        }
      }
      assertThatThrownBy(() -> query(r)).as("a frozen server answers nothing").isInstanceOf(SQLException.class);
    } finally {
      cluster.resume(r, Component.POSTGRES);
    }
    assertThat(cluster.postgresPaused(r)).isFalse();
    assertThat(state(postmaster)).isNotEqualTo('T');
    await("the replica answers again").atMost(Duration.ofSeconds(30)).ignoreExceptions()
        .until(() -> query(r) == 1);
    healthy();
  }

  @Test
  @Order(4)
  void clockSkewRestartsTheDaemonUnderFaketimeAndBack() throws Exception {
    int p = cluster.primary();
    int r = Target.replica(0).resolve(cluster.size(), p);
    long before = cluster.daemonPid(r);
    cluster.clockRate(r, 2.0);
    long skewed = cluster.daemonPid(r);
    assertThat(skewed).isNotEqualTo(before);
    // The message says whether the PID still lives and what the launch logged (one run, 2026-12-07, read an empty
    // environment here; see environ() for the likely cause).
    assertThat(environ(skewed)).as("environment of pid %d (alive: %s)%s", skewed, cluster.daemonAlive(r),
        cluster.diagnostics()).contains("FAKETIME=+0 x2.0").contains("LD_PRELOAD=" + PgCluster.LIBFAKETIME);
    cluster.awaitDaemonUp(r, Duration.ofSeconds(60));
    healthy();
    cluster.clockRate(r, 1.0);
    long normal = cluster.daemonPid(r);
    assertThat(normal).isNotEqualTo(skewed);
    // Not vacuous: the environment read is the daemon's (every launch sets PGQUORUM_JAVA_OPTS), not a gone PID's.
    assertThat(environ(normal)).as("environment of pid %d%s", normal, cluster.diagnostics())
        .contains("PGQUORUM_JAVA_OPTS=").doesNotContain("FAKETIME");
    cluster.awaitDaemonUp(r, Duration.ofSeconds(60));
    healthy();
  }

  private int query(int node) throws SQLException {
    try (Connection c = cluster.connect(node, 2, 2); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT 1")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /** The process state letter from /proc/<pid>/stat (T = stopped). */
  private static char state(long pid) {
    return PostgresPause.state(pid);
  }

  /**
   * The process's environment, polled until it reads non-empty (at most 10 s). Why: the PID is the launcher's
   * ({@code bin/pgquorum}, a bash script that ends in {@code exec java}), read at once after the launch; while the
   * kernel execs, the new address space has no environment set up yet and {@code /proc/PID/environ} reads empty,
   * the likely cause of the one empty read seen (2026-12-07). A gone PID fails the read (no such file).
   */
  private static String environ(long pid) {
    Path file = Path.of("/proc/" + pid + "/environ");
    try {
      return await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
          .until(() -> new String(Files.readAllBytes(file)).replace('\0', '\n'), env -> !env.isEmpty());
    } catch (ConditionTimeoutException e) {
      return ""; // the caller's assertion says what was expected, and whether the PID lives
    }
  }
}
