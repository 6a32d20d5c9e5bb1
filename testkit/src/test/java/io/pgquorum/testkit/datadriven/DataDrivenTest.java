package io.pgquorum.testkit.datadriven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDrivenTest {
  @TempDir
  Path dir;

  /** A handler with state: "add n=3" adds to a sum and prints it; "echo" prints its input and arguments. */
  private static Function<TestCase, String> handler() {
    long[] sum = {0};
    return t -> switch (t.command()) {
      case "add" -> Long.toString(sum[0] += t.getLong("n", 0));
      case "echo" -> t.words() + " " + t.values("list") + "\n" + t.input();
      case "para" -> "one\n\ntwo";
      default -> throw t.fail("unknown command");
    };
  }

  private Path write(String text) throws Exception {
    Path f = dir.resolve("t.txt");
    Files.writeString(f, text);
    return f;
  }

  @Test
  void matchingTranscriptPasses() throws Exception {
    Path f = write("""
        # state carries over between directives
        add n=2
        ----
        2

        add n=3
        ----
        5

        echo a b list=(x,y)
        line 1
        ----
        [a, b] [x, y]
        line 1

        para
        ----
        ----
        one

        two
        ----
        ----
        """);
    DataDriven.run(f, handler());
  }

  @Test
  void aMismatchFailsNamingFileLineAndBothOutputs() throws Exception {
    Path f = write("""
        add n=2
        ----
        2

        add n=3
        ----
        6
        """);
    assertThatThrownBy(() -> DataDriven.run(f, handler())).isInstanceOf(AssertionError.class)
        .hasMessageContaining("t.txt:5: add n=3").hasMessageContaining("expected:\n6")
        .hasMessageContaining("actual:\n5");
  }

  @Test
  void rewriteRegeneratesOutputsAndKeepsComments() throws Exception {
    Path f = write("""
        # a comment
        add n=2
        ----
        0

        para
        ----
        stale
        """);
    System.setProperty("datadriven.rewrite", "true");
    try {
      DataDriven.run(f, handler());
    } finally {
      System.clearProperty("datadriven.rewrite");
    }
    assertThat(Files.readString(f)).isEqualTo("""
        # a comment
        add n=2
        ----
        2

        para
        ----
        ----
        one

        two
        ----
        ----
        """);
    DataDriven.run(f, handler()); // and the rewritten file passes
  }

  @Test
  void malformedTranscriptsGetErrorsNamingTheLine() throws Exception {
    Path noSep = write("add n=2\n\n");
    assertThatThrownBy(() -> DataDriven.run(noSep, handler())).hasMessageContaining("t.txt:1")
        .hasMessageContaining("no '----' line");
    Path badParen = write("echo list=(a,b\n----\nx\n");
    assertThatThrownBy(() -> DataDriven.run(badParen, handler())).hasMessageContaining("t.txt:1")
        .hasMessageContaining("'list'");
    Path unknown = write("frob\n----\nx\n");
    assertThatThrownBy(() -> DataDriven.run(unknown, handler())).hasMessageContaining("t.txt:1: frob: unknown");
  }

  @Test
  void filesAreFoundSortedAndAnEmptyDirectoryIsAnError() throws Exception {
    Files.writeString(dir.resolve("b.txt"), "");
    Files.writeString(dir.resolve("a.txt"), "");
    Files.writeString(dir.resolve("notes.md"), "");
    List<String> names = new ArrayList<>();
    DataDriven.files(dir).forEach(p -> names.add(p.getFileName().toString()));
    assertThat(names).containsExactly("a.txt", "b.txt");
    Path empty = Files.createDirectory(dir.resolve("empty"));
    assertThatThrownBy(() -> DataDriven.files(empty)).hasMessageContaining("no transcripts");
  }
}
