package io.pgquorum.jepsen.dcs;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.dcs.api.Dcs;
import io.pgquorum.dcs.memory.InMemoryDcs;
import io.pgquorum.jepsen.checker.CheckResult;
import io.pgquorum.jepsen.checker.CheckResults;
import io.pgquorum.jepsen.checker.LeaseExpiryChecker;
import io.pgquorum.jepsen.checker.LeaseModel;
import io.pgquorum.jepsen.checker.LinearizabilityChecker;
import io.pgquorum.jepsen.checker.Verdict;
import io.pgquorum.jepsen.history.History;
import io.pgquorum.jepsen.history.HistoryRecorder;
import io.pgquorum.jepsen.history.OpType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The lease workload's client logic and both lease checkers against the single-process DCS (the same state
 * machine, lease tracker and client code as the Raft DCS, without replication), with short ttls so a few seconds
 * hold many lease lifetimes. The Raft DCS under faults is {@code DcsLinearizabilityTest}'s and the property
 * tests'; here the question is whether the workload produces histories the checkers judge correctly: green for a
 * DCS that keeps its promise, red for one that expires earlier than the checker is told it may.
 */
class LeaseWorkloadTest {

  private static History run(InMemoryDcs store, Duration ttl, long millis) {
    LeaseWorkload workload = new LeaseWorkload("lease", 3, 100_000, ttl, Duration.ofMillis(2),
        Duration.ofMillis(8));
    List<Dcs> clients = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      clients.add(store.client("lease-" + i));
    }
    HistoryRecorder recorder = new HistoryRecorder();
    Workloads.run(recorder, clients, workload, millis, 42);
    return recorder.history();
  }

  private static CheckResult expiry(History h, Duration ttl, double rho) {
    return new LeaseExpiryChecker("lease", op -> true, ttl.toNanos(), LeaseExpiryChecker.guaranteedFactor(rho, 1.0))
        .check(h);
  }

  @Test
  void aDcsThatKeepsItsPromiseIsGreenAndExpiryIsActuallyObserved() {
    Duration ttl = Duration.ofMillis(300);
    History h;
    try (InMemoryDcs store = new InMemoryDcs(0.05)) {
      h = run(store, ttl, 4_000);
    }
    CheckResult lin = new LinearizabilityChecker("lease", LeaseModel::free, op -> true).check(h);
    CheckResult exp = expiry(h, ttl, 0.05);
    System.out.println(CheckResults.describe(lin) + "\n" + CheckResults.describe(exp));
    assertThat(lin.verdict()).as(lin.summary()).isEqualTo(Verdict.VALID);
    assertThat(exp.verdict()).as(exp.summary() + " " + exp.anomalies()).isEqualTo(Verdict.VALID);
    // Not vacuous: leases were created, refreshed, released, and expired while others watched.
    Map<String, Long> ok = h.pairs().stream().filter(p -> p.outcome() == OpType.OK)
        .collect(Collectors.groupingBy(p -> p.invoke().f(), Collectors.counting()));
    assertThat(ok).containsKeys("acquire", "refresh", "release", "read");
    assertThat((Integer) exp.stats().get("expiries-observed")).isGreaterThanOrEqualTo(3);
    assertThat((Long) exp.stats().get("earliest-expiry-ms")).isGreaterThanOrEqualTo(
        (Long) exp.stats().get("bound-ms"));
    // Incarnations carry the DCS owner and its create revision.
    assertThat(h.pairs().stream().filter(p -> p.outcome() == OpType.OK && p.invoke().f().equals("acquire"))
        .map(p -> p.completion().value()).toList())
        .allSatisfy(v -> assertThat((List<?>) v).hasSize(2).first().asString().startsWith("lease-"));
  }

  @Test
  void aDcsThatExpiresEarlierThanClaimedIsRed() {
    // The store expires at exactly ttl (no drift margin); the checker is told the DCS guarantees
    // (1 + 0.2) / (1 - 0.2) = 1.5 ttl. Every lease abandoned by its holder is then seen gone too early.
    Duration ttl = Duration.ofMillis(600);
    History h;
    try (InMemoryDcs store = new InMemoryDcs(0.0)) {
      h = run(store, ttl, 4_000);
    }
    CheckResult exp = expiry(h, ttl, 0.2);
    System.out.println(CheckResults.describe(exp));
    assertThat(exp.verdict()).as(exp.summary()).isEqualTo(Verdict.INVALID);
    assertThat(exp.anomalies()).isNotEmpty().first().asString().contains("before the guaranteed 0.900 s");
    // The same history is fine for what the store does promise (rho 0: exactly the ttl).
    assertThat(expiry(h, ttl, 0.0).verdict()).isEqualTo(Verdict.VALID);
  }
}
