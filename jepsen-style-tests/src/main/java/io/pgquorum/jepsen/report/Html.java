package io.pgquorum.jepsen.report;

import java.util.List;
import java.util.Locale;

/** Escaping and formatting shared by the report's pieces. Everything a run produced goes through {@link #esc}. */
final class Html {
  /** Longest value text shown in a cell or tooltip; a final set read can hold thousands of elements. */
  static final int MAX_VALUE_CHARS = 160;

  private Html() {
  }

  /** Escapes text for element content and quoted attribute values alike; null becomes the empty string. */
  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      String rep;
      switch (c) {
        case '&' -> rep = "&amp;";
        case '<' -> rep = "&lt;";
        case '>' -> rep = "&gt;";
        case '"' -> rep = "&quot;";
        case '\'' -> rep = "&#39;";
        default -> rep = null;
      }
      // Control characters other than tab and newline are not allowed in HTML text; show them as U+FFFD.
      if (rep == null && c < 0x20 && c != '\t' && c != '\n') {
        rep = "\uFFFD";
      }
      if (rep != null) {
        if (b == null) {
          b = new StringBuilder(s.length() + 16).append(s, 0, i);
        }
        b.append(rep);
      } else if (b != null) {
        b.append(c);
      }
    }
    return b == null ? s : b.toString();
  }

  /** A history value as display text (unescaped), shortened to {@link #MAX_VALUE_CHARS}. */
  static String valueText(Object v) {
    StringBuilder b = new StringBuilder();
    appendValue(b, v);
    return shorten(b.toString(), MAX_VALUE_CHARS);
  }

  /** Escaped display text of a history value. */
  static String value(Object v) {
    return esc(valueText(v));
  }

  static String shorten(String s, int max) {
    if (s == null || s.length() <= max) {
      return s;
    }
    return s.substring(0, max - 1) + "\u2026 (" + s.length() + " chars)";
  }

  /** Seconds with millisecond precision, for tables. */
  static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.3f", nanos / 1e9);
  }

  /** A coordinate for SVG attributes: one decimal, always a dot. */
  static String px(double v) {
    long tenths = Math.round(v * 10);
    if (tenths % 10 == 0) {
      return Long.toString(tenths / 10);
    }
    return String.format(Locale.ROOT, "%.1f", v);
  }

  private static void appendValue(StringBuilder b, Object v) {
    if (b.length() > MAX_VALUE_CHARS * 2) {
      return; // already too long to show; avoid walking a huge list
    }
    if (v instanceof List<?> l) {
      b.append('[');
      for (int i = 0; i < l.size() && b.length() <= MAX_VALUE_CHARS * 2; i++) {
        if (i > 0) {
          b.append(", ");
        }
        appendValue(b, l.get(i));
      }
      if (b.length() > MAX_VALUE_CHARS * 2) {
        b.append(" \u2026 ").append(l.size()).append(" elements");
      }
      b.append(']');
    } else {
      b.append(v);
    }
  }
}
