package io.pgquorum.jepsen.runner;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.jepsen.checker.CheckResult;
import io.pgquorum.jepsen.checker.Verdict;
import io.pgquorum.jepsen.fault.Schedule;
import io.pgquorum.jepsen.history.History;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TrialResultTest {
  private static final Schedule S = new Schedule("s", 1, 3, List.of(), 0);

  private static CheckResult r(String name, Verdict v) {
    return new CheckResult(name, v, name + " " + v, List.of(), Map.of());
  }

  private static TrialResult result(Set<String> asserted, CheckResult... results) {
    return new TrialResult(S, new History(List.of()), List.of(results), asserted, Path.of("x"));
  }

  @Test
  void onlyEveryAssertedCheckerValidPasses() {
    TrialResult ok = result(Set.of("a", "b"), r("a", Verdict.VALID), r("b", Verdict.VALID), r("m", Verdict.INVALID));
    assertThat(ok.status()).isEqualTo(TrialResult.Status.PASSED);
    assertThat(ok.passed()).isTrue();
    assertThat(ok.failures()).isEmpty();
  }

  @Test
  void anUnknownAssertedVerdictIsNotAPass() {
    TrialResult u = result(Set.of("a", "b"), r("a", Verdict.VALID), r("b", Verdict.UNKNOWN));
    assertThat(u.status()).isEqualTo(TrialResult.Status.UNKNOWN);
    assertThat(u.passed()).isFalse();
    assertThat(u.failures()).containsExactly(Map.entry("b", Verdict.UNKNOWN));
    assertThat(u.summary()).contains("): UNKNOWN");
  }

  @Test
  void invalidOutranksUnknownAndAMissingAssertedCheckerFails() {
    TrialResult f = result(Set.of("a", "b"), r("a", Verdict.UNKNOWN), r("b", Verdict.INVALID));
    assertThat(f.status()).isEqualTo(TrialResult.Status.FAILED);
    assertThat(f.failures()).containsExactly(Map.entry("a", Verdict.UNKNOWN), Map.entry("b", Verdict.INVALID));
    TrialResult missing = result(Set.of("a", "gone"), r("a", Verdict.VALID));
    assertThat(missing.status()).isEqualTo(TrialResult.Status.FAILED);
    assertThat(missing.failures()).containsExactly(Map.entry("gone", Verdict.INVALID));
  }
}
