package io.pgquorum.jepsen.dcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.pgquorum.dcs.ratis.RatisDcsClient;
import io.pgquorum.jepsen.checker.CheckResult;
import io.pgquorum.jepsen.checker.LinearizabilityChecker;
import io.pgquorum.jepsen.checker.LockModel;
import io.pgquorum.jepsen.checker.RegisterModel;
import io.pgquorum.jepsen.checker.Verdict;
import io.pgquorum.jepsen.fault.Component;
import io.pgquorum.jepsen.fault.Link;
import io.pgquorum.jepsen.history.History;
import io.pgquorum.jepsen.history.HistoryJson;
import io.pgquorum.jepsen.history.HistoryRecorder;
import io.pgquorum.jepsen.history.Op;
import io.pgquorum.jepsen.history.OpType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * P4 at the DCS level: the register and the leader lock, driven by concurrent clients on a 3-member group while a
 * hand-written fault sequence runs (isolate the leader, heal, kill -9 the leader and restart it, SIGSTOP the
 * leader and continue it). The history must be well formed, show progress while the group is healthy, and be
 * linearizable per key.
 */
class DcsLinearizabilityTest {
  private static final int CLIENTS_PER_WORKLOAD = 5;
  /** OK operations that mark a healthy phase (before the first fault, after the last heal) as making progress. */
  private static final int HEALTHY_OKS = 20;
  /** How long a healthy phase may take to show that progress; generous, for two shared cores. */
  private static final Duration PROGRESS_BOUND = Duration.ofSeconds(30);
  private static final Duration OP_TIMEOUT = Duration.ofSeconds(2);

  @TempDir
  Path dir;

