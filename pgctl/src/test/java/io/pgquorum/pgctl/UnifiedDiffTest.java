package io.pgquorum.pgctl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The diff edit-config shows, in difflib's layout. */
class UnifiedDiffTest {
  @Test
  void equalTextsHaveNoDiff() {
    assertThat(UnifiedDiff.of("a\nb\n", "a\nb\n")).isEmpty();
  }

  @Test
  void distantChangesMakeTwoHunksWithThreeLinesOfContext() {
    String before = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n";
    String after = "0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n";
    assertThat(UnifiedDiff.of(before, after)).isEqualTo("--- \n+++ \n@@ -0,0 +1 @@\n+0\n"
        .replace("@@ -0,0 +1 @@\n+0\n", "@@ -1,3 +1,4 @@\n+0\n 1\n 2\n 3\n")
        + "@@ -9,4 +10,3 @@\n 9\n 10\n 11\n-12\n");
  }

  @Test
  void aReplacedLineIsRemovedThenAdded() {
    assertThat(UnifiedDiff.of("a\nb\nc\n", "a\nx\nc\n")).isEqualTo("--- \n+++ \n@@ -1,3 +1,3 @@\n a\n-b\n+x\n c\n");
  }
}
