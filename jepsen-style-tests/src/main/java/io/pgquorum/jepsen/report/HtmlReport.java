package io.pgquorum.jepsen.report;

import static io.pgquorum.jepsen.report.Html.esc;

import io.pgquorum.jepsen.checker.CheckResult;
import io.pgquorum.jepsen.checker.Verdict;
import io.pgquorum.jepsen.fault.Schedule;
import io.pgquorum.jepsen.history.History;
import io.pgquorum.jepsen.history.Op;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The per-run report: one self-contained HTML page (inline CSS and SVG; no scripts, no external resources, so it
 * reads the same opened from disk on a machine without network). It shows, top to bottom: the run's facts and how
 * to replay it, the checkers' verdicts, a timeline of every node's role, lease and fencing token with faults as
 * bands and client operation outcomes, the nemesis events, and the operations the checkers flagged.
 *
 * <p>Every text that came from the run (values, errors, descriptions, checker output) is HTML-escaped.
 */
public final class HtmlReport {
  /** Operations listed in the "flagged operations" table. */
  static final int MAX_FLAGGED_OPS = 20;

  private HtmlReport() {
  }

  /**
   * Renders the report and writes it to {@code file} (UTF-8), creating parent directories.
   *
   * @param schedule the schedule that ran, or null when unknown (a history read back from disk)
   */
  public static void write(Path file, String title, Schedule schedule, History history,
      List<CheckResult> results) {
    writeHtml(file, render(title, schedule, history, results));
  }