  @Test
  void registerAndLockStayLinearizableThroughPartitionKillAndPause() throws Exception {
    quietRatisClientLogs();
    long seed = Long.getLong("jepsen.seed", System.nanoTime());
    System.out.println("DcsLinearizabilityTest seed " + seed + " (replay workload choices with -Djepsen.seed=)");
    Path historyFile = dir.resolve("history.jsonl");
    History history;
    Workloads.Stats register;
    Workloads.Stats lock;
    try (DcsTestbed bed = DcsTestbed.start(3, dir.resolve("bed"));
        HistoryRecorder recorder = new HistoryRecorder(System::nanoTime, historyFile)) {
      bed.awaitLeader(Duration.ofSeconds(30));
      System.out.println("member pids " + bed.pid(0) + " " + bed.pid(1) + " " + bed.pid(2));
      List<RatisDcsClient> regClients = new ArrayList<>();
      List<RatisDcsClient> lockClients = new ArrayList<>();
      for (int i = 0; i < CLIENTS_PER_WORKLOAD; i++) {
        regClients.add(bed.client("reg" + i, OP_TIMEOUT));
        lockClients.add(bed.client("lock" + i, OP_TIMEOUT));
      }
      warmUp(regClients);
      warmUp(lockClients);
      Workloads.ProcessIds ids = new Workloads.ProcessIds();
      AtomicBoolean stop = new AtomicBoolean();
      CompletableFuture<Workloads.Stats> reg = CompletableFuture.supplyAsync(() -> Workloads.runUntil(recorder,
          regClients, RegisterWorkload.defaults(), stop::get, seed, ids));
      CompletableFuture<Workloads.Stats> lk = CompletableFuture.supplyAsync(() -> Workloads.runUntil(recorder,
          lockClients, LockWorkload.defaults(), stop::get, seed + 1000, ids));

      // The schedule: each fault holds for a while, then is reverted, with healthy gaps between. Holding times
      // are the fault's duration (the schedule itself), not waits for a condition.
      Nemesis n = new Nemesis(recorder);
      n.awaitProgress(HEALTHY_OKS);
      int isolated = leaderOr0(bed);
      Set<Link> cut = isolate(isolated);
      n.apply("start-partition", "isolate leader " + DcsTestbed.name(isolated), () -> bed.cut(cut));
      n.hold(2_500);
      n.apply("stop-partition", "heal", () -> bed.restore(cut));
      n.hold(1_000);
      int killed = leaderOr0(bed);
      n.apply("start-kill", "kill -9 " + DcsTestbed.name(killed), () -> bed.kill(killed, Component.DCS_MEMBER));
      n.hold(1_500);
      n.apply("stop-kill", "restart " + DcsTestbed.name(killed),
          () -> bed.restart(killed, Component.DCS_MEMBER));
      n.hold(1_000);
      int paused = leaderOr0(bed);
      n.apply("start-pause", "SIGSTOP " + DcsTestbed.name(paused), () -> bed.pause(paused, Component.DCS_MEMBER));
      n.hold(2_000);
      n.apply("stop-pause", "SIGCONT " + DcsTestbed.name(paused), () -> bed.resume(paused, Component.DCS_MEMBER));
      n.awaitProgress(HEALTHY_OKS);
      stop.set(true);

      register = reg.get(2, TimeUnit.MINUTES);
      lock = lk.get(2, TimeUnit.MINUTES);
      history = recorder.history();
      keepForPostMortem(bed, history);
    }
    System.out.println("register: " + register + "; lock: " + lock + "; " + history.ops().size() + " events");
    printWindows(history);

    assertWellFormed(history);
    assertProgressWhileHealthy(history);
    // Each kind of operation succeeded at least once, so the checks below are not vacuous.
    Map<String, Long> okByF = history.pairs().stream().filter(p -> p.outcome() == OpType.OK)
        .collect(Collectors.groupingBy(p -> p.invoke().key().split("/")[1] + ":" + p.invoke().f(),
            Collectors.counting()));
    assertThat(okByF).containsKeys("register:read", "register:write", "register:cas", "lock:read",
        "lock:acquire", "lock:release");
    assertThat(HistoryJson.read(historyFile).ops()).hasSameSizeAs(history.ops());

    long t0 = System.nanoTime();
    CheckResult registerCheck = new LinearizabilityChecker("dcs-register", RegisterModel::empty,
        op -> op.key() != null && op.key().startsWith("jepsen/register/")).check(history);
    CheckResult lockCheck = new LinearizabilityChecker("dcs-lock", LockModel::free,
        op -> op.key() != null && op.key().startsWith("jepsen/lock/")).check(history);
    System.out.println(registerCheck.summary() + " " + registerCheck.stats());
    System.out.println(lockCheck.summary() + " " + lockCheck.stats());
    System.out.println("checked in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms");
    assertThat(registerCheck.verdict()).as("%s: %s", registerCheck.summary(), registerCheck.anomalies())
        .isEqualTo(Verdict.VALID);
    assertThat(lockCheck.verdict()).as("%s: %s", lockCheck.summary(), lockCheck.anomalies())
        .isEqualTo(Verdict.VALID);
  }

  /** Applies faults and records them as nemesis events. */
  private static final class Nemesis {
    private final HistoryRecorder recorder;

    Nemesis(HistoryRecorder recorder) {
      this.recorder = recorder;
    }

    /** Lets the current state (a fault, or health) last this long: the schedule's own timing. */
    void hold(long millis) throws InterruptedException {
      Thread.sleep(millis);
    }

    /**
     * Waits (bounded by {@link #PROGRESS_BOUND}) until {@code oks} client operations invoked from now on have
     * completed OK: the healthy phases last until the clients demonstrably make progress, however loaded the
     * machine is. The bound is what fails the test if they never do.
     */
    void awaitProgress(int oks) {
      long since = recorder.now();
      await().atMost(PROGRESS_BOUND).pollInterval(Duration.ofMillis(100)).until(() -> recorder.history().pairs()
          .stream().filter(p -> p.invoke().timeNanos() >= since && p.outcome() == OpType.OK).count() >= oks);
    }

    void apply(String f, String what, Runnable fault) {
      fault.run();
      recorder.record(Op.of("nemesis", OpType.INFO, f, null, what, null, null));
    }
  }

