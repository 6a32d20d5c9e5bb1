package io.pgquorum.dcs.ratis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pgquorum.dcs.api.DcsConfigException;
import io.pgquorum.dcs.api.DcsException;
import io.pgquorum.dcs.api.KeyValue;
import io.pgquorum.dcs.testing.RatisTestCluster;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A member whose raft.data_dir was lost ("Raft amnesia") must not come back as a voter with an empty log: it
 * could help elect a leader that lacks committed entries. Real Ratis members over loopback sockets.
 *
 * <p>These tests use only the DcsServer API that existed before the fix (start, joining), so that they run, and
 * fail, against the old code too.
 */
class RaftAmnesiaTest {
  private static final Duration ELECTION = Duration.ofSeconds(30);
  private static final String REGISTRATION_OF_M3 = "_pgquorum/dcs-members/m3";

  /**
   * The scenario from the issue, end to end: A and C commit k while B lags; B crashes; C loses its disk; B and
   * the empty C come back before A. With the old start-up, B and C formed a majority, elected B (which lacks k),
   * and when A returned its copy of k was overwritten: an acknowledged, committed entry was gone.
   *
   * <p>Why B crashes rather than stops cleanly: Ratis 3.3.0 has a guard of its own (LeaderElection: a candidate
   * that knows of any commit does not count votes from voters with an empty log). A cleanly stopped member
   * restarts with a snapshot and so with a commit index, and the guard then happens to ignore C's vote. A member
   * that crashed knows no commit index after its restart (the log metadata entry is off, see RatisSettings) until
   * a leader tells it, so the guard does not apply; nor does it once the wiped member received any entry.
   */
  @Test
  void aWipedMemberCannotHelpALaggingMemberLoseACommittedEntry() throws Exception {
    try (RatisTestCluster cluster = RatisTestCluster.start(3)) {
      cluster.awaitLeader(ELECTION);
      RatisDcsClient client = cluster.client("c", "m1", Duration.ofSeconds(5));
      client.put("/before", "all three have this");
      await().atMost(ELECTION).until(() -> cluster.member("m2").lastAppliedIndex()
          >= client.get("/before").orElseThrow().modRevision());
      // m3 registers itself once the group has a leader (asserted at the end, after the part that shows the
      // loss, which the old code also reaches).
      boolean m3Registered = pollUntil(ELECTION, () -> client.get(REGISTRATION_OF_M3).isPresent());

      cluster.stopMemberAsIfKilled("m2"); // B crashes and lags from here on
      long k = client.put("/k", "committed by m1 and m3").revision();
      assertThat(client.get("/k")).map(KeyValue::value).contains("committed by m1 and m3");

      cluster.stopMember("m1");
      cluster.stopMember("m3");
      cluster.wipe("m3"); // C loses its disk

      cluster.startMember("m2"); // B, with its (lagging) log
      CompletableFuture<DcsServer> wipedStart = cluster.startMemberAsync("m3");
      // Can B and the wiped C form a majority without A? Only if C votes with its empty log.
      boolean wroteWithoutM1 = tryWrite(client, "/without-m1", Duration.ofSeconds(15));

      cluster.startMember("m1"); // A, the only other member holding k, returns
      await().atMost(ELECTION).ignoreExceptions().until(() -> client.put("/after", "x").succeeded());
      assertThat(client.get("/k")).as("entry k (revision %d) was committed on m1 and m3 before m3 was wiped", k)
          .map(KeyValue::value).contains("committed by m1 and m3");
      assertThat(wroteWithoutM1).as("the lagging m2 and the wiped m3 accepted writes as a majority").isFalse();
      assertThat(m3Registered).as("m3 registered while it ran").isTrue();

      // With a majority back, m3 learns that it had a log, and refuses to vote with an empty one.
      assertThatThrownBy(() -> wipedStart.get(60, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class).cause()
          .isInstanceOf(DcsConfigException.class)
          .hasMessageContaining("raft.data_dir")
          .hasMessageContaining("holds no Raft log")
          .hasMessageContaining("lost its log")
          .hasMessageContaining("raft.join: true");
    }
  }

  /**
   * The plain case: one member's data dir is wiped while the others keep theirs. Before the fix it started
   * (formatting an empty log) and voted; now it refuses, and with raft.join it comes back as a new member that
   * holds every committed entry.
   */
  @Test
  void aWipedMemberRefusesToStartAndRejoinsWithJoin() throws Exception {
    try (RatisTestCluster cluster = RatisTestCluster.start(3)) {
      cluster.awaitLeader(ELECTION);
      RatisDcsClient client = cluster.client("c", "m1", Duration.ofSeconds(10));
      for (int i = 0; i < 20; i++) {
        client.put("/k" + i, "v" + i);
      }
      // m3 registers itself once the group has a leader (the record the refusal below is based on; asserted
      // after the refusal, which the old code also reaches).
      boolean m3Registered = pollUntil(ELECTION, () -> client.get(REGISTRATION_OF_M3).isPresent());
      long last = client.put("/last", "before the wipe").revision();
      await().atMost(ELECTION).until(() -> cluster.member("m3").lastAppliedIndex() >= last);

      cluster.stopMember("m3");
      cluster.wipe("m3");
      assertThatThrownBy(() -> cluster.startMember("m3"))
          .isInstanceOf(DcsConfigException.class)
          .hasMessageContaining("raft.data_dir = '" + cluster.dataDir("m3") + "' holds no Raft log")
          .hasMessageContaining("member 'm3'")
          .hasMessageContaining("lost its log")
          .hasMessageContaining("raft.join: true");
      assertThat(cluster.member("m3")).isNull();
      assertThat(m3Registered).as("m3 registered while it ran").isTrue();
      // The refusal leaves the group as it was.
      assertThat(client.members()).extracting(PeerAddress::id).containsExactlyInAnyOrder("m1", "m2", "m3");

      DcsServer rejoined = cluster.joinMemberAsync("m3").get(60, TimeUnit.SECONDS);
      assertThat(client.members()).extracting(PeerAddress::id).containsExactlyInAnyOrder("m1", "m2", "m3");
      long after = client.put("/after-join", "x").revision();
      await().atMost(ELECTION).until(() -> rejoined.lastAppliedIndex() >= after);
      RatisDcsClient onM3 = cluster.client("m3-reader", "m3", Duration.ofSeconds(10));
      var local = onM3.readLocal("/").snapshot();
      for (int i = 0; i < 20; i++) {
        assertThat(local.get("/k" + i)).map(KeyValue::value).contains("v" + i);
      }
      assertThat(local.get("/last")).map(KeyValue::value).contains("before the wipe");
      assertThat(client.get(REGISTRATION_OF_M3)).isPresent();

      // And the rejoined member is a full voter: the group survives losing one of the others.
      cluster.stopMember("m1");
      await().atMost(ELECTION).ignoreExceptions()
          .until(() -> cluster.client("c2", "m2", Duration.ofSeconds(5)).put("/two-of-three", "ok").succeeded());
    }
  }

  /** Tries one write at a time until one succeeds or {@code limit} passes. */
  private static boolean tryWrite(RatisDcsClient client, String key, Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (client.put(key, "x").succeeded()) {
          return true;
        }
      } catch (DcsException e) {
        // no majority (yet)
      }
    }
    return false;
  }

  /** Polls {@code condition} until it holds or {@code limit} passes; says which. */
  private static boolean pollUntil(Duration limit, java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (condition.getAsBoolean()) {
          return true;
        }
      } catch (DcsException e) {
        // not answerable yet
      }
      try {
        TimeUnit.MILLISECONDS.sleep(50); // poll interval
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }
}
