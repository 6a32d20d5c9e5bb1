package io.pgquorum.jepsen.dcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pgquorum.dcs.api.Dcs;
import io.pgquorum.dcs.api.KeyValue;
import io.pgquorum.dcs.api.WriteResult;
import io.pgquorum.jepsen.fault.Component;
import io.pgquorum.jepsen.fault.Fault;
import io.pgquorum.jepsen.fault.Link;
import io.pgquorum.jepsen.fault.PartitionShape;
import io.pgquorum.jepsen.fault.Target;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DCS testbed against real member JVMs: one 3-member group for the class; every test leaves it healthy
 * (links restored, members running at real-time clocks) for the next.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DcsTestbedTest {
  private static final Duration ELECTION = Duration.ofSeconds(30);

  @TempDir
  static Path dir;
  private DcsTestbed bed;
  private Dcs client;

  @BeforeAll
  void start() {
    bed = DcsTestbed.start(3, dir.resolve("bed"));
    // Long enough to ride out an election on two busy cores: these tests assert what eventually succeeds.
    client = bed.client("harness", Duration.ofSeconds(15));
  }

  @AfterAll
  void stop() {
    if (bed != null) {
      long[] pids = {bed.pid(0), bed.pid(1), bed.pid(2)};
      bed.close();
      for (long pid : pids) {
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
            .as("member pid %d is gone after close", pid).isFalse();
      }
      assertThat(dir.resolve("bed").resolve("node1")).doesNotExist();
    }
  }

  @AfterEach
  void heal() {
    Set<Link> all = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        if (i != j) {
          all.add(new Link(i, j));
        }
      }
    }
    bed.restore(all);
    for (int i = 0; i < 3; i++) {
      if (bed.isPaused(i)) {
        bed.resume(i, Component.DCS_MEMBER);
      }
      if (!bed.isRunning(i) || bed.clockRateOf(i) != 1.0) {
        bed.clockRate(i, 1.0);
      }
    }
  }

  @Test
  void electsOneLeaderAndServesTheHarnessClient() {
    int leader = bed.awaitLeader(ELECTION);
    assertThat(leader).isBetween(0, 2);
    WriteResult w = client.put("smoke", "1");
    assertThat(w.succeeded()).isTrue();
    assertThat(client.get("smoke").map(KeyValue::value)).contains("1");
    assertThat(bed.supports(new Fault.Partition(PartitionShape.ISOLATE, Target.primary()))).isTrue();
    assertThat(bed.supports(new Fault.Kill(Target.primary(), Component.DCS_MEMBER))).isTrue();
    assertThat(bed.supports(new Fault.Kill(Target.primary(), Component.POSTGRES))).isFalse();
    assertThat(bed.supports(new Fault.ClockSkew(Target.node(1), 2.0))).isTrue();
    assertThatThrownBy(() -> bed.kill(0, Component.DAEMON)).isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("DAEMON");
  }

  @Test
  void anIsolatedLeaderLosesLeadershipAndTheMajorityElectsAnother() {
    int old = bed.awaitLeader(ELECTION);
    bed.cut(isolate(old));
    assertThat(bed.cutLinks()).hasSize(4);
    await().atMost(ELECTION).pollInterval(Duration.ofMillis(50))
        .until(() -> !bed.claimsLeadership(old) && bed.primary() >= 0);
    int fresh = bed.primary();
    assertThat(fresh).isNotEqualTo(old);
    // The harness still reaches everyone; the majority side serves writes.
    assertThat(client.put("after-isolation", "x").succeeded()).isTrue();

    bed.restore(isolate(old));
    long rev = client.put("after-heal", "y").revision();
    await().atMost(ELECTION).until(() -> bed.appliedIndex(old) >= rev);
  }

  @Test
  void aKilledMemberRestartsFromItsDataDirAndCatchesUp() {
    int leader = bed.awaitLeader(ELECTION);
    int victim = (leader + 1) % 3;
    long before = bed.pid(victim);
    bed.kill(victim, Component.DCS_MEMBER);
    assertThat(bed.isRunning(victim)).isFalse();
    assertThat(ProcessHandle.of(before).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    long rev = client.put("while-dead", "1").revision();

    bed.restart(victim, Component.DCS_MEMBER);
    assertThat(bed.pid(victim)).isNotEqualTo(before);
    await().atMost(ELECTION).until(() -> bed.appliedIndex(victim) >= rev);

    // Kill the leader too: the restarted member must be able to form a majority with the third.
    int leader2 = bed.awaitLeader(ELECTION);
    bed.kill(leader2, Component.DCS_MEMBER);
    assertThat(client.put("after-leader-kill", "2").succeeded()).isTrue();
    await().atMost(ELECTION).until(() -> bed.primary() >= 0 && bed.primary() != leader2);
    bed.restart(leader2, Component.DCS_MEMBER);
  }

  @Test
  void aPausedLeaderIsReplacedAndCatchesUpWhenResumed() {
    int leader = bed.awaitLeader(ELECTION);
    bed.pause(leader, Component.DCS_MEMBER);
    assertThat(bed.isPaused(leader)).isTrue();
    assertThat(bed.claimsLeadership(leader)).isFalse();
    await().atMost(ELECTION).until(() -> bed.primary() >= 0 && bed.primary() != leader);
    long rev = client.put("while-paused", "1").revision();

    bed.resume(leader, Component.DCS_MEMBER);
    assertThat(bed.isPaused(leader)).isFalse();
    await().atMost(ELECTION).until(() -> bed.appliedIndex(leader) >= rev);
  }

  @Test
  void aMemberUnderLibfaketimeRunsAtItsRateAndIsNeededForTheMajority() throws IOException {
    int leader = bed.awaitLeader(ELECTION);
    int skewed = (leader + 1) % 3;
    int other = (leader + 2) % 3;
    bed.clockRate(skewed, 2.0);
    assertThat(bed.clockRateOf(skewed)).isEqualTo(2.0);
    String environ = Files.readString(Path.of("/proc", Long.toString(bed.pid(skewed)), "environ"),
        StandardCharsets.ISO_8859_1);
    assertThat(environ).contains("FAKETIME=+0 x2.000").contains("libfaketime.so.1");

    // With the third member cut off, nothing commits unless the skewed member takes part.
    bed.cut(isolate(other));
    long rev = client.put("skewed-majority", "1").revision();
    assertThat(client.get("skewed-majority")).map(KeyValue::value).contains("1");
    await().atMost(ELECTION).until(() -> bed.appliedIndex(skewed) >= rev);
    assertThat(rev).isPositive();
  }

  @Test
  void badMemberArgumentsExitWithAClearMessage() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = DcsMemberMain.run(new String[] {"n1", "g"}, System.out,
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(status).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("expected 5 arguments").contains("usage:");

    err.reset();
    status = DcsMemberMain.run(new String[] {"n1", "g", "n1:notaport", "-", dir.resolve("x").toString()},
        System.out, new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(status).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("raft.self_addr");

    err.reset();
    status = DcsMemberMain.run(new String[] {"n1", "g", "n1:1", "-", "d", "--frobnicate"}, System.out,
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(status).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown option --frobnicate");
  }

  private static Set<Link> isolate(int node) {
    Set<Link> links = new HashSet<>();
    for (int j = 0; j < 3; j++) {
      if (j != node) {
        links.add(new Link(node, j));
        links.add(new Link(j, node));
      }
    }
    return links;
  }
}
