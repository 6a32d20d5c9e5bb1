package io.pgquorum.coordinator.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which FATAL line of the server's log explains a failed bootstrap step ({@link LocalPostgres#fatalCause}). */
class FatalCauseTest {
  private static final String REJECTED = "psql: error: connection to server on socket \"/tmp/x/.s.PGSQL.5432\" failed: "
      + "FATAL:  the database system is in recovery mode";

  @Test
  void theCauseIsNotTheRejectedConnectionsThatFollowIt() {
    String log = String.join("\n",
        "2026-12-04 22:35:01.001 UTC [10] FATAL:  the database system is starting up",
        "2026-12-04 22:35:02.002 UTC [11] LOG:  redo done at 0/3000100",
        "2026-12-04 22:35:02.003 UTC [11] FATAL:  recovery ended before configured recovery target was reached",
        "2026-12-04 22:35:02.004 UTC [12] FATAL:  the database system is in recovery mode",
        "2026-12-04 22:35:02.010 UTC [9] LOG:  startup process (PID 11) exited with exit code 1");
    assertThat(LocalPostgres.fatalCause(log, "create roles failed (psql exit 2): " + REJECTED))
        .hasValue("FATAL:  recovery ended before configured recovery target was reached");
  }

  @Test
  void nothingWhenTheMessageAlreadySaysItOrTheLogHasNoCause() {
    String cause = "FATAL:  recovery ended before configured recovery target was reached";
    assertThat(LocalPostgres.fatalCause("x " + cause, "failed: " + cause)).isEmpty();
    assertThat(LocalPostgres.fatalCause("LOG:  database system is ready\nFATAL:  the database system is shutting "
        + "down", REJECTED)).isEmpty();
    assertThat(LocalPostgres.fatalCause("", REJECTED)).isEmpty();
  }
}
