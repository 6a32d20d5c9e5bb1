package io.pgquorum.pgctl;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Draws a bordered text table the way patronictl does: {@code +---+} rules, {@code |} separators, one space of
 * padding, and an optional title written into the top rule ({@code + Cluster: demo (7301...) ---+----+}).
 *
 * <p>Cells may hold several lines (tags as YAML); then, as in patronictl, a rule separates every row. Where
 * patronictl cuts a title longer than the table, this widens the last column instead, so the system identifier
 * is never lost.
 */
final class TextTable {
  private TextTable() {}

  /**
   * @param title text for the top rule, or null for a plain rule
   * @param columns column headers
   * @param rightAligned headers of the columns aligned right (headers included); the others align left
   * @param rows cells as text, one list per row in column order
   */
  static String render(String title, List<String> columns, Set<String> rightAligned, List<List<String>> rows) {
    int n = columns.size();
    int[] widths = new int[n];
    for (int i = 0; i < n; i++) {
      widths[i] = columns.get(i).length();
    }
    boolean multiline = false;
    for (List<String> row : rows) {
      for (int i = 0; i < n; i++) {
        for (String line : row.get(i).split("\n", -1)) {
          widths[i] = Math.max(widths[i], line.length());
        }
        multiline |= row.get(i).contains("\n");
      }
    }
    String rule = rule(widths);
    if (title != null && title.length() > rule.length() - 2 && n > 0) {
      widths[n - 1] += title.length() - (rule.length() - 2);
      rule = rule(widths);
    }
    StringBuilder out = new StringBuilder();
    out.append(title == null ? rule : rule.charAt(0) + title + rule.substring(1 + title.length())).append('\n');
    appendRow(out, columns, widths, columns, rightAligned);
    out.append(rule).append('\n');
    for (int r = 0; r < rows.size(); r++) {
      appendRow(out, rows.get(r), widths, columns, rightAligned);
      if (multiline && r < rows.size() - 1) {
        out.append(rule).append('\n');
      }
    }
    if (!rows.isEmpty()) {
      out.append(rule).append('\n');
    }
    return out.toString();
  }

  private static String rule(int[] widths) {
    StringBuilder b = new StringBuilder("+");
    for (int w : widths) {
      b.append("-".repeat(w + 2)).append('+');
    }
    return b.toString();
  }

  private static void appendRow(StringBuilder out, List<String> cells, int[] widths, List<String> columns,
      Set<String> rightAligned) {
    List<String[]> lines = new ArrayList<>();
    int height = 1;
    for (String cell : cells) {
      String[] split = cell.split("\n", -1);
      lines.add(split);
      height = Math.max(height, split.length);
    }
    for (int h = 0; h < height; h++) {
      out.append('|');
      for (int i = 0; i < widths.length; i++) {
        String[] cellLines = lines.get(i);
        String text = h < cellLines.length ? cellLines[h] : "";
        String pad = " ".repeat(widths[i] - text.length());
        boolean right = rightAligned.contains(columns.get(i));
        out.append(' ').append(right ? pad + text : text + pad).append(" |");
      }
      out.append('\n');
    }
  }
}
