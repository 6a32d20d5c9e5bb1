package io.pgquorum.coordinator.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * How the daemon's exit code follows the end of its HA loop (hole 11 of issue 10): 0 after a clean stop, 1 after a
 * fatal decision or a crash of the loop (the loop reports a crash as a fatal reason; see {@code HaLoopCrashTest}).
 */
class MainExitTest {

  /** A node whose loop has already ended, with or without a fatal reason. */
  static final class Ended implements RunningNode {
    final Optional<String> reason;
    boolean halted;

    Ended(Optional<String> reason) {
      this.reason = reason;
    }

    @Override
    public boolean awaitLoopEnd(Duration timeout) {
      return true;
    }

    @Override
    public Optional<String> fatalReason() {
      return reason;
    }

    @Override
    public void halt() {
      halted = true;
    }
  }

  @Test
  void aCrashedLoopExitsNonZeroWithItsReason() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Ended node = new Ended(Optional.of("the HA loop stopped on an unexpected error: java.lang.OutOfMemoryError"));
    int code = Main.awaitExit(node, new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("pgquorum: the HA loop stopped on an unexpected "
        + "error: java.lang.OutOfMemoryError");
    assertThat(node.halted).isTrue();
  }

  @Test
  void aCleanStopExitsZero() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Ended node = new Ended(Optional.empty());
    assertThat(Main.awaitExit(node, new PrintStream(err, true, StandardCharsets.UTF_8))).isZero();
    assertThat(err.size()).isZero();
  }
}
