package io.pgquorum.pgctl;

import java.util.ArrayList;
import java.util.List;

/**
 * A unified diff of two texts, line by line with three lines of context, in the layout of Python's
 * {@code difflib.unified_diff} (what patronictl edit-config shows): {@code ---}/{@code +++} headers without file
 * names, then {@code @@ -a,b +c,d @@} hunks. Small inputs only (a configuration document): quadratic LCS.
 */
final class UnifiedDiff {
  private static final int CONTEXT = 3;

  private UnifiedDiff() {}

  /** The diff of {@code before} and {@code after}; empty when they are equal. */
  static String of(String before, String after) {
    List<String> a = before.lines().toList();
    List<String> b = after.lines().toList();
    int[][] lcs = new int[a.size() + 1][b.size() + 1];
    for (int i = a.size() - 1; i >= 0; i--) {
      for (int j = b.size() - 1; j >= 0; j--) {
        lcs[i][j] = a.get(i).equals(b.get(j)) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    // The edit script: ' ' kept, '-' removed, '+' added, with each line's position in a and b.
    List<char[]> ops = new ArrayList<>();
    List<int[]> pos = new ArrayList<>();
    int i = 0;
    int j = 0;
    while (i < a.size() || j < b.size()) {
      if (i < a.size() && j < b.size() && a.get(i).equals(b.get(j))) {
        ops.add(new char[] {' '});
        pos.add(new int[] {i++, j++});
      } else if (i < a.size() && (j == b.size() || lcs[i + 1][j] >= lcs[i][j + 1])) {
        // Removals before additions, as difflib shows a replaced line.
        ops.add(new char[] {'-'});
        pos.add(new int[] {i++, j});
      } else {
        ops.add(new char[] {'+'});
        pos.add(new int[] {i, j++});
      }
    }
    StringBuilder out = new StringBuilder();
    int k = 0;
    while (k < ops.size()) {
      if (ops.get(k)[0] == ' ') {
        k++;
        continue;
      }
      int start = Math.max(0, k - CONTEXT);
      int end = k;
      // Extend the hunk while the next change is within 2*CONTEXT kept lines.
      while (true) {
        int next = end;
        while (next < ops.size() && ops.get(next)[0] != ' ') {
          next++;
        }
        int gap = next;
        while (gap < ops.size() && ops.get(gap)[0] == ' ') {
          gap++;
        }
        if (gap < ops.size() && gap - next <= 2 * CONTEXT) {
          end = gap;
        } else {
          end = Math.min(ops.size(), next + CONTEXT);
          break;
        }
      }
      if (out.length() == 0) {
        out.append("--- \n+++ \n");
      }
      int aStart = pos.get(start)[0];
      int bStart = pos.get(start)[1];
      int aLen = 0;
      int bLen = 0;
      StringBuilder body = new StringBuilder();
      for (int x = start; x < end; x++) {
        char op = ops.get(x)[0];
        int[] p = pos.get(x);
        String line = op == '+' ? b.get(p[1]) : a.get(p[0]);
        body.append(op).append(line).append('\n');
        aLen += op == '+' ? 0 : 1;
        bLen += op == '-' ? 0 : 1;
      }
      out.append("@@ -").append(range(aStart, aLen)).append(" +").append(range(bStart, bLen)).append(" @@\n")
          .append(body);
      k = end;
    }
    return out.toString();
  }

  /** difflib's range: 1-based start, the length omitted when 1, the start before the hunk when empty. */
  private static String range(int start, int length) {
    int first = start + 1;
    if (length == 1) {
      return String.valueOf(first);
    }
    if (length == 0) {
      first--;
    }
    return first + "," + length;
  }
}
