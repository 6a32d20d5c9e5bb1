package io.pgquorum.testkit.datadriven;

import java.util.ArrayList;
import java.util.List;

/** Splits a transcript into directives and verbatim text, and renders a directive back with new output. */
final class Parser {
  private static final String SEP = "----";

  private Parser() {}

  static List<DataDriven.Chunk> parse(String file, String text) {
    List<String> lines = List.of(text.split("\n", -1));
    List<DataDriven.Chunk> chunks = new ArrayList<>();
    int i = 0;
    // A trailing newline yields one empty last element: not a line of its own.
    int n = text.endsWith("\n") ? lines.size() - 1 : lines.size();
    while (i < n) {
      String l = lines.get(i);
      if (l.isBlank() || l.startsWith("#")) {
        chunks.add(new DataDriven.Chunk(null, l + "\n", null));
        i++;
        continue;
      }
      int start = i;
      String directive = l;
      i++;
      StringBuilder input = new StringBuilder();
      while (i < n && !lines.get(i).equals(SEP)) {
        if (lines.get(i).isBlank()) {
          throw new IllegalArgumentException(file + ":" + (start + 1) + ": '" + directive
              + "' has no '----' line before the blank line at line " + (i + 1));
        }
        input.append(input.isEmpty() ? "" : "\n").append(lines.get(i));
        i++;
      }
      if (i >= n) {
        throw new IllegalArgumentException(file + ":" + (start + 1) + ": '" + directive + "' has no '----' line");
      }
      i++; // the separator
      List<String> expected = new ArrayList<>();
      if (i < n && lines.get(i).equals(SEP)) {
        i++;
        while (i + 1 < n && !(lines.get(i).equals(SEP) && lines.get(i + 1).equals(SEP))) {
          expected.add(lines.get(i));
          i++;
        }
        if (i + 1 >= n) {
          throw new IllegalArgumentException(file + ":" + (start + 1) + ": '" + directive
              + "' opens a '----'/'----' output block that is never closed");
        }
        i += 2;
      } else {
        while (i < n && !lines.get(i).isBlank()) {
          expected.add(lines.get(i));
          i++;
        }
      }
      StringBuilder raw = new StringBuilder(directive).append('\n');
      if (!input.isEmpty()) {
        raw.append(input).append('\n');
      }
      TestCase t = new TestCase(file, start + 1, command(directive), Args.parse(file, start + 1, directive),
          input.toString(), DataDriven.normalise(String.join("\n", expected)));
      chunks.add(new DataDriven.Chunk(t, null, raw.toString()));
    }
    return chunks;
  }

  static String render(DataDriven.Chunk c, String output) {
    StringBuilder b = new StringBuilder(c.directiveAndInput()).append(SEP).append('\n');
    if (output.lines().anyMatch(String::isBlank)) {
      b.append(SEP).append('\n').append(output).append('\n').append(SEP).append('\n').append(SEP).append('\n');
    } else if (!output.isEmpty()) {
      b.append(output).append('\n');
    }
    return b.toString();
  }

  private static String command(String directive) {
    String t = directive.strip();
    int sp = t.indexOf(' ');
    return sp < 0 ? t : t.substring(0, sp);
  }

  /** The arguments after the command word; values in parentheses may hold commas, not spaces. */
  static final class Args {
    private Args() {}

    static List<TestCase.Arg> parse(String file, int line, String directive) {
      String[] words = directive.strip().split("\\s+");
      List<TestCase.Arg> args = new ArrayList<>();
      for (int w = 1; w < words.length; w++) {
        String word = words[w];
        int eq = word.indexOf('=');
        if (eq < 0) {
          args.add(new TestCase.Arg(word, List.of()));
          continue;
        }
        String key = word.substring(0, eq);
        String value = word.substring(eq + 1);
        if (value.startsWith("(")) {
          if (!value.endsWith(")")) {
            throw new IllegalArgumentException(file + ":" + line + ": argument '" + key
                + "' opens '(' without closing it (no spaces inside the parentheses)");
          }
          String inner = value.substring(1, value.length() - 1);
          args.add(new TestCase.Arg(key, inner.isEmpty() ? List.of() : List.of(inner.split(",", -1))));
        } else {
          args.add(new TestCase.Arg(key, List.of(value)));
        }
      }
      return args;
    }
  }
}
