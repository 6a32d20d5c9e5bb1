package io.pgquorum.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadmeSectionTest {

  @Test
  void resultsSurviveAJsonRoundTrip(@TempDir Path dir) throws Exception {
    Results written = ReportRenderingTest.sample();
    written.writeTo(dir);
    Results read = ResultsJson.read(dir.resolve("results.json"));
    assertThat(read.all()).isEqualTo(written.all());
    assertThat(read.machine()).isEqualTo(written.machine());
    assertThat(read.skippedParts()).isEqualTo(written.skippedParts());
    assertThat(read.quick()).isTrue();
  }

  @Test
  void aFileThatIsNotAResultsFileIsNamedInTheError(@TempDir Path dir) throws Exception {
    Path bogus = Files.writeString(dir.resolve("x.json"), "{\"a\": 1}");
    assertThatThrownBy(() -> ResultsJson.read(bogus)).isInstanceOf(IOException.class)
        .hasMessageContaining("x.json").hasMessageContaining("'machine'");
  }

  @Test
  void spliceReplacesOnlyBetweenTheMarkers() {
    String readme = "# T\n\n## Performance\nintro\n" + ReadmeSection.BEGIN + "\nold table\n" + ReadmeSection.END
        + "\nafter\n";
    String out = ReadmeSection.splice(readme, ReadmeSection.render(ReportRenderingTest.sample(), "bench/results/x"));
    assertThat(out).startsWith("# T\n\n## Performance\nintro\n" + ReadmeSection.BEGIN + "\n")
        .endsWith(ReadmeSection.END + "\nafter\n").doesNotContain("old table")
        .contains("| dcs: cas-sequential |").contains("**0.500x**")
        .contains("](bench/results/x/ratios.svg)").contains("| target | measured |");
  }

  @Test
  void aReadmeWithoutMarkersIsRefused() {
    assertThatThrownBy(() -> ReadmeSection.splice("# no markers\n", "x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("markers");
  }
}
