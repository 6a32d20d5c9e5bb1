package io.pgquorum.jepsen.checker;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.jepsen.history.History;
import io.pgquorum.jepsen.history.History.Pair;
import io.pgquorum.jepsen.history.Op;
import io.pgquorum.jepsen.history.OpType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The optimised search (two lists, OK-first order, cache with subsumption) must agree with a naive exhaustive
 * search on thousands of small random histories, valid and invalid, with unknown-outcome operations.
 */
class WglAgainstBruteForceTest {

  @Test
  void agreesWithExhaustiveSearchOnRandomSmallHistories() {
    int valid = 0;
    int invalid = 0;
    for (long seed = 0; seed < 3000; seed++) {
      History h = randomHistory(new Random(seed));
      boolean expected = bruteForce(h);
      CheckResult r = new LinearizabilityChecker("register", RegisterModel::empty, op -> true).check(h);
      assertThat(r.verdict()).as("seed %d: %s\n%s", seed, CheckResults.describe(r), h.ops())
          .isEqualTo(expected ? Verdict.VALID : Verdict.INVALID);
      if (expected) {
        valid++;
      } else {
        invalid++;
      }
    }
    // Both outcomes must be well represented, or the comparison proves little.
    assertThat(valid).isGreaterThan(300);
    assertThat(invalid).isGreaterThan(300);
  }

  private static History randomHistory(Random rnd) {
    TestHistory h = new TestHistory();
    int clients = 3;
    Op[] open = new Op[clients];
    String[] process = {"c1", "c2", "c3"};
    int nextProcess = 4;
    int remaining = 4 + rnd.nextInt(4);
    while (remaining > 0 || open[0] != null || open[1] != null || open[2] != null) {
      int c = rnd.nextInt(clients);
      if (open[c] == null) {
        if (remaining == 0) {
          continue;
        }
        remaining--;
        int kind = rnd.nextInt(3);
        long v = 1 + rnd.nextInt(3);
        open[c] = kind == 0 ? h.invoke(process[c], "read", "k", null)
            : kind == 1 ? h.invoke(process[c], "write", "k", v)
            : h.invoke(process[c], "cas", "k", List.of((long) rnd.nextInt(3), v));
      } else {
        int outcome = rnd.nextInt(10);
        if (outcome < 2) {
          h.info(open[c]);
          process[c] = "c" + nextProcess++;
        } else if (outcome < 3 && open[c].f().equals("cas")) {
          h.fail(open[c]);
        } else if (outcome < 4 && rnd.nextBoolean()) {
          // leave it open forever: the history ends first
          process[c] = "c" + nextProcess++;
        } else {
          Long result = open[c].f().equals("read") ? (rnd.nextInt(4) == 0 ? null : (long) rnd.nextInt(4)) : null;
          h.ok(open[c], result);
        }
        open[c] = null;
      }
    }
    return h.build();
  }

  /** Every order allowed by real time, every subset of unknown operations, no pruning at all. */
  private static boolean bruteForce(History h) {
    List<Pair> ops = new ArrayList<>();
    for (Pair p : h.pairs()) {
      if (p.outcome() != OpType.FAIL) {
        ops.add(p);
      }
    }
    return search(ops, new boolean[ops.size()], RegisterModel.empty());
  }

  private static boolean search(List<Pair> ops, boolean[] done, io.pgquorum.jepsen.checker.Model state) {
    long deadline = Long.MAX_VALUE;
    boolean allOkDone = true;
    for (int i = 0; i < ops.size(); i++) {
      Pair p = ops.get(i);
      if (!done[i] && p.outcome() == OpType.OK) {
        allOkDone = false;
        deadline = Math.min(deadline, p.completion().index());
      }
    }
    if (allOkDone) {
      return true;
    }
    for (int i = 0; i < ops.size(); i++) {
      Pair p = ops.get(i);
      if (done[i] || p.invoke().index() > deadline) {
        continue;
      }
      Optional<io.pgquorum.jepsen.checker.Model> next = state.step(p.invoke(), p.completion());
      if (next.isPresent()) {
        done[i] = true;
        boolean ok = search(ops, done, next.get());
        done[i] = false;
        if (ok) {
          return true;
        }
      }
    }
    return false;
  }
}
