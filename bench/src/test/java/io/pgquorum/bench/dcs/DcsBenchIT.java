package io.pgquorum.bench.dcs;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.bench.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts a real three-member etcd and a real three-member pgquorum DCS, runs every operation the dcs and scaling
 * suites measure a few times on both, and checks behaviour only (no timing): the operations succeed, a
 * compare-and-set against a stale revision fails on both systems, and no member process is left after close.
 */
class DcsBenchIT {
  @TempDir
  Path dir;

  @Test
  void bothSystemsPerformEveryMeasuredOperationAndLeaveNoProcessBehind() throws Exception {
    Path etcd = Tools.detect(Path.of(".")).etcd();
    assertThat(Files.isExecutable(etcd))
        .withFailMessage("etcd is not installed at %s: run 'apt-get install -y etcd-server' (the DCS benchmarks"
            + " compare against it; PGQUORUM_BENCH_ETCD overrides the path)", etcd)
        .isTrue();
    List<Long> pids = new ArrayList<>();
    try (EtcdCluster etcdCluster = EtcdCluster.start(etcd, 3, Files.createDirectories(dir.resolve("etcd")));
        PgQuorumDcsCluster pgCluster = PgQuorumDcsCluster.start(3, Files.createDirectories(dir.resolve("pg")))) {
      pids.addAll(etcdCluster.pids());
      pids.addAll(pgCluster.pids());
      assertThat(pids).hasSize(6).allMatch(DcsBenchIT::alive);
      try (DcsDriver e = new EtcdDriver(List.of(etcdCluster.leaderClientUrl()));
          DcsDriver p = new PgQuorumDriver(pgCluster.client("it"),
              pgCluster.client("it", io.pgquorum.dcs.ratis.LeaseRefreshMode.LEADER_LOCAL))) {
        for (DcsDriver d : List.of(p, e)) {
          exercise(d);
        }
      }
    }
    assertThat(pids).noneMatch(DcsBenchIT::alive);
  }

  private static void exercise(DcsDriver d) throws Exception {
    String sys = d.system();
    long rev = d.put("/it/leader", "v0");
    long first = rev;
    for (int i = 1; i <= 5; i++) {
      long next = d.cas("/it/leader", rev, "v" + i);
      assertThat(next).as(sys + " CAS %d", i).isGreaterThan(rev);
      rev = next;
    }
    assertThat(d.cas("/it/leader", first, "stale")).as(sys + " CAS on a stale revision").isEqualTo(-1);
    assertThat(d.get("/it/leader")).as(sys + " linearizable get").contains("v5");
    assertThat(d.get("/it/absent")).as(sys + " get of an absent key").isEqualTo(Optional.empty());

    List<DcsDriver.LeaseRefresh> refreshes = d.leaderLock("/it/lock", "node-1", Duration.ofSeconds(30));
    assertThat(refreshes).as(sys + " refresh variants").isNotEmpty();
    for (DcsDriver.LeaseRefresh r : refreshes) {
      for (int i = 0; i < 3; i++) {
        assertThat(r.refresh().run()).as(sys + " refresh " + r.variant()).isTrue();
      }
    }
    assertThat(d.get("/it/lock")).as(sys + " lock value after refreshes").contains("node-1");

    for (int i = 0; i < 4; i++) {
      d.put("/it/cluster/k" + i, "x");
    }
    assertThat(d.readPrefix("/it/cluster/")).as(sys + " prefix read").isEqualTo(4);

    // The in-flight measurement: concurrent compare-and-sets on distinct keys all succeed.
    long[] revs = new long[4];
    for (int w = 0; w < 4; w++) {
      revs[w] = d.put("/it/inflight/" + w, "0");
    }
    Sampler.Batch b = Sampler.closedLoop(4, 5, w -> i -> {
      long next = d.cas("/it/inflight/" + w, revs[w], "v" + i);
      if (next < 0) {
        throw new IllegalStateException(sys + " refused CAS of worker " + w);
      }
      revs[w] = next;
    });
    assertThat(b.latenciesMs()).hasSize(20);
    for (int w = 0; w < 4; w++) {
      assertThat(d.get("/it/inflight/" + w)).as(sys + " worker " + w).contains("v4");
    }
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }
}
