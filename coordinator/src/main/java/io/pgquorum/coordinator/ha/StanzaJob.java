package io.pgquorum.coordinator.ha;

import io.pgquorum.backrest.BackrestSettings;
import io.pgquorum.backrest.NodeLayout;
import io.pgquorum.backrest.run.BackrestRunner;
import io.pgquorum.backrest.run.Outcome;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link Action.CreateStanza} (pgbackrest stanza-create, then check) on a thread of its own, and reports
 * where it stands as the decision's input ({@link #view()}) and in {@code /patroni} ({@link #describe()}).
 *
 * <p>Why its own thread and not a {@link Task}: the task runner runs one long operation at a time and the
 * decision waits for it ("... in progress"); a check waits up to pgBackRest's archive-timeout (60 s) for a WAL
 * file, and nothing HA does (refreshing the lock, a switchover, a demotion) may wait for that. Nothing here
 * touches the lock or PostgreSQL's state.
 */
public final class StanzaJob {
  private static final Logger LOG = LoggerFactory.getLogger(StanzaJob.class);

  /**
   * How long after a failure the stanza is tried again. Why 30 s: each try runs up to two pgbackrest commands
   * (and check waits for a WAL file to be archived), so retrying every cycle would keep one running all the time
   * and log a failure every loop_wait; half a minute still lets an operator who fixed the repository see it
   * succeed soon.
   */
  static final Duration RETRY = Duration.ofSeconds(30);

  private static final StanzaJob OFF = new StanzaJob("", () -> Optional.empty(), () -> 0L, Clock.systemUTC(), false);

  private final String stanza;
  private final Supplier<Optional<String>> work;
  private final LongSupplier nanoClock;
  private final Clock wallClock;
  private final boolean on;
  private BackrestView.Stanza state;
  private OptionalLong retryAfter = OptionalLong.empty();
  private Optional<String> lastFailure = Optional.empty();
  private Optional<String> createdAt = Optional.empty();

  /**
   * @param work runs the commands; empty when they succeeded, else the failure's text (never a secret)
   */
  StanzaJob(String stanza, Supplier<Optional<String>> work, LongSupplier nanoClock, Clock wallClock, boolean on) {
    this.stanza = stanza;
    this.work = work;
    this.nanoClock = nanoClock;
    this.wallClock = wallClock;
    this.on = on;
    this.state = on ? BackrestView.Stanza.NEEDED : BackrestView.Stanza.OFF;
  }

  /** No backrest section: never planned, never runs. */
  public static StanzaJob off() {
    return OFF;
  }

  /**
   * The job for {@code settings} (off when empty), running pgbackrest for the node laid out as {@code layout} with
   * {@code env} added to its environment (the password file's name).
   */
  public static StanzaJob of(Optional<BackrestSettings> settings, NodeLayout layout, Map<String, String> env) {
    if (settings.isEmpty()) {
      return OFF;
    }
    BackrestRunner runner = new BackrestRunner(settings.get(), layout, env);
    return new StanzaJob(settings.get().stanza(), () -> {
      Outcome<?> created = runner.stanzaCreate();
      if (created instanceof Outcome.Failed<?> f) {
        return Optional.of(f.failure().describe());
      }
      Outcome<?> checked = runner.check();
      return checked instanceof Outcome.Failed<?> f ? Optional.of(f.failure().describe()) : Optional.empty();
    }, System::nanoTime, Clock.systemUTC(), true);
  }

  /** The decision's input: where creating the stanza stands. */
  public synchronized BackrestView view() {
    return new BackrestView(state, retryAfter, lastFailure);
  }

  /**
   * Starts stanza-create and check in the background unless they run already or succeeded; returns at once.
   */
  public void start() {
    synchronized (this) {
      if (!on || state == BackrestView.Stanza.RUNNING || state == BackrestView.Stanza.CREATED) {
        return;
      }
      state = BackrestView.Stanza.RUNNING;
    }
    Thread t = new Thread(this::run, "pgquorum-backrest-stanza");
    t.setDaemon(true);
    t.start();
  }

  /** The work itself, recording its outcome (package-private: tests run it without a thread). */
  void run() {
    long t0 = nanoClock.getAsLong();
    Optional<String> failure;
    try {
      failure = work.get();
    } catch (RuntimeException e) {
      // The runner returns failures as values; anything thrown is a bug, still never a reason to stop HA.
      failure = Optional.of("unexpected error: " + e);
    }
    long tookMs = (nanoClock.getAsLong() - t0) / 1_000_000L;
    synchronized (this) {
      if (failure.isEmpty()) {
        state = BackrestView.Stanza.CREATED;
        retryAfter = OptionalLong.empty();
        lastFailure = Optional.empty();
        createdAt = Optional.of(wallClock.instant().toString());
        LOG.info("pgBackRest stanza {} created and WAL archiving checked (stanza-create and check took {} ms)",
            stanza, tookMs);
      } else {
        state = BackrestView.Stanza.FAILED;
        retryAfter = OptionalLong.of(nanoClock.getAsLong() + RETRY.toNanos());
        lastFailure = failure;
        LOG.error("pgBackRest stanza {} is not ready, trying again in {} s (HA goes on): {}", stanza,
            RETRY.toSeconds(), failure.get());
      }
    }
  }

  /** For {@code /patroni} ({@code pgquorum.backrest}); empty when pgBackRest is off. */
  public synchronized Map<String, Object> describe() {
    if (!on) {
      return Map.of();
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("stanza", stanza);
    m.put("stanza_state", state.name().toLowerCase(java.util.Locale.ROOT));
    createdAt.ifPresent(at -> m.put("stanza_checked_at", at));
    lastFailure.ifPresent(f -> m.put("last_error", f));
    return m;
  }
}
