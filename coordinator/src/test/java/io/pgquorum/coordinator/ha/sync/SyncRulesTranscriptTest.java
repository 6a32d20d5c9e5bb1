package io.pgquorum.coordinator.ha.sync;

import io.pgquorum.testkit.datadriven.DataDriven;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The synchronous replication rules' specification: transcripts in {@code src/test/testdata/sync/*.txt}, one
 * dynamic test per file (state carries over within a file), in the decider transcripts' format. Regenerate
 * expected output with {@code -Ddatadriven.rewrite=true} and review it with {@code git diff}.
 */
class SyncRulesTranscriptTest {
  static final Path DIR = Path.of("src/test/testdata/sync");

  @TestFactory
  Stream<DynamicTest> transcripts() {
    return DataDriven.files(DIR).stream().map(f -> DynamicTest.dynamicTest(DIR.relativize(f).toString(),
        () -> DataDriven.run(f, new SyncTranscript()::handle)));
  }
}
