package io.pgquorum.jepsen.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.jepsen.report.CampaignHtml;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CampaignSummaryTest {

  static TrialRecord trial(String cell, long seed, String status, Map<String, String> verdicts, Double recovery,
      Long lost, Long outside) {
    return new TrialRecord(cell, seed, "seed-" + seed, 2, List.of("kill", "partition"), status,
        status.equals(TrialRecord.ERROR) ? "cluster did not start: <no primary>" : null, verdicts,
        List.of("availability", "epoch"), Map.of("epoch", "summary with <b>tags</b>"), recovery, lost, outside,
        40.0, cell + "/seed-" + seed, "bin/jepsen-run --target stack --schedule x/seed-" + seed + "/schedule.json",
        null);
  }

  static Map<String, String> v(String epoch, String availability) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("epoch", epoch);
    m.put("availability", availability);
    return m;
  }

  static CampaignSummary sample(int maxUnknown) {
    Map<String, Integer> planned = new LinkedHashMap<>();
    planned.put("stack-n3-partition", 3);
    planned.put("stack-n3-kill", 2);
    planned.put("stack-n3-pause", 1);
    List<TrialRecord> trials = List.of(
        trial("stack-n3-partition", 1, TrialRecord.PASSED, v("VALID", "VALID"), 10.0, 5L, 0L),
        trial("stack-n3-partition", 2, TrialRecord.FAILED, v("INVALID", "VALID"), 20.0, 7L, 3L),
        trial("stack-n3-partition", 3, TrialRecord.PASSED, v("VALID", "VALID"), 30.0, 0L, 0L),
        trial("stack-n3-kill", 1, TrialRecord.UNKNOWN, v("VALID", "UNKNOWN"), null, 0L, 0L),
        trial("stack-n3-kill", 2, TrialRecord.ERROR, Map.of(), null, null, null));
    return CampaignSummary.of("test campaign", 1, maxUnknown, planned, trials);
  }

  @Test
  void cellsAndTotalsAreCounted() {
    CampaignSummary s = sample(0);
    assertThat(s.cells()).extracting(CampaignSummary.CellSummary::cell)
        .containsExactly("stack-n3-partition", "stack-n3-kill", "stack-n3-pause");
    CampaignSummary.CellSummary p = s.cells().get(0);
    assertThat(p.runs()).isEqualTo(3);
    assertThat(p.passed()).isEqualTo(2);
    assertThat(p.failed()).isEqualTo(1);
    assertThat(p.verdicts()).isEqualTo(Map.of("epoch", Map.of("VALID", 2, "INVALID", 1),
        "availability", Map.of("VALID", 3)));
    assertThat(p.recovery()).isEqualTo(new CampaignSummary.Figures(3, 10.0, 20.0, 30.0, 30.0));
    assertThat(p.lost()).isEqualTo(12);
    assertThat(p.lostOutsideWindow()).isEqualTo(3);
    CampaignSummary.CellSummary pause = s.cells().get(2);
    assertThat(pause.runs()).isZero();
    assertThat(pause.planned()).isEqualTo(1);
    assertThat(pause.recovery().count()).isZero();
    CampaignSummary.CellSummary t = s.total();
    assertThat(List.of(t.planned(), t.runs(), t.passed(), t.failed(), t.unknown(), t.errors()))
        .containsExactly(6, 5, 2, 1, 1, 1);
    assertThat(t.seconds()).isEqualTo(200.0);
    assertThat(s.passed()).isFalse();
    assertThat(s.line()).isEqualTo("5 of 6 trials run: 2 passed, 1 failed, 1 unknown (at most 0 allowed), 1 could "
        + "not be run");
  }

  @Test
  void unknownTrialsFailTheCampaignBeyondTheCap() {
    Map<String, Integer> planned = Map.of("c", 2);
    List<TrialRecord> oneUnknown = List.of(trial("c", 1, TrialRecord.PASSED, v("VALID", "VALID"), 1.0, 0L, 0L),
        trial("c", 2, TrialRecord.UNKNOWN, v("VALID", "UNKNOWN"), null, 0L, 0L));
    assertThat(CampaignSummary.of("x", 1, 0, planned, oneUnknown).passed()).isFalse();
    assertThat(CampaignSummary.of("x", 1, 1, planned, oneUnknown).passed()).isTrue();
  }

  @Test
  void theJsonRoundTrips() {
    CampaignSummary s = sample(2);
    String json = CampaignJson.write(s);
    assertThat(json).contains("\"baseSeed\" : 1", "\"maxUnknown\" : 2", "\"status\" : \"FAILED\"",
        "\"recoverySeconds\" : 20.0", "\"lostOutsideWindow\" : 3");
    assertThat(CampaignJson.read(json)).isEqualTo(s);
  }

  @Test
  void theHtmlShowsEveryCellTrialAndReplayEscaped() {
    String html = CampaignHtml.render(sample(0));
    assertThat(html).startsWith("<!DOCTYPE html>").contains("<title>test campaign</title>",
        "5 of 6 trials run: 2 passed, 1 failed, 1 unknown (at most 0 allowed), 1 could not be run",
        "overall-invalid", "stack-n3-pause", "<a href=\"stack-n3-partition/seed-2/report.html\">report</a>",
        "bin/jepsen-run --target stack --schedule x/seed-2/schedule.json",
        "cluster did not start: &lt;no primary&gt;", "summary with &lt;b&gt;tags&lt;/b&gt;",
        "20.0 / 30.0 / 30.0", "12 (3)", "status-UNKNOWN", "status-ERROR");
    assertThat(html).doesNotContain("<b>tags</b>", "<no primary>");
    // Failed, unknown and erroneous trials are listed before passed ones.
    assertThat(html.indexOf("status-FAILED\">")).isLessThan(html.indexOf("status-PASSED\">"));
    assertThat(html).doesNotContain("<script");
  }
}
