package io.pgquorum.jepsen.report;

import static io.pgquorum.jepsen.report.Html.esc;

import io.pgquorum.jepsen.checker.CheckResult;
import io.pgquorum.jepsen.checker.Verdict;
import io.pgquorum.jepsen.fault.Schedule;
import io.pgquorum.jepsen.fault.Step;
import io.pgquorum.jepsen.history.Op;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

/** The report's HTML tables: verdicts, nemesis events, flagged operations, schedule steps. */
final class ReportTables {
  /** Anomaly lines listed per checker in the verdicts table. */
  static final int ANOMALIES_PER_RESULT = 5;
  /** Rows of the nemesis table before it is cut short (a long campaign can have thousands of events). */
  static final int MAX_NEMESIS_ROWS = 500;

  private ReportTables() {
  }

  static String verdictClass(Verdict v) {
    return v == Verdict.VALID ? "valid" : v == Verdict.INVALID ? "invalid" : "unknown";
  }

  static void verdicts(StringBuilder b, List<CheckResult> results) {
    if (results.isEmpty()) {
      b.append("<p class=\"note\">No checker results were given.</p>\n");
      return;
    }
    b.append("<table class=\"verdicts\"><thead><tr><th>checker</th><th>verdict</th><th>summary</th>")
        .append("<th>first anomalies</th><th>stats</th></tr></thead><tbody>\n");
    for (CheckResult r : results) {
      String v = verdictClass(r.verdict());
      b.append("<tr class=\"row-").append(v).append("\"><td class=\"checker\">").append(esc(r.checker()))
          .append("</td><td><span class=\"verdict verdict-").append(v).append("\">")
          .append(r.verdict().name().toLowerCase(Locale.ROOT)).append("</span></td><td>")
          .append(esc(r.summary())).append("</td><td>");
      if (r.anomalies().isEmpty()) {
        b.append("<span class=\"muted\">none</span>");
      } else {
        b.append("<ul class=\"anomalies\">");
        r.anomalies().stream().limit(ANOMALIES_PER_RESULT).forEach(a ->
            b.append("<li>").append(esc(Html.shorten(a, 400))).append("</li>"));
        b.append("</ul>");
        if (r.anomalies().size() > ANOMALIES_PER_RESULT) {
          b.append("<span class=\"muted\">\u2026 and ").append(r.anomalies().size() - ANOMALIES_PER_RESULT)
              .append(" more</span>");
        }
      }
      b.append("</td><td>");
      if (r.stats().isEmpty()) {
        b.append("<span class=\"muted\">\u2013</span>");
      } else {
        b.append("<dl class=\"stats\">");
        new TreeMap<>(r.stats()).forEach((k, val) -> b.append("<dt>").append(esc(k)).append("</dt><dd>")
            .append(Html.value(val)).append("</dd>"));
        b.append("</dl>");
      }
      b.append("</td></tr>\n");
    }
    b.append("</tbody></table>\n");
  }

  static void nemesis(StringBuilder b, List<Op> events) {
    if (events.isEmpty()) {
      b.append("<p class=\"note\">No nemesis events: this run had no faults.</p>\n");
      return;
    }
    b.append("<table class=\"events\"><thead><tr><th>#</th><th>time (s)</th><th>event</th><th>description</th>")
        .append("<th>node</th><th>error</th></tr></thead><tbody>\n");
    events.stream().limit(MAX_NEMESIS_ROWS).forEach(op -> {
      String phase = op.f().startsWith("start-") ? "start" : op.f().startsWith("stop-") ? "stop" : "other";
      b.append("<tr class=\"ev-").append(phase).append("\"><td class=\"num\">").append(op.index())
          .append("</td><td class=\"num\">").append(Html.seconds(op.timeNanos())).append("</td><td>")
          .append(esc(op.f())).append("</td><td>").append(Html.value(op.value())).append("</td><td>")
          .append(esc(op.node())).append("</td><td>").append(esc(Html.shorten(op.error(), 200)))
          .append("</td></tr>\n");
    });
    b.append("</tbody></table>\n");
    if (events.size() > MAX_NEMESIS_ROWS) {
      b.append("<p class=\"note\">\u2026 ").append(events.size() - MAX_NEMESIS_ROWS)
          .append(" more nemesis events are in the history file.</p>\n");
    }
  }

  static void anomalyOps(StringBuilder b, List<AnomalyRefs.Ref> refs) {
    if (refs.isEmpty()) {
      b.append("<p class=\"note\">No anomaly names an operation of this history.</p>\n");
      return;
    }
    b.append("<table class=\"ops\"><thead><tr><th>checker</th><th>#</th><th>time (s)</th><th>process</th>")
        .append("<th>type</th><th>f</th><th>key</th><th>value</th><th>node</th><th>error</th></tr></thead>")
        .append("<tbody>\n");
    for (AnomalyRefs.Ref r : refs) {
      Op op = r.op();
      String type = op.type().name().toLowerCase(Locale.ROOT);
      b.append("<tr><td class=\"checker\" title=\"").append(esc(Html.shorten(r.anomaly(), 400))).append("\">")
          .append(esc(r.checker())).append("</td><td class=\"num\">").append(op.index())
          .append("</td><td class=\"num\">").append(Html.seconds(op.timeNanos())).append("</td><td>")
          .append(esc(op.process())).append("</td><td><span class=\"type type-").append(type).append("\">")
          .append(type).append("</span></td><td>").append(esc(op.f())).append("</td><td>")
          .append(esc(op.key())).append("</td><td>").append(Html.value(op.value())).append("</td><td>")
          .append(esc(op.node())).append("</td><td>").append(esc(Html.shorten(op.error(), 200)))
          .append("</td></tr>\n");
    }
    b.append("</tbody></table>\n");
  }

  static void steps(StringBuilder b, Schedule schedule) {
    if (schedule.steps().isEmpty()) {
      b.append("<p class=\"note\">The schedule has no steps.</p>\n");
      return;
    }
    b.append("<table class=\"steps\"><thead><tr><th>at (s)</th><th>for (s)</th><th>fault</th></tr></thead>")
        .append("<tbody>\n");
    for (Step s : schedule.steps()) {
      b.append("<tr><td class=\"num\">").append(String.format(Locale.ROOT, "%.3f", s.atMillis() / 1e3))
          .append("</td><td class=\"num\">").append(String.format(Locale.ROOT, "%.3f", s.durationMillis() / 1e3))
          .append("</td><td>").append(esc(String.valueOf(s.fault()))).append("</td></tr>\n");
    }
    b.append("</tbody></table>\n");
  }
}
