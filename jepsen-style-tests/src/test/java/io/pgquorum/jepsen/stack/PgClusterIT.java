package io.pgquorum.jepsen.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.jepsen.checker.AvailabilityChecker;
import io.pgquorum.jepsen.checker.CheckResult;
import io.pgquorum.jepsen.checker.DurabilityChecker;
import io.pgquorum.jepsen.checker.EpochChecker;
import io.pgquorum.jepsen.checker.SetChecker;
import io.pgquorum.jepsen.history.HistoryRecorder;
import io.pgquorum.jepsen.history.Op;
import io.pgquorum.jepsen.history.OpType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The full-stack driver end to end on the proxy network: three real daemons and PostgreSQL servers, probes, set
 * clients and the role observer running while the primary is isolated (every link to and from it cut) for 15 s
 * and then healed. The phases are timed on purpose (healthy for ~10 s, isolated for 15 s): they are the
 * experiment, not waits for conditions; every condition is polled with a deadline.
 */
class PgClusterIT {

  @Test
  void isolatingThePrimaryElectsAnotherWhileTheWorkloadsRecordIt() throws Exception {
    Path historyFile = Files.createTempFile("pgclusterit-", ".jsonl");
    long healAt = -1;
    try (PgCluster cluster = PgCluster.start(PgClusterSpec.defaults());
         HistoryRecorder rec = new HistoryRecorder(System::nanoTime, historyFile)) {
      ClientIds ids = new ClientIds();
      RoleObserver observer = new RoleObserver(cluster, rec);
      DcsObserver dcs = new DcsObserver(cluster, rec);
      EpochProbes probes = new EpochProbes(cluster, rec, ids);
      SetWorkload set = new SetWorkload(cluster, rec, ids, 3);
      try {
        observer.start();
        dcs.start();
        probes.start();
        set.start();
        long healthyFrom = System.nanoTime();
        await("healthy workload").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
            .until(() -> count(rec, o -> o.f().equals("add") && o.type() == OpType.OK) >= 20
                && count(rec, o -> o.f().equals("probe") && o.type() == OpType.OK) >= 10);
        sleepUntil(healthyFrom + 10_000_000_000L);

        int old = cluster.primary();
        assertThat(old).as("a primary before the partition").isGreaterThanOrEqualTo(0);
        String oldName = cluster.name(old);
        long cutAt = rec.now();
        rec.record(Op.of("nemesis", OpType.INFO, "start-partition", null, "isolate " + oldName, null, null));
        cluster.isolate(old);
        assertThat(((ProxyNetwork) cluster.network()).replicationCut(old)).isTrue();
        try {
          await("another node reports primary").atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(250))
              .until(() -> rec.history().ops().stream().anyMatch(o -> o.timeNanos() > cutAt
                  && o.f().equals("role") && "primary".equals(o.value()) && !o.node().equals(oldName)));
        } catch (AssertionError e) {
          throw new AssertionError(e.getMessage() + cluster.diagnostics(), e);
        }
        sleepUntil(System.nanoTime() + Math.max(0, 15_000_000_000L - (rec.now() - cutAt)));
        healAt = rec.now();
        cluster.healAll();
        rec.record(Op.of("nemesis", OpType.INFO, "stop-partition", null, "heal", null, null));
        System.out.printf("PGCLUSTER isolated %s for %.1f s%n", oldName, (healAt - cutAt) / 1e9);
        try {
          cluster.awaitHealthy(Duration.ofSeconds(120));
        } catch (IllegalStateException e) {
          throw new AssertionError(e.getMessage() + cluster.diagnostics(), e);
        }
        long newPrimaryAt = rec.history().ops().stream().filter(o -> o.timeNanos() > cutAt && o.f().equals("role")
            && "primary".equals(o.value()) && !o.node().equals(oldName)).mapToLong(Op::timeNanos).min().orElseThrow();
        System.out.printf("PGCLUSTER new primary observed %.1f s after the cut%n", (newPrimaryAt - cutAt) / 1e9);
        assertThat(newPrimaryAt).as("a new primary was elected while the old one was isolated").isLessThan(healAt);
      } finally {
        set.close();
        probes.close();
      }
      List<Long> read = set.finalRead(Duration.ofSeconds(60));
      observer.close();
      dcs.close();

      List<Op> ops = rec.history().ops();
      Map<String, Long> kinds = ops.stream().filter(Op::isClient)
          .collect(Collectors.groupingBy(o -> o.f() + ":" + o.type(), Collectors.counting()));
      System.out.println("PGCLUSTER op counts " + kinds + ", set size " + read.size() + ", history " + historyFile);
      assertThat(kinds.keySet()).contains("probe:INVOKE", "probe:OK", "probe:FAIL", "add:INVOKE", "add:OK",
          "read:OK");
      Set<Long> okAdds = ops.stream().filter(o -> o.f().equals("add") && o.type() == OpType.OK)
          .map(o -> (Long) ((List<?>) o.value()).get(0)).collect(Collectors.toSet());
      // Every acknowledged add says where its commit went: [element, timeline, lsnBefore, lsnAfter, token].
      assertThat(ops.stream().filter(o -> o.f().equals("add") && o.type() == OpType.OK))
          .allSatisfy(o -> assertThat((List<?>) o.value()).hasSize(5).element(1).isInstanceOf(Long.class));
      // The DCS observer saw both primacies (the old primary's and the new one's), with published statuses.
      assertThat(ops.stream().filter(o -> o.f().equals("dcs") && o.value() instanceof List<?> l && l.get(0) != null
          && l.get(2) != null).map(o -> ((List<?>) o.value()).get(0)).distinct().count())
          .as("leaders the DCS observer saw with a status").isGreaterThanOrEqualTo(2);
      assertThat(ops.stream().filter(o -> o.f().equals("lineage")).findFirst().orElseThrow().value())
          .as("the final primary's lineage: a timeline after the failover").isInstanceOf(List.class)
          .asList().first().isEqualTo(2L);
      assertThat(read).as("the final read holds most acknowledged adds").isNotEmpty();
      long lost = okAdds.stream().filter(v -> !read.contains(v)).count();
      System.out.printf("PGCLUSTER acknowledged adds %d, lost %d (asynchronous replication: judged by the "
          + "durability checker below)%n", okAdds.size(), lost);
      assertThat(ops.stream().filter(o -> o.f().equals("role")).map(Op::node).collect(Collectors.toSet()))
          .containsExactlyInAnyOrder("node1", "node2", "node3");
      CheckResult epoch = new EpochChecker().check(rec.history());
      CheckResult setResult = new SetChecker().check(rec.history());
      CheckResult durability = new DurabilityChecker(cluster.spec().maximumLagOnFailover()).check(rec.history());
      CheckResult availability = new AvailabilityChecker(healAt, 60_000_000_000L, Set.of("add"))
          .check(rec.history());
      System.out.println("PGCLUSTER " + epoch.summary() + " | " + setResult.summary() + " " + setResult.stats()
          + " | " + durability.summary() + " " + durability.stats() + " | " + availability.summary());
      assertThat(durability.verdict()).as("every lost write inside the failover window: %s %s",
          durability.summary(), durability.anomalies()).isEqualTo(io.pgquorum.jepsen.checker.Verdict.VALID);
      assertThat(epoch.valid()).as("at most one writable primary: %s %s", epoch.summary(), epoch.anomalies())
          .isTrue();
      assertThat(availability.valid()).as("adds succeed again within 60 s of the heal: %s", availability.summary())
          .isTrue();
      Files.deleteIfExists(historyFile);
    }
  }

  private static long count(HistoryRecorder rec, Predicate<Op> p) {
    return rec.history().ops().stream().filter(p).count();
  }

  /** Lets the workload run until a phase's end (the phase length is the experiment, not a condition). */
  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long left = nanoTime - System.nanoTime();
    if (left > 0) {
      Thread.sleep(left / 1_000_000);
    }
  }
}
