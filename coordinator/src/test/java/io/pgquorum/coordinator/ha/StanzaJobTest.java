package io.pgquorum.coordinator.ha;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The stanza job's bookkeeping: what the decision and /patroni see after each outcome. */
class StanzaJobTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final Deque<Optional<String>> outcomes = new ArrayDeque<>();
  private final AtomicInteger runs = new AtomicInteger();
  private final StanzaJob job = new StanzaJob("demo", () -> {
    runs.incrementAndGet();
    return outcomes.pop();
  }, now::get, Clock.fixed(Instant.parse("2030-01-01T12:00:00Z"), ZoneOffset.UTC), true);

  @Test
  void failureIsRememberedWithItsRetryTimeThenSuccessSticks() {
    assertThat(job.view()).isEqualTo(BackrestView.NEEDED);
    outcomes.add(Optional.of("repository not writable"));
    job.run();
    BackrestView v = job.view();
    assertThat(v.stanza()).isEqualTo(BackrestView.Stanza.FAILED);
    assertThat(v.retryAfterNanos()).hasValue(now.get() + StanzaJob.RETRY.toNanos());
    assertThat(job.describe()).containsEntry("stanza", "demo").containsEntry("stanza_state", "failed")
        .containsEntry("last_error", "repository not writable");

    outcomes.add(Optional.empty());
    job.run();
    assertThat(job.view().stanza()).isEqualTo(BackrestView.Stanza.CREATED);
    assertThat(job.view().lastFailure()).isEmpty();
    assertThat(job.describe()).containsEntry("stanza_state", "created")
        .containsEntry("stanza_checked_at", "2030-01-01T12:00:00Z").doesNotContainKey("last_error");

    job.start(); // created: nothing runs again
    assertThat(runs).hasValue(2);
  }

  @Test
  void anExceptionIsAFailureNotACrash() {
    StanzaJob throwing = new StanzaJob("demo", () -> {
      throw new IllegalStateException("boom");
    }, now::get, Clock.systemUTC(), true);
    throwing.run();
    assertThat(throwing.view().stanza()).isEqualTo(BackrestView.Stanza.FAILED);
    assertThat(throwing.view().lastFailure()).hasValueSatisfying(f -> assertThat(f).contains("boom"));
  }

  @Test
  void offNeverRunsAndShowsNothing() {
    StanzaJob off = StanzaJob.off();
    off.start();
    assertThat(off.view()).isEqualTo(BackrestView.OFF);
    assertThat(off.describe()).isEmpty();
  }

  @Test
  void theRealRunnersFailureBecomesTheJobsClearError() {
    // /bin/false stands in for pgbackrest: stanza-create exits 1 with no output, a typed failure, never a throw.
    io.pgquorum.backrest.BackrestSettings settings = io.pgquorum.backrest.BackrestSection.parse(
        java.util.Map.of("command", "/bin/false", "repo1", java.util.Map.of("path", "/nonexistent/repo")), "demo")
        .settings().orElseThrow();
    StanzaJob real = StanzaJob.of(Optional.of(settings), new io.pgquorum.backrest.NodeLayout(
        java.nio.file.Path.of("/nonexistent/data"), 5432, java.nio.file.Path.of("/tmp"),
        java.nio.file.Path.of("/nonexistent/data.pgbackrest"), "postgres"), java.util.Map.of());
    real.run();
    assertThat(real.view().stanza()).isEqualTo(BackrestView.Stanza.FAILED);
    assertThat(real.view().lastFailure()).hasValueSatisfying(f -> assertThat(f)
        .contains("/bin/false --config=/nonexistent/data.pgbackrest/pgbackrest.conf --stanza=demo stanza-create")
        .contains("exited 1"));
  }
}
