package io.pgquorum.bench.report;

import java.util.List;
import java.util.Locale;

/**
 * A self-contained SVG bar chart of the ratios: one row per comparison, a logarithmic axis centred on 1x, bars
 * growing from 1x towards the ratio, green where pgquorum measured better and red where the incumbent did.
 */
public final class RatioChart {
  static final double MIN_RATIO = 0.01;
  static final double MAX_RATIO = 100;
  private static final int ROW = 22;
  private static final int LABEL_WIDTH = 430;
  private static final int PLOT_WIDTH = 420;
  private static final int TOP = 40;

  private RatioChart() {}

  public static String render(List<Comparison> comparisons) {
    int height = TOP + Math.max(1, comparisons.size()) * ROW + 40;
    int width = LABEL_WIDTH + PLOT_WIDTH + 80;
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" "
            + "font-size=\"12\">\n", width, height));
    svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    svg.append("<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">"
        + "pgquorum / incumbent (median ratio, log scale; green: pgquorum better)</text>\n");
    // Axis ticks.
    for (double tick : new double[] {0.01, 0.1, 1, 10, 100}) {
      double x = x(tick);
      svg.append(String.format(Locale.ROOT,
          "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\"/>\n", x, TOP - 5, x,
          height - 30, tick == 1 ? "black" : "#ddd"));
      svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%sx</text>\n", x,
          height - 15, Format.number(tick)));
    }
    if (comparisons.isEmpty()) {
      svg.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"%d\">no comparisons in this run</text>\n",
          TOP + 15));
    }
    int y = TOP;
    for (Comparison c : comparisons) {
      Result p = c.pgquorum();
      String label = p.suite() + ": " + p.metric() + " [" + p.config() + "]"
          + (p.variant().isEmpty() ? "" : " " + p.variant()) + " vs " + c.incumbent().system()
          + (c.incumbent().variant().isEmpty() ? "" : " " + c.incumbent().variant());
      svg.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"%d\">%s</text>\n", y + 15,
          Format.xml(shorten(label, 72))));
      double r = c.ratio();
      if (!Double.isNaN(r)) {
        double x1 = x(1);
        double x2 = x(r);
        svg.append(String.format(Locale.ROOT,
            "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>\n", Math.min(x1, x2), y + 4,
            Math.max(1, Math.abs(x2 - x1)), ROW - 8, c.pgquorumBetterOrEqual() ? "#3a9d4a" : "#c8453b"));
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%s</text>\n",
            Math.max(x1, x2) + 4, y + 15, Format.ratio(r)));
      }
      y += ROW;
    }
    svg.append("</svg>\n");
    return svg.toString();
  }

  /** Horizontal position of a ratio on the log axis, clamped to the plot. */
  static double x(double ratio) {
    double clamped = Math.max(MIN_RATIO, Math.min(MAX_RATIO, ratio));
    double f = (Math.log10(clamped) - Math.log10(MIN_RATIO)) / (Math.log10(MAX_RATIO) - Math.log10(MIN_RATIO));
    return LABEL_WIDTH + f * PLOT_WIDTH;
  }

  private static String shorten(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "\u2026";
  }
}
