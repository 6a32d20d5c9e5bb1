package io.pgquorum.jepsen.checker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CheckResultsTest {

  private static CheckResult r(String name, Verdict v) {
    return new CheckResult(name, v, "s", List.of(), Map.of());
  }

  @Test
  void overallIsTheWorstVerdict() {
    assertThat(CheckResults.overall(List.of())).isEqualTo(Verdict.UNKNOWN);
    assertThat(CheckResults.overall(List.of(r("a", Verdict.VALID), r("b", Verdict.UNKNOWN))))
        .isEqualTo(Verdict.UNKNOWN);
    assertThat(CheckResults.overall(List.of(r("a", Verdict.UNKNOWN), r("b", Verdict.INVALID),
        r("c", Verdict.VALID)))).isEqualTo(Verdict.INVALID);
  }

  @Test
  void describeShowsVerdictAnomaliesAndSortedStats() {
    CheckResult res = new CheckResult("set", Verdict.INVALID, "1 lost", List.of("lost 3: ..."),
        Map.of("lost", 1, "acknowledged", 4));
    assertThat(CheckResults.describe(res)).isEqualTo(
        "INVALID set: 1 lost\n    - lost 3: ...\n    stats: acknowledged=4 lost=1");
    assertThat(CheckResults.describeAll(List.of(res, r("epoch", Verdict.VALID))))
        .endsWith("VALID   epoch: s\noverall: INVALID");
  }
}
