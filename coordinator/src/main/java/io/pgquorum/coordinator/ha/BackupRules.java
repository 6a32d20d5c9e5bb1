package io.pgquorum.coordinator.ha;

import io.pgquorum.backrest.BackupSchedules;
import io.pgquorum.coordinator.cluster.BackupRecord;
import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.postgres.PgState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which backup work the lock holder starts this cycle (issue 13), decided purely from the {@code backups} key, the
 * section's schedules and the wall clock; the executor only claims the key and starts the job
 * ({@link Action.StartBackup}, {@link Action.SkipBackupSlot}, {@link Action.AfterPromotion}).
 *
 * <p>Who: as for the stanza ({@link BackrestRules}), the lock holder whose PostgreSQL runs as primary, in a plan
 * that keeps the lock and changes nothing in PostgreSQL, once the stanza is created in this daemon's run, while
 * its backup job is idle (one backup at a time per node; pgBackRest allows one per stanza anyway). Not while
 * paused: in maintenance mode PostgreSQL is the operator's (a backup's checkpoint and check's WAL switch act on
 * it); a slot passing during the pause is caught up afterwards within the catch-up window, else skipped.
 *
 * <p>Never twice: each step carries the {@code backups} key as this cycle read it, with the change; the executor
 * writes it only if the key is still at that revision, so of two holders (one after a failover, one whose lock
 * expired without it noticing yet) only one wins a slot, and the winner's record stops the other from planning it
 * again. The post-promotion work is keyed by timeline the same way: a primary whose timeline is past the
 * recorded one (timeline 2 and later: timeline 1 is the bootstrap, not a promotion) claims it once. It comes before
 * a scheduled slot: a new timeline without a backup makes every restore replay across the switch.
 *
 * <p>A missed slot (no lock holder when it passed, a failed node, a pause): {@link BackupSchedules#due} gives the
 * latest slot of the strongest type not yet recorded; it runs if the wall clock is at most
 * {@code backrest.schedule.catch_up} past it, else it is recorded as skipped, which the log says once. Slots older
 * than the latest are never run: the latest covers them.
 */
final class BackupRules {
  static final String SCHEDULE = "schedule";
  static final String PROMOTION = "promotion";

  private BackupRules() {}

  static Decision apply(Decision d, Optional<ClusterSnapshot> cluster, LocalState local, HaPolicy policy,
      Instant wallNow) {
    BackrestView b = local.backrest();
    PgState pg = local.pg();
    if (b.backups().isEmpty() || b.backupRunning() || b.stanza() != BackrestView.Stanza.CREATED
        || cluster.isEmpty() || !cluster.get().isLeader(policy.name()) || !pg.running() || !pg.isPrimary()
        || local.runningTask().isPresent() || local.shutdownRequested() || policy.dynamic().paused()) {
      return d;
    }
    if (!d.keepsLockQuietly() || d.actions().stream().anyMatch(a -> a instanceof Action.CreateStanza)) {
      return d;
    }
    Optional<Action> step = step(cluster.get().backups(), b.backups().get(), pg.timeline(), policy.name(), wallNow);
    if (step.isEmpty()) {
      return d;
    }
    List<Action> actions = new ArrayList<>(d.actions());
    actions.add(step.get());
    return d.withActions(actions);
  }

  private static Optional<Action> step(BackupRecord rec, BackrestView.BackupPlan plan, long timeline, String me,
      Instant wallNow) {
    String at = wallNow.toString();
    if (timeline >= 2 && timeline > rec.timeline() && plan.afterPromotion().any()) {
      Optional<String> backup = plan.afterPromotion().backup().map(t -> t.pgbackrestName());
      BackupRecord claim = new BackupRecord(rec.slot(), rec.slotType(), timeline, Optional.of(new BackupRecord.Run(
          PROMOTION, backup.orElse("check"), me, "running", at, Optional.empty(), Optional.empty())),
          rec.modRevision());
      return Optional.of(new Action.AfterPromotion(timeline, plan.afterPromotion().check(), backup, claim));
    }
    Instant after = rec.slot().flatMap(BackupRules::instant).orElse(Instant.EPOCH);
    Optional<BackupSchedules.Due> due = plan.schedules().due(after, wallNow);
    if (due.isEmpty()) {
      return Optional.empty();
    }
    String type = due.get().type().pgbackrestName();
    String slot = due.get().slot().toString();
    // The timeline is kept, unless none is recorded yet: a later promotion compares against this one.
    long tl = Math.max(rec.timeline(), timeline);
    Duration late = Duration.between(due.get().slot(), wallNow);
    if (late.compareTo(plan.catchUp()) > 0) {
      String why = "slot " + slot + " passed " + late.toSeconds() + " s ago, more than backrest.schedule.catch_up ("
          + plan.catchUp().toSeconds() + " s)";
      BackupRecord skip = new BackupRecord(Optional.of(slot), Optional.of(type), tl, Optional.of(new BackupRecord.Run(
          SCHEDULE, type, me, "skipped", at, Optional.empty(), Optional.of(why))), rec.modRevision());
      return Optional.of(new Action.SkipBackupSlot(type, slot, skip));
    }
    BackupRecord claim = new BackupRecord(Optional.of(slot), Optional.of(type), tl, Optional.of(new BackupRecord.Run(
        SCHEDULE, type, me, "running", at, Optional.empty(), Optional.empty())), rec.modRevision());
    return Optional.of(new Action.StartBackup(type, slot, claim));
  }

  private static Optional<Instant> instant(String s) {
    try {
      return Optional.of(Instant.parse(s));
    } catch (java.time.format.DateTimeParseException e) {
      return Optional.empty(); // unreadable: treated as never, so the latest slot is due (and the key claimed over)
    }
  }
}
