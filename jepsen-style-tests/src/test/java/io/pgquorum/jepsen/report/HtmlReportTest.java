package io.pgquorum.jepsen.report;

import static io.pgquorum.jepsen.report.SyntheticRun.S;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.jepsen.checker.CheckResult;
import io.pgquorum.jepsen.checker.Verdict;
import io.pgquorum.jepsen.fault.Fault;
import io.pgquorum.jepsen.fault.PartitionShape;
import io.pgquorum.jepsen.fault.Schedule;
import io.pgquorum.jepsen.fault.Step;
import io.pgquorum.jepsen.fault.Target;
import io.pgquorum.jepsen.history.History;
import io.pgquorum.jepsen.history.Op;
import io.pgquorum.jepsen.history.OpType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class HtmlReportTest {
  static final Schedule SCHEDULE = new Schedule("seed-4242-3", 4242, 3, List.of(
      new Step(6000, 8000, new Fault.Partition(PartitionShape.ISOLATE, Target.primary())),
      new Step(15000, 2000, new Fault.Kill(Target.node(2), io.pgquorum.jepsen.fault.Component.DAEMON))), 3000);

  /** Results pointing at real ops of {@code h}: the hostile write and the first write that failed on node1. */
  static List<CheckResult> results(History h) {
    Op hostile = h.ops().stream().filter(o -> o.process().equals("c999") && o.type() == OpType.FAIL)
        .findFirst().orElseThrow();
    Op firstInfo = h.ops().stream().filter(o -> o.isClient() && o.type() == OpType.INFO).findFirst().orElseThrow();
    return List.of(
        new CheckResult("linearizable(dcs-register)", Verdict.VALID, "1234 ops, 1 key: linearizable", List.of(),
            Map.of("ops", 1234L, "keys", 1L)),
        new CheckResult("epoch", Verdict.INVALID, "2 probes carried a stale token <b>after</b> failover",
            List.of("op " + hostile.index() + " wrote " + SyntheticRun.HOSTILE + " on node1 with token 1",
                "ops " + firstInfo.index() + " and " + hostile.index() + " overlap",
                "a third", "a fourth", "a fifth", "a sixth, not listed"),
            Map.of("stale", 2L, "note", "<i>x</i>")),
        new CheckResult("availability", Verdict.UNKNOWN, "no write after the last heal", List.of(), Map.of()));
  }

  @Test
  void rendersHeaderVerdictsLanesBandsAndTablesForAFailoverRun() throws Exception {
    History h = SyntheticRun.build(600, 1);
    String html = HtmlReport.render("failover under isolation", SCHEDULE, h, results(h));

    // header
    assertThat(html).contains("<title>failover under isolation</title>", "seed-4242-3", "4242",
        "bin/jepsen-run --seed 4242", ">3 <span class=\"muted\">(node1, node2, node3)");
    // verdicts, coloured by class
    assertThat(html).contains("verdict verdict-valid\">valid", "verdict verdict-invalid\">invalid",
        "verdict verdict-unknown\">unknown", "overall overall-invalid", "1 more");
    assertThat(html).doesNotContain("a sixth, not listed");
    // a lane per node for roles and one per node for client ops, plus the router lane
    for (String node : List.of("node1", "node2", "node3")) {
      assertThat(count(html, "class=\"lane-name\" x=\"102\" y=\"[0-9.]+\" text-anchor=\"end\">" + node + "<"))
          .as("lanes of %s", node).isEqualTo(node.equals("node3") ? 1 : 2);
    }
    assertThat(html).contains(">clients</text>");
    // roles: node1 primary then unknown then replica; node2 replica then primary; node3 stopped while killed
    assertThat(count(html, "class=\"role role-primary\"")).isEqualTo(2);
    assertThat(count(html, "class=\"role role-unknown\"")).isEqualTo(1);
    assertThat(count(html, "class=\"role role-stopped\"")).isEqualTo(1);
    // one continuous hold each: node1 until it loses the lease at 9 s, node2 from 10 s
    assertThat(count(html, "class=\"lease\"")).isEqualTo(2);
    assertThat(html).contains("node1: lease held 0.000 s \u2013 9.000 s");
    assertThat(html).contains(">t=1</text>", ">t=2</text>");
    // fault bands with their labels; the pause never stopped
    assertThat(html).contains("band band-partition", "partition: isolate node1 &lt;primary&gt;",
        "band band-kill", "kill -9 daemon on node3", "pause: SIGSTOP node2 daemon (never stopped)",
        "band-edge open");
    // individual op marks in all three colours, no bins
    assertThat(html).contains("tick tick-ok", "op op-fail", "op op-info", "span span-info");
    assertThat(html).doesNotContain("bar bar-ok");
    // nemesis table and flagged operations
    assertThat(count(html, "<tr class=\"ev-start\">")).isEqualTo(3);
    assertThat(count(html, "<tr class=\"ev-stop\">")).isEqualTo(2);
    assertThat(html).contains("class=\"anomaly\"", "<span class=\"type type-fail\">fail</span>");
    // self-contained
    assertThat(html).doesNotContain("http://", "https://", "<script", "src=", "<link");
  }

  @Test
  void everythingFromTheRunIsEscaped() {
    History h = SyntheticRun.build(200, 2);
    String html = HtmlReport.render("<script>title()</script>", SCHEDULE, h, results(h));
    assertThat(html).doesNotContain("<script", "<b>after", "<i>x</i>", "<primary>");
    assertThat(html).contains("&lt;script&gt;title()&lt;/script&gt;",
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;", "rejected: &lt;script&gt;",
        "&lt;b&gt;after&lt;/b&gt;", "&lt;i&gt;x&lt;/i&gt;");
  }

  @Test
  void manyOperationsAreBinnedAndThePageStaysSmall() {
    History h = SyntheticRun.build(20_000, 3);
    long clientOps = h.ops().stream().filter(o -> o.isClient() && o.type() != OpType.INVOKE).count();
    assertThat(clientOps).isGreaterThan(TimelineSvg.MAX_INDIVIDUAL_OPS * 3L);
    String html = HtmlReport.render("busy", SCHEDULE, h, results(h));
    assertThat(html).contains("bar bar-ok", "bar bar-fail", "bar bar-info", "counts per 100 ms", "a full lane = ",
        "<b>ops binned</b>");
    assertThat(html).doesNotContain("tick tick-ok", "op op-ok");
    assertThat(html.getBytes(StandardCharsets.UTF_8).length).isLessThan(300_000);
  }

  @Test
  void fewOperationsAreNotBinned() {
    History h = SyntheticRun.build(TimelineSvg.MAX_INDIVIDUAL_OPS - 100, 4);
    String html = HtmlReport.render("at the limit", SCHEDULE, h, results(h));
    assertThat(html).contains("tick tick-ok").doesNotContain("bar bar-ok");
  }

  @Test
  void rendersWithoutScheduleResultsOrEvents() {
    String html = HtmlReport.render(null, null, new History(List.of()), List.of());
    assertThat(html).contains("<title>pgquorum run</title>", "not recorded", "no observer events",
        "no client operations", "No checker results", "No nemesis events").endsWith("</html>\n");
  }

  @Test
  void aHistoryThatBreaksTheProcessRuleStillRenders() {
    // c1 invokes twice without completing: History.pairs() rejects this; the report must still show it.
    History h = new History(List.of(
        new Op(0, 0, "c1", OpType.INVOKE, "write", "k", 1L, "n1", null),
        new Op(1, S, "c1", OpType.INVOKE, "write", "k", 2L, "n1", null),
        new Op(2, 2 * S, "c1", OpType.OK, "write", "k", 2L, "n1", null)));
    String html = HtmlReport.render("broken", null, h, List.of());
    assertThat(html).contains(">n1</text>", "tick tick-ok", "op op-info", "never completed");
  }

  @Test
  void replayUsesTheSeedOrTheName() {
    assertThat(HtmlReport.replayCommand(SCHEDULE)).isEqualTo("bin/jepsen-run --seed 4242");
    assertThat(HtmlReport.replayCommand(new Schedule("isolate-primary", 0, 3, List.of(), 1000)))
        .isEqualTo("bin/jepsen-run --schedule isolate-primary");
  }

  /** Writes the sample page for people to open (and for the screenshot check while developing). */
  @Test
  void writesTheSamplePage() throws Exception {
    History h = SyntheticRun.build(600, 1);
    Path file = Paths.get("target", "report-sample.html");
    HtmlReport.write(file, "sample: failover under isolation", SCHEDULE, h, results(h));
    assertThat(Files.readString(file)).isEqualTo(
        HtmlReport.render("sample: failover under isolation", SCHEDULE, h, results(h)));
    History big = SyntheticRun.build(20_000, 3);
    HtmlReport.write(Paths.get("target", "report-sample-binned.html"), "sample: 20 000 ops", SCHEDULE, big,
        results(big));
  }

  private static int count(String s, String regex) {
    Matcher m = Pattern.compile(regex).matcher(s);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }
}
