package io.pgquorum.bench.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.bench.Tools;
import io.pgquorum.bench.report.Result;
import io.pgquorum.testkit.RepoRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The failover bench's machinery against real clusters: a Patroni + etcd cluster becomes healthy and fails over
 * after kill -9 of the primary's node; a pgquorum cluster goes through the same trial code. Behaviour only, no
 * timing. Needs Debian's patroni and etcd-server packages: without them the Patroni test fails saying so.
 */
class FailoverBenchIT {
  private Path dir;

  @BeforeEach
  void setUp() throws Exception {
    dir = Files.createTempDirectory("failover-bench-it-");
  }

  @AfterEach
  void tearDown() throws Exception {
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static Tools tools() {
    return Tools.detect(RepoRoot.find());
  }

  @Test
  void patroniClusterBecomesHealthyAndFailsOverAfterKillOfThePrimarysNode() throws Exception {
    Variant v = Variant.patroniAggressive(3);
    try (PatroniCluster c = (PatroniCluster) v.start(tools(), dir)) {
      // start() returned: one primary, two replicas streaming from it (checked in PostgreSQL itself).
      int old = c.primary();
      assertThat(old).isBetween(0, 2);
      assertThat(c.dcsLeader((old + 1) % 3)).isEqualTo(c.name(old));
      assertThat(c.effectiveTiming()).hasValue(v.timing());
      assertThat(c.coordinatorPids(old)).hasSize(2);
      assertThat(c.postgresPids(old)).isNotEmpty();

      TrialResult r = FailoverTrial.run(c, FailoverTrial.Fault.KILL9, Duration.ofSeconds(v.timing().ttl() + 60L));

      assertThat(r.oldPrimary()).isEqualTo(old);
      assertThat(r.newPrimary()).isNotEqualTo(old).isBetween(0, 2);
      assertThat(c.coordinatorPids(old)).as("Patroni and etcd of the killed node").isEmpty();
      assertThat(c.postgresPids(old)).as("PostgreSQL of the killed node").isEmpty();
      assertThat(r.phases().detection() + r.phases().election() + r.phases().promotion())
          .isCloseTo(r.phases().total(), org.assertj.core.api.Assertions.within(1e-6));
      assertWritable(c, r.newPrimary());
    }
  }

  @Test
  void pgquorumClusterFailsOverThroughTheSameTrialCode() throws Exception {
    Variant v = Variant.pgquorumDefaults(3);
    try (HaCluster c = v.start(tools(), dir)) {
      assertThat(c.system()).isEqualTo(Result.PGQUORUM);
      int old = c.primary();
      assertThat(old).isBetween(0, 2);
      assertThat(c.dcsLeader((old + 1) % 3)).isEqualTo(c.name(old));
      assertThat(c.coordinatorPids(old)).as("daemon JVM + watchdog child").hasSize(2);

      TrialResult r = FailoverTrial.run(c, FailoverTrial.Fault.KILL9, Duration.ofSeconds(v.timing().ttl() + 60L));

      assertThat(r.newPrimary()).isNotEqualTo(old).isBetween(0, 2);
      assertThat(c.coordinatorPids(old)).isEmpty();
      assertThat(c.postgresPids(old)).isEmpty();
      // The phase split comes from the bench's own Raft client reading the DCS. The old key cannot be gone before
      // its lease could have run out: the primary's last refresh was at most ttl before the kill (a primary whose
      // lease lapsed demotes), and the DCS expires a lease only ttl * (1 + rho) / (1 - rho) ~ 1.105 ttl after the
      // refresh; so detection >= 0.1 ttl. A reader of the wrong group or key would see "no key" at once (~0 s).
      // (Whether the new holder is seen before the first write is not asserted: a read can hang up to its 1 s
      // timeout on the dead member, and the suite handles that case, see Phases.)
      assertThat(r.phases().detection()).as("detection (s)").isGreaterThanOrEqualTo(0.1 * v.timing().ttl());
      assertThat(r.phases().detection() + r.phases().election() + r.phases().promotion())
          .isCloseTo(r.phases().total(), org.assertj.core.api.Assertions.within(1e-6));
      assertWritable(c, r.newPrimary());

      // The killed node comes back as a replica of the new primary.
      c.restartNode(old);
      c.awaitHealthy(Duration.ofMinutes(3));
      assertThat(c.primary()).isEqualTo(r.newPrimary());
    }
  }

  private static void assertWritable(HaCluster c, int node) throws Exception {
    try (Connection conn = c.connect(node, 2, 10); Statement s = conn.createStatement()) {
      s.executeUpdate("INSERT INTO " + ClusterHealth.TABLE + " (node) VALUES ('it')");
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + ClusterHealth.TABLE + " WHERE node = 'it'")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getLong(1)).isEqualTo(1);
      }
    }
  }
}
