package io.pgquorum.pgctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which server log line `pgctl restore-test` quotes when the restored copy stopped. */
class RestoreCopyFailureLineTest {
  @Test
  void theStartupProcesssReasonWinsOverARefusedProbeLoggedAfterIt() {
    // RestoreTestIT, 2026-12-07: our own probe was refused after the startup process gave up.
    List<String> log = List.of(
        "2026-12-07 00:58:04.700 UTC [30720] LOG:  starting PostgreSQL 15",
        "2026-12-07 00:58:04.790 UTC [30725] FATAL:  recovery ended before configured recovery target was reached",
        "2026-12-07 00:58:04.798 UTC [30730] FATAL:  the database system is in recovery mode",
        "2026-12-07 00:58:04.801 UTC [30720] LOG:  startup process (PID 30725) exited with exit code 1");
    assertThat(RestoreCopy.failureLine(log)).hasValueSatisfying(l ->
        assertThat(l).contains("recovery ended before configured recovery target was reached"));
  }

  @Test
  void aRefusedConnectionIsQuotedWhenItIsTheOnlyFatalLine() {
    List<String> log = List.of("x FATAL:  the database system is starting up", "y LOG:  shutting down");
    assertThat(RestoreCopy.failureLine(log)).hasValue("x FATAL:  the database system is starting up");
  }

  @Test
  void theLastReasonAndNothingWithoutOne() {
    assertThat(RestoreCopy.failureLine(List.of("a PANIC:  one", "b FATAL:  two"))).hasValue("b FATAL:  two");
    assertThat(RestoreCopy.failureLine(List.of("a LOG:  fine"))).isEmpty();
  }
}
