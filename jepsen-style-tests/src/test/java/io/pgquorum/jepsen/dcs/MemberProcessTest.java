package io.pgquorum.jepsen.dcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Overlapping faults on one DCS member compose: a clock-rate restart while an earlier restart's member is still
 * starting kills that member on purpose. Found by a generated schedule (two clock-skew steps 0.5 s apart, then a
 * pause): the earlier step's wait saw "its" member die with status 137 and failed the whole trial.
 */
class MemberProcessTest {
  @Test
  void aLaunchSupersededWhileStartingIsNotAFailure(@TempDir Path dir) throws Exception {
    // A "member" that never gets ready (no READY line) stands in for one that is still starting.
    MemberProcess m = new MemberProcess("m1", List.of("sleep", "60"), dir.resolve("m1.log"),
        dir.resolve("m1.status"));
    Process first = m.launch(1.0);
    CompletableFuture<Void> firstWait = CompletableFuture.runAsync(() -> m.awaitReady(first));
    try {
      // The next step's restart: kill the starting member, launch it again.
      m.kill();
      m.launch(1.0);
      // The first wait returns (the later launch's own wait decides about readiness) instead of reporting the
      // member it was waiting for as a failed start, or waiting for the later launch.
      firstWait.get(30, TimeUnit.SECONDS);
    } finally {
      m.kill();
    }
  }

  @Test
  void aMemberThatDiesOnItsOwnIsStillAFailedStart(@TempDir Path dir) {
    MemberProcess m = new MemberProcess("m2", List.of("sh", "-c", "echo boom; exit 3"), dir.resolve("m2.log"),
        dir.resolve("m2.status"));
    m.launch(1.0);
    assertThatThrownBy(m::awaitReady).hasMessageContaining("DCS member m2 exited with status 3 before it was ready")
        .hasMessageContaining("boom");
    assertThat(m.alive()).isFalse();
  }
}
