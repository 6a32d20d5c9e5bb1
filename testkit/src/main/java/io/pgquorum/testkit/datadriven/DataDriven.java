package io.pgquorum.testkit.datadriven;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Datadriven transcript tests, after etcd-io/raft's {@code testdata/*.txt}: a file is a sequence of directives,
 * each a command line, optional input lines, {@code ----}, and the expected output, ended by a blank line.
 * Output that itself contains blank lines is written between {@code ----}/{@code ----} pairs:
 * <pre>
 * command arg key=value
 * ----
 * ----
 * first paragraph
 *
 * second paragraph
 * ----
 * ----
 * </pre>
 * Lines starting with {@code #} outside a directive are comments and are kept by a rewrite.
 *
 * <p>The handler gets each directive in order (so a file is a scenario whose state carries over) and returns the
 * actual output. A mismatch fails with the file, line, directive, expected and actual output. With
 * {@code -Ddatadriven.rewrite=true} (or {@code DATADRIVEN_REWRITE=true} in the environment) the file is rewritten
 * with the actual outputs instead, and the test passes: review the change with {@code git diff}.
 */
public final class DataDriven {
  private DataDriven() {}

  /** Whether this run regenerates expected output. */
  public static boolean rewriting() {
    return Boolean.getBoolean("datadriven.rewrite") || "true".equalsIgnoreCase(System.getenv("DATADRIVEN_REWRITE"));
  }

  /** The transcripts under {@code dir} (files ending in .txt), sorted, for one dynamic test each. */
  public static List<Path> files(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      List<Path> files = s.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
      if (files.isEmpty()) {
        throw new IllegalStateException("no transcripts (*.txt) under " + dir.toAbsolutePath());
      }
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs every directive of {@code file} through {@code handler}; fails (or rewrites) on a mismatch. */
  public static void run(Path file, Function<TestCase, String> handler) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Chunk> chunks = Parser.parse(file.getFileName().toString(), text);
    boolean rewrite = rewriting();
    StringBuilder out = new StringBuilder();
    List<String> mismatches = new ArrayList<>();
    for (Chunk c : chunks) {
      if (c.testCase() == null) {
        out.append(c.verbatim());
        continue;
      }
      TestCase t = c.testCase();
      String actual = normalise(handler.apply(t));
      if (!actual.equals(t.expected())) {
        String m = t.file() + ":" + t.line() + ": " + t.directive() + "\nexpected:\n" + t.expected()
            + "\nactual:\n" + actual;
        if (!rewrite) {
          throw new AssertionError(m + "\n(run with -Ddatadriven.rewrite=true to accept the actual output)");
        }
        mismatches.add(m);
      }
      out.append(Parser.render(c, actual));
    }
    if (rewrite && !out.toString().equals(text)) {
      try {
        Files.writeString(file, out.toString(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Trailing spaces and trailing blank lines are not part of an output. */
  static String normalise(String s) {
    String[] lines = (s == null ? "" : s).split("\n", -1);
    StringBuilder b = new StringBuilder();
    for (String l : lines) {
      b.append(l.stripTrailing()).append('\n');
    }
    String r = b.toString();
    while (r.endsWith("\n")) {
      r = r.substring(0, r.length() - 1);
    }
    return r;
  }

  /** A directive (testCase set), or text kept as it is (comments, blank lines). */
  record Chunk(TestCase testCase, String verbatim, String directiveAndInput) {}
}
