package io.pgquorum.coordinator.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** PostgreSQL 15's messages for a copy that cannot reach the requested timeline, found in pg_ctl's output. */
class CopyRefusalTest {
  @Test
  void theThreeTimelineRefusalsAreFoundInAStartFailure() {
    String minRecovery = "start replica of node1 failed (pg_ctl exit 1)\n... LOG:  starting archive recovery\n"
        + "2026-12-04 09:12:01.123 UTC [4242] FATAL:  requested timeline 3 does not contain minimum recovery point "
        + "0/9000000 on timeline 1\n... LOG:  startup process (PID 4242) exited with exit code 1";
    assertThat(CopyRefusal.find(minRecovery))
        .contains("requested timeline 3 does not contain minimum recovery point 0/9000000 on timeline 1");
    assertThat(CopyRefusal.find("FATAL:  requested timeline 2 is not a child of this server's history\n"
        + "DETAIL:  Latest checkpoint is at 0/8000060 on timeline 1, but in the history of the requested timeline, "
        + "the server forked off from that timeline at 0/7004278."))
        .contains("requested timeline 2 is not a child of this server's history");
    assertThat(CopyRefusal.find("PANIC:  unexpected timeline ID 2 in checkpoint record, before reaching minimum "
        + "recovery point 0/8000100 on timeline 1"))
        .contains("unexpected timeline ID 2 in checkpoint record, before reaching minimum recovery point 0/8000100 "
            + "on timeline 1");
  }

  @Test
  void otherStartFailuresAreNotRefusals() {
    assertThat(CopyRefusal.find("FATAL:  could not connect to the primary server: connection refused")).isEmpty();
    assertThat(CopyRefusal.find("FATAL:  highest timeline 1 of the primary is behind recovery timeline 2"))
        .isEmpty();
    assertThat(CopyRefusal.find("FATAL:  invalid value for parameter \"shared_buffers\"")).isEmpty();
  }
}
