package io.pgquorum.coordinator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import io.pgquorum.dcs.ratis.MemberStatus;
import io.pgquorum.dcs.ratis.RatisDcsClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hole 5 of issue 10, end to end with real daemons started through bin/pgquorum: a node whose raft.data_dir was
 * wiped used to start and run as a voter with an empty Raft log. Now the daemon refuses with one message that
 * names raft.data_dir and says what to do, and started with --join it comes back as a new member of the DCS and
 * a streaming replica again.
 */
@Tag("serial") // run alone after the parallel pass (coordinator/pom.xml): a Raft member restarted without its log
class RaftAmnesiaIT {
  static final int TTL = 8;

  @Test
  void aNodeWhoseRaftDataDirWasWipedRefusesToStartAndRejoinsWithJoin() throws Exception {
    try (LocalCluster cluster = new LocalCluster("it-amnesia", 3, TTL, false)) {
      cluster.startAll();
      NodeSpec primary = DaemonPauseFencingIT.awaitPrimary(cluster, Duration.ofSeconds(120));
      DaemonPauseFencingIT.awaitReplicas(cluster, 2, Duration.ofSeconds(120));
      NodeSpec victim = cluster.nodes.stream().filter(n -> n != primary).findFirst().orElseThrow();
      try (RatisDcsClient dcs = client(cluster)) {
        await("every DCS member registered").atMost(Duration.ofSeconds(60)).ignoreExceptions()
            .until(() -> dcs.memberStatus().stream().allMatch(MemberStatus::registered));

        cluster.killDaemon(victim);
        wipe(victim.dir.resolve("raft"));
        int before = cluster.logs(victim).length();
        cluster.start(victim);
        assertThat(victim.daemon.process().waitFor(120, TimeUnit.SECONDS))
            .as("the daemon with the wiped raft.data_dir exits" + cluster.diagnostics()).isTrue();
        String refusal = cluster.logs(victim).substring(before);
        assertThat(victim.daemon.process().exitValue()).as(refusal).isEqualTo(1);
        // One line from bin/pgquorum, no stack trace of ours.
        List<String> errors = refusal.lines().filter(l -> l.startsWith("pgquorum: ")).toList();
        assertThat(errors).as(refusal).hasSize(1);
        assertThat(errors.get(0))
            .startsWith("pgquorum: node " + victim.name + " could not start: raft.data_dir = '"
                + victim.dir.resolve("raft") + "' holds no Raft log")
            .contains("lost its log")
            .contains("bin/pgquorum --join");
        assertThat(refusal).doesNotContain("\tat io.pgquorum");
        System.out.println("RaftAmnesiaIT: " + victim.name + " exited 1 with: " + errors.get(0));
        // The group is untouched: the same three voters, still writable.
        assertThat(dcs.members()).hasSize(3);
        assertThat(DaemonPauseFencingIT.awaitPrimary(cluster, Duration.ofSeconds(30))).isEqualTo(primary);

        cluster.start(victim, List.of("--join"));
        await("the rejoined node streams again" + cluster.diagnostics()).atMost(Duration.ofSeconds(120))
            .pollInterval(Duration.ofMillis(500))
            .until(() -> cluster.streamingReplicas().contains(victim));
        assertThat(cluster.logs(victim)).contains("joined as a new member");
        List<MemberStatus> members = dcs.memberStatus();
        assertThat(members).extracting(MemberStatus::id).containsExactlyInAnyOrderElementsOf(
            cluster.nodes.stream().map(n -> "127.0.0.1:" + n.raftPort).toList());
        assertThat(members).allMatch(MemberStatus::registered);
        assertThat(members).extracting(MemberStatus::role).doesNotContain("unreachable", "starting");
      }
    }
  }

  private static RatisDcsClient client(LocalCluster cluster) {
    return cluster.dcsClient();
  }

  /** What a lost disk leaves: no Raft log, no marker. */
  private static void wipe(Path dir) throws Exception {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    assertThat(dir).doesNotExist();
  }
}
