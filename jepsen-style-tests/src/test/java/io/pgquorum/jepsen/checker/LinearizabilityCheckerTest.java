package io.pgquorum.jepsen.checker;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.jepsen.history.History;
import io.pgquorum.jepsen.history.Op;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LinearizabilityCheckerTest {

  private static final Set<String> REGISTER_FS = Set.of("read", "write", "cas");

  private static LinearizabilityChecker register() {
    return new LinearizabilityChecker("register", RegisterModel::empty, op -> REGISTER_FS.contains(op.f()));
  }

  @Test
  void sequentialHistoryIsLinearizable() {
    TestHistory h = new TestHistory();
    h.okOp("c1", "read", "k", null, null);
    h.okOp("c1", "write", "k", 1L, null);
    h.okOp("c2", "read", "k", null, 1L);
    h.okOp("c2", "cas", "k", List.of(1L, 2L), null);
    h.okOp("c1", "read", "k", null, 2L);
    CheckResult r = register().check(h.build());
    assertThat(r.verdict()).isEqualTo(Verdict.VALID);
    assertThat(r.checker()).isEqualTo("linearizable(register)");
    assertThat(r.stats()).containsEntry("ops", 5).containsEntry("keys", 1);
    assertThat(r.anomalies()).isEmpty();
  }

  @Test
  void staleReadIsReportedWithTheOpThePrefixAndTheState() {
    TestHistory h = new TestHistory();
    h.okOp("c1", "write", "k", 1L, null);
    h.okOp("c1", "write", "k", 2L, null);
    Op read = h.invoke("c2", "read", "k", null);
    h.ok(read, 1L);
    CheckResult r = register().check(h.build());
    assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
    assertThat(r.summary()).contains("1 of 1 keys: k");
    assertThat(r.anomalies()).singleElement().asString()
        .startsWith("key k: c2 read -> ok 1 [#" + read.index() + "..#" + (read.index() + 1) + "]")
        .contains("cannot be linearized in state RegisterModel[value=2]")
        .contains("longest linearizable prefix: 2 of 3 operations")
        .contains("ending c1 write 1 -> ok [#0..#1], c1 write 2 -> ok [#2..#3]");
  }

  @Test
  void readOfAValueNeverWrittenIsInvalid() {
    TestHistory h = new TestHistory();
    h.okOp("c1", "write", "k", 1L, null);
    h.okOp("c2", "read", "k", null, 9L);
    CheckResult r = register().check(h.build());
    assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
    assertThat(r.anomalies()).singleElement().asString().contains("c2 read -> ok 9");
  }

  @Test
  void aReadConcurrentWithAWriteMaySeeEitherValueButNothingElse() {
    for (long seen : new long[] {1L, 2L, 3L}) {
      TestHistory h = new TestHistory();
      h.okOp("c1", "write", "k", 1L, null);
      Op w = h.invoke("c1", "write", "k", 2L);
      Op rd = h.invoke("c2", "read", "k", null);
      h.ok(rd, seen);
      h.ok(w, null);
      Verdict expected = seen == 3L ? Verdict.INVALID : Verdict.VALID;
      assertThat(register().check(h.build()).verdict()).as("read saw %d", seen).isEqualTo(expected);
    }
  }

  @Test
  void concurrentWritesAllowEitherOrderButReadsMustAgreeOnIt() {
    TestHistory h = new TestHistory();
    Op w1 = h.invoke("c1", "write", "k", 1L);
    Op w2 = h.invoke("c2", "write", "k", 2L);
    h.ok(w1, null);
    h.ok(w2, null);
    h.okOp("c3", "read", "k", null, 1L);
    h.okOp("c3", "read", "k", null, 1L);
    assertThat(register().check(h.build()).verdict()).isEqualTo(Verdict.VALID);
    h.okOp("c4", "read", "k", null, 2L);
    assertThat(register().check(h.build()).verdict()).isEqualTo(Verdict.INVALID);
  }

  @Test
  void anUnknownWriteMayTakeEffectOrNotButCannotUnhappen() {
    TestHistory seenThenGone = new TestHistory();
    seenThenGone.okOp("c1", "write", "k", 1L, null);
    seenThenGone.info(seenThenGone.invoke("c1", "write", "k", 2L));
    seenThenGone.okOp("c2", "read", "k", null, 2L);
    seenThenGone.okOp("c2", "read", "k", null, 1L);
    assertThat(register().check(seenThenGone.build()).verdict()).isEqualTo(Verdict.INVALID);

    TestHistory lateEffect = new TestHistory();
    lateEffect.okOp("c1", "write", "k", 1L, null);
    lateEffect.info(lateEffect.invoke("c1", "write", "k", 2L));
    lateEffect.okOp("c2", "read", "k", null, 1L);
    lateEffect.okOp("c2", "read", "k", null, 1L);
    lateEffect.okOp("c2", "read", "k", null, 2L);
    assertThat(register().check(lateEffect.build()).verdict()).isEqualTo(Verdict.VALID);

    TestHistory never = new TestHistory();
    never.okOp("c1", "write", "k", 1L, null);
    never.info(never.invoke("c1", "write", "k", 2L));
    never.okOp("c2", "read", "k", null, 1L);
    assertThat(register().check(never.build()).verdict()).isEqualTo(Verdict.VALID);
  }

  /**
   * Unknown-outcome writes whose value nobody observed are dropped before the search (they can only lengthen it);
   * observed ones stay, and dropping never hides a bad read.
   */
  @Test
  void unobservedUnknownWritesAreDroppedWithoutHidingAnAnomaly() {
    TestHistory h = new TestHistory();
    h.okOp("c1", "write", "k", 1L, null);
    h.info(h.invoke("c2", "write", "k", 2L)); // never observed: dropped
    h.info(h.invoke("c3", "cas", "k", List.of(1L, 3L))); // never observed: dropped
    h.info(h.invoke("c4", "write", "k", 4L)); // observed below: kept
    h.okOp("c5", "read", "k", null, 4L);
    CheckResult r = register().check(h.build());
    assertThat(r.verdict()).as(CheckResults.describe(r)).isEqualTo(Verdict.VALID);
    assertThat(r.stats()).containsEntry("dropped-unobserved-unknown-writes", 2).containsEntry("ops", 5);

    TestHistory bad = new TestHistory();
    bad.okOp("c1", "write", "k", 1L, null);
    bad.info(bad.invoke("c2", "write", "k", 2L));
    bad.okOp("c3", "read", "k", null, 1L);
    bad.okOp("c3", "read", "k", null, 9L); // nobody wrote 9
    assertThat(register().check(bad.build()).verdict()).isEqualTo(Verdict.INVALID);

    TestHistory needed = new TestHistory();
    needed.okOp("c1", "write", "k", 1L, null);
    needed.info(needed.invoke("c2", "write", "k", 2L));
    needed.okOp("c3", "cas", "k", List.of(2L, 5L), null); // only possible after the unknown write
    needed.okOp("c3", "read", "k", null, 5L);
    CheckResult kept = register().check(needed.build());
    assertThat(kept.verdict()).isEqualTo(Verdict.VALID);
    assertThat(kept.stats()).containsEntry("dropped-unobserved-unknown-writes", 0);
  }

  @Test
  void anUnknownWriteCannotTakeEffectBeforeItWasInvoked() {
    TestHistory h = new TestHistory();
    h.okOp("c2", "read", "k", null, 2L);
    h.info(h.invoke("c1", "write", "k", 2L));
    assertThat(register().check(h.build()).verdict()).isEqualTo(Verdict.INVALID);
  }

  /**
   * The search first reaches {w0, a, b} with state 5 by spending the unknown write x (a, then x, then b), fails
   * later because e needs x, and then reaches {w0, a, b} with state 5 again without x (b, then a). That second
   * configuration has fewer unknown operations linearized, so it must be explored, not pruned as already seen.
   */
  @Test
  void aConfigurationWithFewerUnknownOpsLinearizedIsNotPrunedByOneWithMore() {
    TestHistory h = new TestHistory();
    h.okOp("c1", "write", "k", 1L, null);
    Op x = h.invoke("c2", "write", "k", 1L);
    Op a = h.invoke("c1", "write", "k", 5L);
    Op b = h.invoke("c3", "cas", "k", List.of(1L, 5L));
    h.ok(a, null);
    h.ok(b, null);
    h.okOp("c1", "write", "k", 2L, null);
    h.okOp("c1", "read", "k", null, 1L);
    h.info(x);
    CheckResult r = register().check(h.build());
    assertThat(r.verdict()).as(CheckResults.describe(r)).isEqualTo(Verdict.VALID);
  }

  @Test
  void aNeverCompletedOpIsLikeAnUnknownOne() {
    TestHistory h = new TestHistory();
    h.invoke("c1", "write", "k", 2L);
    h.okOp("c2", "read", "k", null, null);
    h.okOp("c2", "read", "k", null, 2L);
    CheckResult r = register().check(h.build());
    assertThat(r.verdict()).isEqualTo(Verdict.VALID);
    assertThat(r.stats()).containsEntry("ops", 3);
  }

  @Test
  void unknownReadsAreDroppedBeforeTheSearch() {
    TestHistory h = new TestHistory();
    h.okOp("c1", "write", "k", 1L, null);
    h.info(h.invoke("c2", "read", "k", null));
    h.okOp("c3", "read", "k", null, 1L);
    CheckResult r = register().check(h.build());
    assertThat(r.verdict()).isEqualTo(Verdict.VALID);
    assertThat(r.stats()).containsEntry("ops", 2).containsEntry("dropped-unknown-reads", 1);
  }

  @Test
  void failedOpsDidNotHappen() {
    TestHistory failedWriteSeen = new TestHistory();
    failedWriteSeen.okOp("c1", "write", "k", 1L, null);
    failedWriteSeen.fail(failedWriteSeen.invoke("c1", "write", "k", 5L));
    failedWriteSeen.okOp("c2", "read", "k", null, 5L);
    CheckResult r = register().check(failedWriteSeen.build());
    assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
    assertThat(r.stats()).containsEntry("dropped-fail", 1);

    // A failed cas is dropped, not checked (documented in RegisterModel): valid even though its condition held.
    TestHistory failedCas = new TestHistory();
    failedCas.okOp("c1", "write", "k", 1L, null);
    failedCas.fail(failedCas.invoke("c1", "cas", "k", List.of(1L, 2L)));
    failedCas.okOp("c2", "read", "k", null, 1L);
    assertThat(register().check(failedCas.build()).verdict()).isEqualTo(Verdict.VALID);
  }

  @Test
  void casWhoseConditionDidNotHoldCannotSucceed() {
    TestHistory h = new TestHistory();
    h.okOp("c1", "write", "k", 1L, null);
    h.okOp("c2", "cas", "k", List.of(3L, 4L), null);
    CheckResult r = register().check(h.build());
    assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
    assertThat(r.anomalies()).singleElement().asString().contains("c2 cas [3, 4] -> ok");
  }

  @Test
  void keysAreCheckedIndependentlyAndTheBadKeyIsNamed() {
    TestHistory h = new TestHistory();
    h.okOp("c1", "write", "k1", 1L, null);
    h.okOp("c2", "read", "k2", null, 1L);
    h.okOp("c2", "read", "k1", null, 1L);
    CheckResult r = register().check(h.build());
    assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
    assertThat(r.summary()).isEqualTo("not linearizable on 1 of 2 keys: k2");
    assertThat(r.anomalies()).singleElement().asString().startsWith("key k2: ");
    assertThat(r.stats()).containsEntry("keys", 2).containsEntry("invalid-keys", 1);
  }

  @Test
  void onlyFilteredClientOpsAreChecked() {
    TestHistory h = new TestHistory();
    h.okOp("c1", "write", "k", 1L, null);
    h.event("nemesis", "start-partition", "halves");
    h.okOp("c2", "acquire", "k", "n1", null); // another workload's op on the same key: filtered out
    h.okOp("c2", "read", "k", null, 1L);
    CheckResult r = register().check(h.build());
    assertThat(r.verdict()).isEqualTo(Verdict.VALID);
    assertThat(r.stats()).containsEntry("ops", 2);
  }

  @Test
  void exceedingTheBudgetIsUnknownNeverValid() {
    TestHistory h = new TestHistory();
    h.okOp("c1", "write", "k", 1L, null);
    h.okOp("c1", "write", "k", 2L, null);
    h.okOp("c1", "read", "k", null, 2L);
    LinearizabilityChecker tiny = new LinearizabilityChecker("register", RegisterModel::empty, op -> true, 2);
    CheckResult r = tiny.check(h.build());
    assertThat(r.verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(r.anomalies()).singleElement().asString().contains("key k: gave up after 3 configurations (budget 2)");
    assertThat(new LinearizabilityChecker("register", RegisterModel::empty, op -> true, 3).check(h.build())
        .verdict()).isEqualTo(Verdict.VALID);
  }

  @Test
  void anInvalidKeyOutranksAnUndecidedOne() {
    TestHistory h = new TestHistory();
    for (long i = 1; i <= 5; i++) {
      h.okOp("c1", "write", "big", i, null);
    }
    h.okOp("c2", "read", "bad", null, 7L);
    CheckResult r = new LinearizabilityChecker("register", RegisterModel::empty, op -> true, 3).check(h.build());
    assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
    assertThat(r.stats()).containsEntry("invalid-keys", 1).containsEntry("unknown-keys", 1);
  }

  @Test
  void malformedInputIsUnknownWithAClearReason() {
    TestHistory badF = new TestHistory();
    badF.okOp("c1", "increment", "k", 1L, null);
    CheckResult r = new LinearizabilityChecker("register", RegisterModel::empty, op -> true).check(badF.build());
    assertThat(r.verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(r.anomalies()).singleElement().asString()
        .isEqualTo("key k: cannot check: op 0: the register model has no operation \"increment\" "
            + "(expected read, write or cas)");

    TestHistory twoOpen = new TestHistory();
    twoOpen.invoke("c1", "write", "k", 1L);
    twoOpen.invoke("c1", "write", "k", 2L);
    CheckResult r2 = register().check(twoOpen.build());
    assertThat(r2.verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(r2.summary()).contains("malformed history").contains("process c1 invoked op 1 while op 0");
  }

  @Test
  void tenThousandOpsFromASimulatedRegisterAreLinearizableAndOneBadReadIsCaught() {
    History good = RegisterSimulation.generate(42, 10_000, 5, 3);
    long t0 = System.nanoTime();
    CheckResult r = register().check(good);
    long tookMs = (System.nanoTime() - t0) / 1_000_000;
    System.out.println("10k ops, 5 clients, 3 keys: " + tookMs + " ms; " + CheckResults.describe(r));
    assertThat(r.verdict()).as(CheckResults.describe(r)).isEqualTo(Verdict.VALID);
    assertThat((int) r.stats().get("ops") + (int) r.stats().get("dropped-fail")
        + (int) r.stats().get("dropped-unknown-reads")).isEqualTo(10_000);
    assertThat(r.stats()).containsEntry("keys", 3);

    History bad = RegisterSimulation.withReadChanged(good, 0.6, 999_999L);
    long t1 = System.nanoTime();
    CheckResult rb = register().check(bad);
    System.out.println("mutated: " + (System.nanoTime() - t1) / 1_000_000 + " ms; " + CheckResults.describe(rb));
    assertThat(rb.verdict()).isEqualTo(Verdict.INVALID);
    assertThat(rb.anomalies()).singleElement().asString().contains("read -> ok 999999");
  }

  @Test
  void manySeedsOfSimulatedHistoriesAreAllLinearizable() {
    for (long seed = 1; seed <= 30; seed++) {
      History h = RegisterSimulation.generate(seed, 400, 4, 1);
      CheckResult r = register().check(h);
      assertThat(r.verdict()).as("seed %d: %s", seed, CheckResults.describe(r)).isEqualTo(Verdict.VALID);
      CheckResult bad = register().check(RegisterSimulation.withReadChanged(h, 0.5, -1L));
      assertThat(bad.verdict()).as("mutated seed %d", seed).isEqualTo(Verdict.INVALID);
    }
  }

  @Test
  void hundredThousandOpsOverManyKeysStayFast() {
    History h = RegisterSimulation.generate(7, 100_000, 10, 200);
    long t0 = System.nanoTime();
    CheckResult r = register().check(h);
    long tookMs = (System.nanoTime() - t0) / 1_000_000;
    System.out.println("100k ops, 10 clients, 200 keys: " + tookMs + " ms; " + CheckResults.line(r));
    assertThat(r.verdict()).isEqualTo(Verdict.VALID);
    // Generous: the point is "seconds, not minutes" on a shared two-core machine.
    assertThat(tookMs).isLessThan(30_000);
  }

  @Test
  void nothingToCheckIsUnknownNeverValid() {
    TestHistory h = new TestHistory();
    h.fail(h.invoke("c1", "write", "k", 1L));
    h.info(h.invoke("c2", "read", "k", null));
    CheckResult r = new LinearizabilityChecker("reg", RegisterModel::empty, op -> true).check(h.build());
    assertThat(r.verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(r.summary()).startsWith("no operation to check: 2 recorded, 1 failed, 1 unknown-outcome reads");
    assertThat(new LinearizabilityChecker("reg", RegisterModel::empty, op -> true).check(new TestHistory().build())
        .verdict()).isEqualTo(Verdict.UNKNOWN);
  }
}
