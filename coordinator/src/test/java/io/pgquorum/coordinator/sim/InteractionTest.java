package io.pgquorum.coordinator.sim;

import io.pgquorum.testkit.datadriven.DataDriven;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The interaction transcripts under {@code src/test/testdata/interaction}: several real HA loops over the in-memory
 * DCS, simulated PostgreSQL servers and virtual clocks (see {@link Interaction} for the commands). Each file is a
 * scenario; its expected output is every decision that changed and every effect, with the virtual time. The
 * checkers run on every step of every transcript too: a violation is printed as a {@code VIOLATION} line, so a
 * transcript that expects none fails when one appears. {@code -Ddatadriven.rewrite=true} regenerates the outputs.
 */
class InteractionTest {
  static final Path DIR = Path.of("src/test/testdata/interaction");

  @TestFactory
  Stream<DynamicTest> transcripts() {
    return DataDriven.files(DIR).stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
      try (QuietLogs quiet = new QuietLogs(); Interaction sim = new Interaction(new SimOptions(), true)) {
        DataDriven.run(file, t -> sim.run(t.directive()));
      }
    }));
  }
}