  private static void writeHtml(Path file, String html) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, html, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the report to " + file, e);
    }
  }

  /**
   * The report as an HTML string.
   *
   * @param title page title (null: "pgquorum run")
   * @param schedule the schedule that ran, or null
   * @param history the run's history
   * @param results the checkers' results, in display order
   */
  public static String render(String title, Schedule schedule, History history, List<CheckResult> results) {
    return render(title, schedule, schedule == null ? null : replayCommand(schedule), history, results);
  }

  /**
   * As {@link #write(Path, String, Schedule, History, List)} with the exact replay command the runner knows
   * (target, saved schedule file), instead of the generic one.
   */
  public static void write(Path file, String title, Schedule schedule, String replay, History history,
      List<CheckResult> results) {
    writeHtml(file, render(title, schedule, replay, history, results));
  }

  /** As {@link #render(String, Schedule, History, List)} with an explicit replay command (null: none shown). */
  public static String render(String title, Schedule schedule, String replay, History history,
      List<CheckResult> results) {
    Objects.requireNonNull(history, "history");
    Objects.requireNonNull(results, "results");
    String t = title == null || title.isBlank() ? "pgquorum run" : title;
    long end = history.endNanos();

    Map<String, NodeTracks> tracks = NodeTracks.from(history, end);
    ClientLanes clients = ClientLanes.from(history);
    List<String> nodeNames = nodeNames(tracks, clients);
    List<FaultBands.Band> bands = FaultBands.from(history, end);
    List<Op> nemesis = history.byProcess(FaultBands.NEMESIS);
    List<AnomalyRefs.Ref> flagged = AnomalyRefs.first(results, history, MAX_FLAGGED_OPS);
    List<Long> flaggedIndexes = new ArrayList<>();
    flagged.forEach(r -> flaggedIndexes.add(r.op().index()));
    TimelineSvg timeline = new TimelineSvg(history, end, tracks, nodeNames, clients, bands, flaggedIndexes);

    StringBuilder b = new StringBuilder(128 * 1024);
    b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>").append(esc(t))
        .append("</title>\n<style>\n").append(ReportCss.CSS).append("</style>\n</head><body>\n");
    header(b, t, schedule, replay, history, results, clients, nodeNames);

    b.append("<h2>Verdicts</h2>\n");
    ReportTables.verdicts(b, results);

    b.append("<h2>Timeline</h2>\n");
    legend(b, timeline);
    b.append("<div class=\"scroll\">\n").append(timeline.render()).append("</div>\n");

    b.append("<h2>Nemesis events</h2>\n");
    ReportTables.nemesis(b, nemesis);

    b.append("<h2>Flagged operations</h2>\n");
    b.append("<p class=\"note\">The first operations that checkers' anomalies name (hover the checker for the "
        + "anomaly); marked \u25bc on the timeline.</p>\n");
    ReportTables.anomalyOps(b, flagged);

    if (schedule != null) {
      b.append("<h2>Schedule</h2>\n");
      ReportTables.steps(b, schedule);
    }
    b.append("</body></html>\n");
    return b.toString();
  }

  /**
   * How to re-run this schedule: by seed for generated schedules, by name for hand-written ones (seed 0). The
   * runner's exact flags may change; this is the one place that spells them.
   */
  public static String replayCommand(Schedule schedule) {
    if (schedule.seed() != 0) {
      return "bin/jepsen-run --seed " + schedule.seed();
    }
    return "bin/jepsen-run --schedule " + schedule.name();
  }

  /** Nodes seen by the observer or addressed by clients, in natural order. */
  private static List<String> nodeNames(Map<String, NodeTracks> tracks, ClientLanes clients) {
    TreeSet<String> names = new TreeSet<>(NaturalOrder.INSTANCE);
    names.addAll(tracks.keySet());
    clients.lanes.keySet().stream().filter(n -> !n.equals(ClientLanes.NO_NODE)).forEach(names::add);
    return new ArrayList<>(names);
  }

  private static void header(StringBuilder b, String title, Schedule schedule, String replay, History history,
      List<CheckResult> results, ClientLanes clients, List<String> nodeNames) {
    b.append("<h1>").append(esc(title)).append("</h1>\n");
    long invalid = results.stream().filter(r -> r.verdict() == Verdict.INVALID).count();
    long unknown = results.stream().filter(r -> r.verdict() == Verdict.UNKNOWN).count();
    if (invalid > 0) {
      b.append("<div class=\"overall overall-invalid\">").append(invalid).append(" of ").append(results.size())
          .append(invalid == 1 ? " checker" : " checkers").append(" found anomalies</div>\n");
    } else if (unknown > 0) {
      b.append("<div class=\"overall overall-unknown\">no anomalies found, but ").append(unknown)
          .append(unknown == 1 ? " checker" : " checkers").append(" could not decide</div>\n");
    } else if (!results.isEmpty()) {
      b.append("<div class=\"overall overall-valid\">all ").append(results.size())
          .append(" checkers valid</div>\n");
    }
    b.append("<table class=\"facts\">\n");
    if (schedule != null) {
      fact(b, "schedule", esc(schedule.name()) + " &nbsp;<span class=\"muted\">seed</span> "
          + schedule.seed() + " &nbsp;<span class=\"muted\">steps</span> " + schedule.steps().size());
      if (replay != null) {
        fact(b, "replay", "<code class=\"replay\">" + esc(replay) + "</code>");
      }
    } else {
      fact(b, "schedule", "<span class=\"muted\">not recorded</span>");
    }
    fact(b, "run length", String.format(Locale.ROOT, "%.1f s", history.endNanos() / 1e9)
        + (schedule == null ? "" : String.format(Locale.ROOT,
            " <span class=\"muted\">(planned %.1f s: faults until %.1f s, then %.1f s quiet)</span>",
            schedule.totalMillis() / 1e3, schedule.lastHealMillis() / 1e3, schedule.quietMillis() / 1e3)));
    int nodes = schedule != null ? schedule.nodes() : nodeNames.size();
    fact(b, "nodes", nodes + (nodeNames.isEmpty() ? "" : " <span class=\"muted\">("
        + esc(String.join(", ", nodeNames)) + ")</span>"));
    fact(b, "client ops", clients.total + " <span class=\"muted\">(</span><span class=\"type type-ok\">"
        + clients.ok + " ok</span>, <span class=\"type type-fail\">" + clients.fail
        + " fail</span>, <span class=\"type type-info\">" + clients.info
        + " info</span><span class=\"muted\">)</span>");
    fact(b, "events", history.ops().size() + " <span class=\"muted\">in the history</span>");
    b.append("</table>\n");
  }

  private static void fact(StringBuilder b, String name, String html) {
    b.append("<tr><th>").append(esc(name)).append("</th><td>").append(html).append("</td></tr>\n");
  }

  private static void legend(StringBuilder b, TimelineSvg timeline) {
    b.append("<div class=\"legend\">role:")
        .append(swatch("#1f5fbf", "primary")).append(swatch("#9cc0ea", "replica"))
        .append(swatch("#c9c9c9", "unknown")).append(swatch("#444", "stopped"))
        .append(swatch("#a77fd6", "other")).append(swatch("#e2a400", "lease held"))
        .append(" &nbsp; ops:").append(swatch(ReportCss.OK, "ok")).append(swatch(ReportCss.FAIL, "fail"))
        .append(swatch(ReportCss.INFO, "info (unknown outcome)"))
        .append(" &nbsp; faults: translucent bands (dashed right edge: never stopped)")
        .append(timeline.binned() ? " &nbsp; <b>ops binned</b>" : "")
        .append(" &nbsp; hover for details</div>\n");
  }

  private static String swatch(String colour, String label) {
    return "<span class=\"sw\" style=\"background:" + colour + "\"></span>" + esc(label);
  }
}
