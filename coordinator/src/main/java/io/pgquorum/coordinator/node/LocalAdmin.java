package io.pgquorum.coordinator.node;

import io.pgquorum.coordinator.config.ConfigException;
import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.coordinator.config.TimeUnits;
import io.pgquorum.coordinator.ha.LocalRequest;
import io.pgquorum.coordinator.ha.NodeStatus;
import io.pgquorum.coordinator.ha.OperatorRequests;
import io.pgquorum.coordinator.postgres.LocalPostgres;
import io.pgquorum.coordinator.rest.AdminActions;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin endpoints on this node's PostgreSQL: {@code POST/DELETE /restart}, {@code POST /reinitialize},
 * {@code POST /reload} (and SIGHUP, through {@link #reload()}). Holds no rule of its own: it turns a request into a
 * {@link LocalRequest} for the HA loop, whose decision answers it, and waits for the answer with a bound.
 * The reload's re-read of the configuration file happens here, on the caller's thread, so a bad file is refused
 * to the caller (with every problem, by key) and the configuration in force stays.
 */
final class LocalAdmin extends AdminActions.Unsupported {
  private static final Logger log = LoggerFactory.getLogger(LocalAdmin.class);

  private final Supplier<OperatorRequests> requests;
  private final Supplier<NodeStatus> status;
  private final LocalPostgres postgres;
  private volatile NodeConfig config;
  /** Reads the node's configuration again (its file and environment); empty when it has none to re-read. */
  private volatile Optional<Supplier<NodeConfig>> reread = Optional.empty();

  LocalAdmin(NodeConfig config, LocalPostgres postgres, Supplier<OperatorRequests> requests,
      Supplier<NodeStatus> status) {
    this.config = config;
    this.postgres = postgres;
    this.requests = requests;
    this.status = status;
  }

  /** Where a reload re-reads the configuration from ({@link Main}: the file it was started with). */
  void rereadFrom(Supplier<NodeConfig> source) {
    this.reread = Optional.of(source);
  }

  @Override
  public Result restart(RestartRequest r) {
    LocalRequest.RestartConditions conditions = new LocalRequest.RestartConditions(r.role(), r.postgresVersion(),
        r.restartPending(), r.timeoutSeconds());
    OperatorRequests box = requests.get();
    if (box == null) {
      return notYet();
    }
    long id = box.nextId();
    if (r.schedule().isPresent()) {
      // The loop counts on its monotonic clock: the wall time is converted once, here.
      OffsetDateTime at = OffsetDateTime.parse(r.schedule().get());
      long due = System.nanoTime() + Duration.between(Instant.now(), at.toInstant()).toNanos();
      return await(box, new LocalRequest.Restart(id, conditions,
          Optional.of(new LocalRequest.ScheduledRestart(r.schedule().get(), due, conditions))), shortBound(),
          "restart");
    }
    // A restart answers once PostgreSQL is back: a stop bounded by pg_ctl_timeout, and a start bounded by the
    // request's timeout, else primary_start_timeout (0: pg_ctl_timeout), as in Patroni.
    int pgCtl = Math.max(1, config.postgresql().pgCtlTimeout());
    int start = r.timeoutSeconds().orElse(dynamic().primaryStartTimeout());
    Duration bound = shortBound().plusSeconds(pgCtl + (long) Math.max(start, pgCtl));
    return await(box, new LocalRequest.Restart(id, conditions, Optional.empty()), bound, "restart");
  }

  @Override
  public Result cancelRestart() {
    OperatorRequests box = requests.get();
    if (box == null) {
      return notYet();
    }
    return await(box, new LocalRequest.CancelRestart(box.nextId()), shortBound(), "cancelling the restart");
  }

  @Override
  public Result reinitialize(boolean force, boolean fromLeader) {
    OperatorRequests box = requests.get();
    if (box == null) {
      return notYet();
    }
    return await(box, new LocalRequest.Reinitialize(box.nextId(), force, fromLeader), shortBound(),
        "reinitialize");
  }

  /**
   * Re-reads the configuration file (when there is one), takes it if valid, and has the loop rewrite PostgreSQL's
   * configuration and reload it. Patroni answers 202 at once; so does this, unless the file is refused: then 503
   * with every problem, and the configuration in force stays.
   */
  @Override
  public Result reload() {
    if (reread.isPresent()) {
      NodeConfig next;
      try {
        next = reread.get().get();
      } catch (ConfigException e) {
        String why = String.join("; ", e.problems());
        log.warn("reload refused, the configuration in force stays: {}", why);
        return new Result(503, "reload refused: invalid configuration: " + why);
      }
      List<String> fixed = unchangeable(config, next);
      if (!fixed.isEmpty()) {
        String why = String.join("; ", fixed);
        log.warn("reload refused, the configuration in force stays: {}", why);
        return new Result(503, "reload refused: " + why);
      }
      config = next;
      postgres.replaceConfig(next);
      log.info("reload: re-read the configuration");
    }
    OperatorRequests box = requests.get();
    if (box != null) {
      box.post(new LocalRequest.Reload(0));
    }
    return new Result(202, "reload scheduled");
  }

  /** Keys a reload cannot change (the daemon would have to start again), by key path. */
  static List<String> unchangeable(NodeConfig now, NodeConfig next) {
    List<String> out = new ArrayList<>();
    check(out, "scope", now.scope(), next.scope());
    check(out, "name", now.name(), next.name());
    check(out, "postgresql.data_dir", now.postgresql().dataDir(), next.postgresql().dataDir());
    check(out, "postgresql.listen", now.postgresql().listen(), next.postgresql().listen());
    check(out, "postgresql.bin_dir", now.postgresql().binDir(), next.postgresql().binDir());
    return out;
  }

  private static void check(List<String> out, String key, Object now, Object next) {
    if (!Objects.equals(now, next)) {
      out.add(key + ": cannot be changed by a reload (restart pgquorum to change it)");
    }
  }

  private Result await(OperatorRequests box, LocalRequest r, Duration bound, String what) {
    CompletableFuture<OperatorRequests.Reply> reply = box.post(r);
    try {
      OperatorRequests.Reply got = reply.get(bound.toMillis(), TimeUnit.MILLISECONDS);
      return new Result(got.status(), got.text());
    } catch (TimeoutException e) {
      box.forget(r.id());
      return new Result(503, what + " status unknown: no answer from the HA loop within " + TimeUnits.seconds(bound)
          + " s; it may still be in progress");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      box.forget(r.id());
      return new Result(503, what + " interrupted");
    } catch (ExecutionException e) {
      return new Result(503, what + " failed");
    }
  }

  /** How long the loop may take to take a request and answer it: two cycles and a DCS call. */
  private Duration shortBound() {
    DynamicConfig dyn = dynamic();
    Duration second = Duration.ofSeconds(1);
    return TimeUnits.max(second, dyn.loopWait()).multipliedBy(2).plus(TimeUnits.max(second, dyn.retryTimeout()))
        .plusSeconds(5);
  }

  /** The dynamic configuration in force as the last cycle saw it (bootstrap.dcs before there is one). */
  private DynamicConfig dynamic() {
    return Optional.ofNullable(status.get()).flatMap(NodeStatus::cluster)
        .flatMap(c -> c.config()).map(v -> v.value()).orElse(config.bootstrap().dcs());
  }

  private static Result notYet() {
    return new Result(503, "the HA loop is not running yet");
  }
}
