package io.pgquorum.coordinator.ha;

import io.pgquorum.backrest.BackrestSettings;
import io.pgquorum.backrest.BackupType;
import io.pgquorum.backrest.NodeLayout;
import io.pgquorum.backrest.run.BackrestRunner;
import io.pgquorum.backrest.run.Outcome;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs this node's backups and post-promotion checks ({@link Action.StartBackup}, {@link Action.AfterPromotion},
 * and {@code POST /backup}) on a thread of its own, one at a time, and says whether one runs (the decision's input,
 * {@link BackrestView#backupRunning()}) and how the last one went ({@code /patroni}, {@code GET /backup}).
 *
 * <p>Why not a {@link Task}: a backup takes minutes to hours and nothing HA does may wait for it (see
 * {@link StanzaJob}). Nothing here touches the lock, the DCS or PostgreSQL's state; whoever starts a run passes
 * what to do with its outcome (the executor records a claimed slot's outcome in the {@code backups} key).
 */
public final class BackupJob {
  private static final Logger LOG = LoggerFactory.getLogger(BackupJob.class);
  private static final BackupJob OFF = new BackupJob(Optional.empty(), null, Clock.systemUTC());

  /** What one run does. */
  public record Work(String trigger, boolean check, Optional<BackupType> backup) {
    String what() {
      return (check ? "check" : "") + (check && backup.isPresent() ? " and " : "")
          + backup.map(t -> t.pgbackrestName() + " backup").orElse("");
    }
  }

  /** The commands (a seam for tests): empty when they succeeded, else the failure's text (never a secret). */
  interface Commands {
    Optional<String> check();

    Optional<String> backup(BackupType type);
  }

  private final Optional<BackrestView.BackupPlan> plan;
  private final Commands commands;
  private final Clock clock;
  private boolean running;
  private Optional<Map<String, Object>> last = Optional.empty();
  private Optional<Map<String, Object>> current = Optional.empty();

  BackupJob(Optional<BackrestView.BackupPlan> plan, Commands commands, Clock clock) {
    this.plan = plan;
    this.commands = commands;
    this.clock = clock;
  }

  public static BackupJob off() {
    return OFF;
  }

  /** The job for {@code settings} (off when empty), running pgbackrest for the node laid out as {@code layout}. */
  public static BackupJob of(Optional<BackrestSettings> settings, NodeLayout layout, Map<String, String> env) {
    if (settings.isEmpty()) {
      return OFF;
    }
    BackrestSettings s = settings.get();
    BackrestRunner runner = new BackrestRunner(s, layout, env);
    Commands commands = new Commands() {
      @Override
      public Optional<String> check() {
        return failure(runner.check());
      }

      @Override
      public Optional<String> backup(BackupType type) {
        return failure(runner.backup(type));
      }
    };
    return new BackupJob(Optional.of(new BackrestView.BackupPlan(s.schedules(), s.catchUp(), s.afterPromotion())),
        commands, Clock.systemUTC());
  }

  private static Optional<String> failure(Outcome<?> o) {
    return o instanceof Outcome.Failed<?> f ? Optional.of(f.failure().describe()) : Optional.empty();
  }

  /** The section's backup planning; empty without a backrest section. */
  public Optional<BackrestView.BackupPlan> plan() {
    return plan;
  }

  public synchronized boolean running() {
    return running;
  }

  /**
   * Starts {@code work} in the background unless a run is in progress (then false, and nothing starts);
   * {@code done} gets the outcome (empty: success) on the job's thread.
   */
  public boolean start(Work work, Consumer<Optional<String>> done) {
    synchronized (this) {
      if (plan.isEmpty() || running) {
        return false;
      }
      running = true;
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("state", "running");
      m.put("trigger", work.trigger());
      m.put("what", work.what());
      m.put("started_at", clock.instant().toString());
      current = Optional.of(m);
    }
    Thread t = new Thread(() -> run(work, done), "pgquorum-backrest-backup");
    t.setDaemon(true);
    t.start();
    return true;
  }

  /** The run itself (package-private: tests run it without a thread). */
  void run(Work work, Consumer<Optional<String>> done) {
    Optional<String> failure;
    LOG.info("pgBackRest {} ({}) starting", work.what(), work.trigger());
    try {
      failure = work.check() ? commands.check().map(f -> "check: " + f) : Optional.empty();
      if (failure.isEmpty() && work.backup().isPresent()) {
        failure = commands.backup(work.backup().get()).map(f -> "backup: " + f);
      }
    } catch (RuntimeException e) {
      failure = Optional.of("unexpected error: " + e); // the runner returns failures as values: a bug, never fatal
    }
    synchronized (this) {
      Map<String, Object> m = new LinkedHashMap<>(current.orElseGet(LinkedHashMap::new));
      m.put("state", failure.isPresent() ? "failed" : "done");
      m.put("finished_at", clock.instant().toString());
      failure.ifPresent(f -> m.put("error", f));
      last = Optional.of(m);
      current = Optional.empty();
      running = false;
    }
    if (failure.isPresent()) {
      LOG.error("pgBackRest {} ({}) failed (HA goes on): {}", work.what(), work.trigger(), failure.get());
    } else {
      LOG.info("pgBackRest {} ({}) done", work.what(), work.trigger());
    }
    try {
      done.accept(failure);
    } catch (RuntimeException e) {
      LOG.warn("recording the outcome of the {} failed: {}", work.what(), e.toString());
    }
  }

  /**
   * The running run, else the last one, else {@code state: idle}: for {@code GET /backup} and {@code /patroni}.
   */
  public synchronized Map<String, Object> describe() {
    if (current.isPresent()) {
      return new LinkedHashMap<>(current.get());
    }
    return new LinkedHashMap<>(last.orElse(Map.of("state", "idle")));
  }
}
