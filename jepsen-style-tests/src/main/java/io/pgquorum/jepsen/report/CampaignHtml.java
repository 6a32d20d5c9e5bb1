package io.pgquorum.jepsen.report;

import static io.pgquorum.jepsen.report.Html.esc;

import io.pgquorum.jepsen.campaign.CampaignSummary;
import io.pgquorum.jepsen.campaign.CampaignSummary.CellSummary;
import io.pgquorum.jepsen.campaign.CampaignSummary.Figures;
import io.pgquorum.jepsen.campaign.TrialRecord;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * {@code campaign.html}: one self-contained page for a whole campaign (same style as the per-run report, no
 * scripts): the overall outcome and how many trials were UNKNOWN against the allowed cap, a table per cell (runs
 * and outcomes, every checker's verdict counts, recovery after the last heal, acknowledged writes lost), and every
 * trial with its status, seed, verdicts, a link to its report and the command that replays it. Failed, unknown
 * and erroneous trials come first. Everything from the runs is HTML-escaped.
 */
public final class CampaignHtml {
  private CampaignHtml() {
  }

  public static String render(CampaignSummary s) {
    StringBuilder b = new StringBuilder(64 * 1024);
    String title = s.title() == null || s.title().isBlank() ? "jepsen campaign" : s.title();
    b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>").append(esc(title))
        .append("</title>\n<style>\n").append(ReportCss.CSS).append(EXTRA_CSS).append("</style>\n</head><body>\n");
    b.append("<h1>").append(esc(title)).append("</h1>\n");
    CellSummary t = s.total();
    String overall = t.failed() > 0 ? "invalid" : t.unknown() > s.maxUnknown() ? "unknown" : "valid";
    b.append("<div class=\"overall overall-").append(overall).append("\">").append(esc(s.line()))
        .append("</div>\n");
    b.append("<table class=\"facts\">\n");
    fact(b, "base seed", Long.toString(s.baseSeed()));
    fact(b, "trials", t.runs() + " of " + t.planned() + " planned");
    fact(b, "unknown", t.unknown() + " <span class=\"muted\">(at most " + s.maxUnknown()
        + " allowed with --max-unknown; UNKNOWN is never a pass)</span>");
    fact(b, "wall time", String.format(Locale.ROOT, "%.0f s", t.seconds()));
    b.append("</table>\n");

    b.append("<h2>Cells</h2>\n");
    TreeSet<String> checkers = new TreeSet<>();
    s.cells().forEach(c -> checkers.addAll(c.verdicts().keySet()));
    b.append("<table class=\"verdicts campaign\"><thead><tr><th>cell</th><th>runs</th><th>passed</th>")
        .append("<th>failed</th><th>unknown</th><th>error</th>");
    for (String c : checkers) {
      b.append("<th title=\"valid / invalid / unknown\">").append(esc(c)).append("</th>");
    }
    b.append("<th>recovery s (median / p95 / max)</th><th>acked writes lost (outside window)</th>")
        .append("</tr></thead><tbody>\n");
    for (CellSummary c : s.cells()) {
      cellRow(b, c, checkers, false);
    }
    cellRow(b, t, checkers, true);
    b.append("</tbody></table>\n");
    b.append("<p class=\"note\">Verdict counts per checker are valid / invalid / unknown. Recovery is the time from "
        + "the last heal to the first successful write. Lost writes are acknowledged adds absent from the final "
        + "read; outside the window means beyond what maximum_lag_on_failover allows (docs/properties.md, P2).</p>\n");

    b.append("<h2>Trials</h2>\n");
    b.append("<table class=\"verdicts campaign\"><thead><tr><th>status</th><th>cell</th><th>schedule</th>")
        .append("<th>seed</th><th>steps</th><th>verdicts</th><th>recovery s</th><th>report / replay</th>")
        .append("</tr></thead><tbody>\n");
    s.trials().stream().filter(r -> !r.status().equals(TrialRecord.PASSED)).forEach(r -> trialRow(b, r));
    s.trials().stream().filter(r -> r.status().equals(TrialRecord.PASSED)).forEach(r -> trialRow(b, r));
    b.append("</tbody></table>\n</body></html>\n");
    return b.toString();
  }

  private static final String EXTRA_CSS = """
      table.campaign td { white-space: nowrap; }
      table.campaign td.wrap { white-space: normal; }
      tr.row-total td { font-weight: 600; border-top: 2px solid #ccc; }
      .status { display: inline-block; min-width: 64px; text-align: center; padding: 2px 6px; border-radius: 3px;
                color: #fff; font-weight: bold; font-size: 12px; }
      .status-PASSED { background: #2e9d3a; } .status-FAILED { background: #d32f2f; }
      .status-UNKNOWN { background: #808080; } .status-ERROR { background: #6a1b9a; }
      """;

  private static void cellRow(StringBuilder b, CellSummary c, TreeSet<String> checkers, boolean total) {
    b.append("<tr class=\"").append(total ? "row-total" : c.failed() > 0 ? "row-invalid" : "").append("\">");
    b.append("<td class=\"checker\">").append(esc(c.cell())).append("</td>");
    b.append("<td class=\"num\">").append(c.runs()).append(" / ").append(c.planned()).append("</td>");
    num(b, c.passed());
    num(b, c.failed());
    num(b, c.unknown());
    num(b, c.errors());
    for (String checker : checkers) {
      Map<String, Integer> v = c.verdicts().getOrDefault(checker, Map.of());
      b.append("<td class=\"num\">").append(v.getOrDefault("VALID", 0)).append(" / ")
          .append(v.getOrDefault("INVALID", 0)).append(" / ").append(v.getOrDefault("UNKNOWN", 0)).append("</td>");
    }
    Figures r = c.recovery();
    b.append("<td class=\"num\">").append(r.count() == 0 ? "\u2013" : fmt(r.median()) + " / " + fmt(r.p95())
        + " / " + fmt(r.max())).append("</td>");
    b.append("<td class=\"num\">").append(c.lost()).append(" (").append(c.lostOutsideWindow()).append(")</td>");
    b.append("</tr>\n");
  }

  private static void trialRow(StringBuilder b, TrialRecord r) {
    b.append("<tr class=\"").append(r.status().equals(TrialRecord.FAILED) ? "row-invalid" : "").append("\">");
    b.append("<td><span class=\"status status-").append(esc(r.status())).append("\">").append(esc(r.status()))
        .append("</span></td>");
    b.append("<td>").append(esc(r.cell())).append("</td><td>").append(esc(r.schedule())).append("</td>");
    b.append("<td class=\"num\">").append(r.seed()).append("</td><td class=\"num\">").append(r.steps())
        .append("</td><td class=\"wrap\">");
    if (r.error() != null) {
      b.append("<span class=\"type type-fail\">").append(esc(Html.shorten(r.error(), 300))).append("</span>");
    }
    r.verdicts().forEach((checker, v) -> {
      String cls = v.equals("VALID") ? "valid" : v.equals("INVALID") ? "invalid" : "unknown";
      b.append("<span class=\"verdict verdict-").append(cls).append("\" title=\"")
          .append(esc(r.summaries().getOrDefault(checker, ""))).append("\">").append(esc(checker))
          .append(r.asserted().contains(checker) ? "" : " (measured)").append("</span> ");
    });
    b.append("</td><td class=\"num\">").append(r.recoverySeconds() == null ? "\u2013" : fmt(r.recoverySeconds()))
        .append("</td><td class=\"wrap\">");
    if (r.dir() != null) {
      b.append("<a href=\"").append(esc(r.dir() + "/report.html")).append("\">report</a> ");
    }
    if (r.minimal() != null) {
      b.append("<a href=\"").append(esc(r.minimal())).append("\">minimal schedule</a> ");
    }
    b.append("<br><code class=\"replay\">").append(esc(r.replay())).append("</code></td></tr>\n");
  }

  private static void num(StringBuilder b, int n) {
    b.append("<td class=\"num\">").append(n).append("</td>");
  }

  private static String fmt(Double d) {
    return String.format(Locale.ROOT, "%.1f", d);
  }

  private static void fact(StringBuilder b, String name, String html) {
    b.append("<tr><th>").append(esc(name)).append("</th><td>").append(html).append("</td></tr>\n");
  }
}
