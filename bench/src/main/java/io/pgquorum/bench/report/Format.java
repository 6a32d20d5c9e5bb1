package io.pgquorum.bench.report;

import java.util.Locale;

/** Number formatting shared by the markdown and SVG reports (locale-independent: always a decimal point). */
final class Format {
  private Format() {}

  /** Three significant digits, without exponent for the ranges benchmarks produce. */
  static String number(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    double a = Math.abs(v);
    if (a >= 1000 || a == Math.rint(a) && a >= 100) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    if (a >= 100) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    if (a >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    if (a >= 1) {
      return String.format(Locale.ROOT, "%.2f", v);
    }
    return String.format(Locale.ROOT, "%.3f", v);
  }

  /** A ratio as "0.42x". */
  static String ratio(double r) {
    return Double.isNaN(r) ? "n/a" : number(r) + "x";
  }

  /** Escapes text for a markdown table cell. */
  static String cell(String s) {
    return s == null ? "" : s.replace("|", "\\|").replace("\n", " ");
  }

  /** Escapes text for XML character data and attribute values. */
  static String xml(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
