package io.pgquorum.coordinator.node;

import io.pgquorum.backrest.info.RepoHealth;
import io.pgquorum.backrest.info.StanzaInfo;
import io.pgquorum.backrest.run.Outcome;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@code pgbackrest info} every {@code backrest.info_interval} on a thread of its own and publishes the
 * repository's health ({@link RepoHealth}) as an immutable value the HA loop copies into each status it publishes.
 * On every node with a backrest section, leader and replicas alike: each reads the same repository, and a replica
 * that cannot reach it would fail to rebuild from it.
 *
 * <p>Why off the HA loop: info reads the repository (NFS in production) and may take seconds or hang up to
 * {@code backrest.command_timeout}; a cycle must never wait for it.
 */
final class RepositoryProbe implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RepositoryProbe.class);

  private final Supplier<Outcome<StanzaInfo>> info;
  private final Clock clock;
  private final AtomicReference<RepoHealth> last = new AtomicReference<>();
  private final ScheduledExecutorService timer;

  RepositoryProbe(Supplier<Outcome<StanzaInfo>> info, Clock clock, String name) {
    this.info = info;
    this.clock = clock;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "repository-probe-" + name);
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Starts the periodic runs, the first at once. Fixed delay, not rate: a slow run is never overlapped by the next
   * one, and a hung repository costs one process at a time.
   */
  RepositoryProbe start(Duration interval) {
    timer.scheduleWithFixedDelay(this::runOnce, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** One run: the health the answer shows, or a failed run's (keeping the backups seen before). */
  void runOnce() {
    try {
      Outcome<StanzaInfo> o = info.get();
      RepoHealth h;
      if (o instanceof Outcome.Ok<StanzaInfo> ok) {
        h = RepoHealth.of(ok.value(), clock.instant());
      } else {
        String why = ((Outcome.Failed<StanzaInfo>) o).failure().describe();
        h = RepoHealth.failed(why, clock.instant(), Optional.ofNullable(last.get()));
      }
      RepoHealth before = last.getAndSet(h);
      if (before == null || before.up() != h.up()) {
        log.info("backup repository {}: {}", h.up() ? "up" : "down", h.answered()
            ? "status " + h.statusCode().getAsInt() + " (" + h.message() + ")" : h.message());
      }
    } catch (RuntimeException e) {
      // A scheduled task that throws is never run again: log and keep probing.
      log.warn("backup repository probe failed: {}", e.toString());
      last.set(RepoHealth.failed("probe failed: " + e.getMessage(), clock.instant(), Optional.ofNullable(last.get())));
    }
  }

  /** The last run's health; empty before the first finished. Never blocks. */
  Optional<RepoHealth> health() {
    return Optional.ofNullable(last.get());
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
