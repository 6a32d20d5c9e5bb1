package io.pgquorum.coordinator.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.backrest.BackrestSettings;
import io.pgquorum.backrest.BackupSchedules;
import io.pgquorum.backrest.BackupType;
import io.pgquorum.backrest.Schedule;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The backup job: one run at a time, check before the backup, each outcome kept and handed on. */
class BackupJobTest {
  private static final Optional<BackrestView.BackupPlan> PLAN = Optional.of(new BackrestView.BackupPlan(
      new BackupSchedules(Schedule.parse("off"), Schedule.parse("off"), Schedule.parse("every 1h")),
      Duration.ofHours(1), BackrestSettings.AfterPromotion.DEFAULT));
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2030-01-01T12:00:00Z"), ZoneOffset.UTC);

  /** Commands that record what ran and fail where told. */
  static final class Scripted implements BackupJob.Commands {
    final List<String> ran = new ArrayList<>();
    Optional<String> checkFails = Optional.empty();
    CountDownLatch release = new CountDownLatch(0);

    @Override
    public Optional<String> check() {
      ran.add("check");
      return checkFails;
    }

    @Override
    public Optional<String> backup(BackupType type) {
      ran.add(type.pgbackrestName());
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return Optional.empty();
    }
  }

  @Test
  void aCheckThatFailsStopsTheBackupAndTheFailureIsKept() {
    Scripted c = new Scripted();
    c.checkFails = Optional.of("archive-push failed");
    BackupJob job = new BackupJob(PLAN, c, CLOCK);
    AtomicReference<Optional<String>> outcome = new AtomicReference<>();
    job.run(new BackupJob.Work("promotion", true, Optional.of(BackupType.INCR)), outcome::set);
    assertThat(c.ran).containsExactly("check");
    assertThat(outcome.get()).contains("check: archive-push failed");
    assertThat(job.describe()).containsEntry("state", "failed").containsEntry("error", "check: archive-push failed");
    assertThat(job.running()).isFalse();
  }

  @Test
  void oneRunAtATime() throws Exception {
    Scripted c = new Scripted();
    c.release = new CountDownLatch(1);
    BackupJob job = new BackupJob(PLAN, c, CLOCK);
    CountDownLatch done = new CountDownLatch(1);
    assertThat(job.start(new BackupJob.Work("schedule", false, Optional.of(BackupType.INCR)), f -> done.countDown()))
        .isTrue();
    assertThat(job.running()).isTrue();
    assertThat(job.describe()).containsEntry("state", "running").containsEntry("what", "incr backup");
    assertThat(job.start(new BackupJob.Work("manual", false, Optional.of(BackupType.FULL)), f -> { })).isFalse();
    c.release.countDown();
    assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(job.running()).isFalse();
    assertThat(job.describe()).containsEntry("state", "done").containsEntry("trigger", "schedule");
    assertThat(c.ran).containsExactly("incr");
  }

  @Test
  void withoutASectionNothingStarts() {
    assertThat(BackupJob.off().start(new BackupJob.Work("manual", false, Optional.of(BackupType.FULL)), f -> { }))
        .isFalse();
    assertThat(BackupJob.off().plan()).isEmpty();
  }
}
