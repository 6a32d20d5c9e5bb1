package io.pgquorum.coordinator.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.backrest.info.StanzaInfo;
import io.pgquorum.backrest.info.StanzaStatus;
import io.pgquorum.backrest.run.BackrestFailure;
import io.pgquorum.backrest.run.CommandRun;
import io.pgquorum.backrest.run.FailureKind;
import io.pgquorum.backrest.run.Outcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** One probe run at a time, driven by hand (pure logic: the answers are given, the clock is fixed). */
class RepositoryProbeTest {
  private static final Instant T = Instant.parse("2026-12-04T10:00:00Z");

  private static Outcome<StanzaInfo> ok(int code) {
    StanzaInfo s = new StanzaInfo("demo", new StanzaStatus(code, code == 0 ? "ok" : "no valid backups"), false,
        List.of(), List.of(), List.of(), List.of());
    return new Outcome.Ok<>(s, new CommandRun(List.of("pgbackrest", "info"), 0, "[]", "", Duration.ZERO));
  }

  private static Outcome<StanzaInfo> failed() {
    return new Outcome.Failed<>(new BackrestFailure(FailureKind.TIMED_OUT, "pgbackrest info", -1, "timed out"));
  }

  @Test
  void eachRunPublishesItsHealthAndAFailingRunNeitherStopsNorHidesTheProbe() {
    Deque<Supplier<Outcome<StanzaInfo>>> answers = new ArrayDeque<>(List.of(() -> ok(2), RepositoryProbeTest::failed,
        () -> {
          throw new IllegalStateException("boom");
        }, () -> ok(0)));
    try (RepositoryProbe probe = new RepositoryProbe(() -> answers.poll().get(), Clock.fixed(T, ZoneOffset.UTC),
        "n1")) {
      assertThat(probe.health()).isEmpty();
      probe.runOnce();
      assertThat(probe.health().orElseThrow().statusCode()).isEqualTo(OptionalInt.of(2));
      assertThat(probe.health().orElseThrow().up()).isTrue();
      assertThat(probe.health().orElseThrow().checkedAt()).isEqualTo(T);
      probe.runOnce();
      assertThat(probe.health().orElseThrow().up()).isFalse();
      assertThat(probe.health().orElseThrow().message()).contains("timed out");
      assertThat(probe.health().orElseThrow().backupsKnown()).as("the backups seen before are kept").isTrue();
      probe.runOnce(); // throws inside: published as a failed run, and the next run still happens
      assertThat(probe.health().orElseThrow().message()).contains("boom");
      probe.runOnce();
      assertThat(probe.health().orElseThrow().statusCode()).isEqualTo(OptionalInt.of(0));
    }
  }
}
