package io.pgquorum.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Renders a run as markdown: the machine, the ratios table first, then every result by suite. */
public final class MarkdownReport {
  private MarkdownReport() {}

  public static String render(Results results) {
    StringBuilder md = new StringBuilder();
    Machine m = results.machine();
    md.append("# pgquorum benchmark results\n\n");
    md.append("Run ").append(m.when()).append(results.quick() ? " (quick: fewer samples and trials)" : "")
        .append(".\n\n");
    md.append("Machine: ").append(m.cpu()).append(", ").append(m.cores()).append(" cores, ")
        .append(m.memoryMib()).append(" MiB, Linux ").append(m.kernel()).append(", ").append(m.java())
        .append(".\n");
    if (!m.versions().isEmpty()) {
      md.append("Versions: ");
      List<String> v = new ArrayList<>();
      new TreeMap<>(m.versions()).forEach((k, val) -> v.add(k + " " + val));
      md.append(String.join(", ", v)).append(".\n");
    }
    md.append("\n## Ratios (pgquorum / incumbent, medians measured in the same run)\n\n");
    List<Comparison> comparisons = Comparison.pair(results.all());
    if (comparisons.isEmpty()) {
      md.append("No metric was measured for both pgquorum and an incumbent in this run.\n");
    } else {
      md.append("| suite | metric | configuration | pgquorum | incumbent | ratio | |\n");
      md.append("|---|---|---|---|---|---|---|\n");
      for (Comparison c : comparisons) {
        Result p = c.pgquorum();
        Result i = c.incumbent();
        md.append("| ").append(Format.cell(p.suite()))
            .append(" | ").append(Format.cell(p.metric()))
            .append(" | ").append(Format.cell(p.config()))
            .append(" | ").append(Format.number(p.summary().p50())).append(' ').append(p.unit())
            .append(variant(p))
            .append(" | ").append(Format.number(i.summary().p50())).append(' ').append(i.unit())
            .append(" ").append(Format.cell(i.system())).append(variant(i))
            .append(" | **").append(Format.ratio(c.ratio())).append("**")
            .append(" | ").append(c.verdict())
            .append(" |\n");
      }
      md.append("\nBelow 1x is less time or memory for pgquorum; for throughput (ops/s) above 1x is better.\n");
    }
    md.append("\n## Targets\n\n").append(targetsTable(results.all()));
    Map<String, List<Result>> bySuite = new LinkedHashMap<>();
    for (Result r : results.all()) {
      bySuite.computeIfAbsent(r.suite(), k -> new ArrayList<>()).add(r);
    }
    for (var e : bySuite.entrySet()) {
      md.append("\n## ").append(e.getKey()).append("\n\n");
      md.append("| metric | configuration | system | n | min | median | p99 | max | unit | notes |\n");
      md.append("|---|---|---|---|---|---|---|---|---|---|\n");
      for (Result r : e.getValue()) {
        Summary s = r.summary();
        List<String> notes = new ArrayList<>();
        r.notes().forEach((k, v) -> notes.add(k + ": " + v));
        md.append("| ").append(Format.cell(r.metric()))
            .append(" | ").append(Format.cell(r.config()))
            .append(" | ").append(Format.cell(r.system())).append(variant(r))
            .append(" | ").append(s.count())
            .append(" | ").append(Format.number(s.min()))
            .append(" | ").append(Format.number(s.p50()))
            .append(" | ").append(Format.number(s.p99()))
            .append(" | ").append(Format.number(s.max()))
            .append(" | ").append(Format.cell(r.unit()))
            .append(" | ").append(Format.cell(String.join("; ", notes)))
            .append(" |\n");
      }
    }
    if (!results.skippedParts().isEmpty()) {
      md.append("\n## Not measured in this run\n\n");
      new TreeMap<>(results.skippedParts()).forEach((what, why) ->
          md.append("- ").append(what).append(": ").append(why).append('\n'));
    }
    return md.toString();
  }

  /** The targets and where this run stands on each, as a markdown table. */
  public static String targetsTable(List<Result> results) {
    StringBuilder md = new StringBuilder("| target | measured | |\n|---|---|---|\n");
    for (Targets.Verdict v : Targets.judge(results)) {
      md.append("| ").append(Format.cell(v.target())).append(" | ").append(Format.cell(v.measured()))
          .append(" | ").append(switch (v.status()) {
            case MET -> "met";
            case NOT_MET -> "**not met**";
            case NOT_MEASURED -> "not measured";
          }).append(" |\n");
    }
    return md.toString();
  }

  private static String variant(Result r) {
    return r.variant() == null || r.variant().isEmpty() ? "" : " (" + Format.cell(r.variant()) + ")";
  }
}