  /** The history and member logs under target/dcs-linearizability, for a look after the run. */
  private static void keepForPostMortem(DcsTestbed bed, History history) throws IOException {
    Path out = Path.of("target", "dcs-linearizability");
    Files.createDirectories(out);
    HistoryJson.write(history, out.resolve("history.jsonl"));
    for (int i = 0; i < bed.size(); i++) {
      Files.copy(bed.logFile(i), out.resolve(DcsTestbed.name(i) + ".log"), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** First calls open the gRPC channels and find the leader; keep that out of the healthy-period measurement. */
  private static void warmUp(List<RatisDcsClient> clients) {
    for (RatisDcsClient c : clients) {
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> c.get("warm-up").isEmpty());
    }
  }

  private static void assertWellFormed(History h) {
    List<History.Pair> pairs = h.pairs(); // throws if a process had two open operations
    assertThat(pairs).isNotEmpty();
    Set<String> ended = new HashSet<>();
    for (History.Pair p : pairs) {
      assertThat(p.completion()).as("op %d completed", p.invoke().index()).isNotNull();
      assertThat(ended).as("process %s invoked after an INFO", p.invoke().process())
          .doesNotContain(p.invoke().process());
      if (p.outcome() == OpType.INFO) {
        ended.add(p.invoke().process());
        assertThat(p.invoke().f()).as("only state-changing ops end as INFO").isNotEqualTo("read");
      }
      assertThat(p.completion().f()).isEqualTo(p.invoke().f());
      assertThat(p.completion().key()).isEqualTo(p.invoke().key());
    }
    assertThat(h.byProcess("nemesis")).extracting(Op::f).containsExactly("start-partition", "stop-partition",
        "start-kill", "stop-kill", "start-pause", "stop-pause");
  }

  /** Before the first fault and after the last heal, clients made progress (the run waited for it). */
  private static void assertProgressWhileHealthy(History h) {
    List<Op> nemesis = h.byProcess("nemesis");
    long firstFault = nemesis.get(0).timeNanos();
    long lastHeal = nemesis.get(nemesis.size() - 1).timeNanos();
    long okBefore = h.pairs().stream().filter(p -> p.outcome() == OpType.OK)
        .filter(p -> p.completion().timeNanos() < firstFault).count();
    long okAfter = h.pairs().stream().filter(p -> p.outcome() == OpType.OK)
        .filter(p -> p.invoke().timeNanos() > lastHeal).count();
    assertThat(okBefore).as("ok ops before the first fault").isGreaterThanOrEqualTo(HEALTHY_OKS);
    assertThat(okAfter).as("ok ops after the last heal").isGreaterThanOrEqualTo(HEALTHY_OKS);
  }

  /** Outcome counts per phase between nemesis events, for the test output. */
  private static void printWindows(History h) {
    List<Long> marks = new ArrayList<>(List.of(0L));
    List<String> names = new ArrayList<>(List.of("healthy"));
    for (Op n : h.byProcess("nemesis")) {
      marks.add(n.timeNanos());
      names.add(n.f() + " " + n.value());
    }
    marks.add(Long.MAX_VALUE);
    for (int i = 0; i < names.size(); i++) {
      long from = marks.get(i);
      long to = marks.get(i + 1);
      Map<OpType, Long> counts = new HashMap<>();
      h.pairs().stream().filter(p -> p.invoke().timeNanos() >= from && p.invoke().timeNanos() < to)
          .forEach(p -> counts.merge(p.outcome(), 1L, Long::sum));
      System.out.printf("  %6d ms %-28s %s%n", TimeUnit.NANOSECONDS.toMillis(from), names.get(i), counts);
    }
    h.pairs().stream().filter(p -> p.outcome() == OpType.INFO).limit(8).forEach(p -> System.out.printf(
        "  INFO at %d ms after %d ms: %s%n", TimeUnit.NANOSECONDS.toMillis(p.invoke().timeNanos()),
        TimeUnit.NANOSECONDS.toMillis(p.completion().timeNanos() - p.invoke().timeNanos()), p.completion().error()));
  }

  private static int leaderOr0(DcsTestbed bed) {
    int p = bed.primary();
    return p >= 0 ? p : 0;
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

  /** The harness's own Ratis client logs at DEBUG without a test logging config; keep the test output readable. */
  private static void quietRatisClientLogs() {
    ((Logger) LoggerFactory.getLogger("org.apache.ratis")).setLevel(Level.WARN);
    ((Logger) LoggerFactory.getLogger("io.pgquorum.dcs")).setLevel(Level.INFO);
  }
}
