package io.pgquorum.coordinator.node;

import io.pgquorum.coordinator.cluster.ClusterStore;
import io.pgquorum.coordinator.cluster.DcsKeys;
import io.pgquorum.coordinator.config.ConfigException;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.coordinator.config.RaftConfig;
import io.pgquorum.coordinator.config.WatchdogConfig;
import io.pgquorum.coordinator.fence.WatchdogProcess;
import io.pgquorum.coordinator.ha.HaLoop;
import io.pgquorum.coordinator.ha.LeaseGuard;
import io.pgquorum.coordinator.ha.LeaseState;
import io.pgquorum.coordinator.ha.NodeStatus;
import io.pgquorum.coordinator.ha.HaBug;
import io.pgquorum.coordinator.ha.TaskRunner;
import io.pgquorum.coordinator.postgres.LocalPostgres;
import io.pgquorum.coordinator.postgres.PgState;
import io.pgquorum.coordinator.postgres.Postgres;
import io.pgquorum.coordinator.postgres.StopMode;
import io.pgquorum.coordinator.rest.AdminActions;
import io.pgquorum.coordinator.rest.PeerClient;
import io.pgquorum.coordinator.rest.RestServer;
import io.pgquorum.dcs.api.Dcs;
import io.pgquorum.dcs.planted.PlantedBugs;
import io.pgquorum.dcs.ratis.DcsClientConfig;
import io.pgquorum.dcs.ratis.DcsServer;
import io.pgquorum.dcs.ratis.DcsServerConfig;
import io.pgquorum.dcs.ratis.RatisDcsClient;
import io.pgquorum.dcs.ratis.TlsFiles;
import java.time.Duration;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pgquorum node, embeddable: a member of the embedded Raft DCS, the HA loop, the REST API and control of the
 * local PostgreSQL, in this JVM.
 *
 * <pre>{@code
 * NodeConfig config = ConfigLoader.load(Path.of("node1.yml"), System.getenv());
 * try (PgQuorumNode node = PgQuorumNode.start(config)) {
 *   NodeStatus s = node.status();          // the last published status, never blocks
 *   ...
 * }                                       // close(): hands over (fast stop, lock released) and stops
 * }</pre>
 *
 * <p>PostgreSQL runs detached: {@link #halt()} (or a crash of this JVM) leaves it running and a new node on the
 * same configuration re-adopts it; {@link #close()} stops it and hands over leadership.
 *
 * <p>Unless {@code watchdog.mode} is off, the node also runs a lease watchdog process ({@link WatchdogProcess}),
 * which stops PostgreSQL at the lease deadline when this JVM is frozen or dead. After {@link #halt()} or a crash
 * it still does so if a lease was live: a node restarted within the lease may see its PostgreSQL stopped once
 * by the old watchdog, and starts it again.
 */
public final class PgQuorumNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PgQuorumNode.class);

  private final NodeConfig config;
  private final DcsServer dcsServer;
  private final Dcs dcs;
  private final Postgres postgres;
  private final RestServer rest;
  private final LeaseGuard guard;
  private final Optional<WatchdogProcess> watchdog;
  private final HaLoop loop;
  private final Thread loopThread;
  private final AtomicReference<NodeStatus> status;
  private volatile boolean closed;

  private PgQuorumNode(NodeConfig config, DcsServer dcsServer, Dcs dcs, Postgres postgres, RestServer rest,
      LeaseGuard guard, Optional<WatchdogProcess> watchdog, HaLoop loop, Thread loopThread,
      AtomicReference<NodeStatus> status) {
    this.watchdog = watchdog;
    this.config = config;
    this.dcsServer = dcsServer;
    this.dcs = dcs;
    this.postgres = postgres;
    this.rest = rest;
    this.guard = guard;
    this.loop = loop;
    this.loopThread = loopThread;
    this.status = status;
  }

  /**
   * Starts a node. Fails with a {@link ConfigException} for a configuration that cannot work here (running as
   * root, a DCS address that cannot be bound) and with {@link NodeStartException} when a component fails to start;
   * whatever was started is stopped again.
   */
  public static PgQuorumNode start(NodeConfig config) {
    return start(config, PlantedBugs.NONE);
  }

  /**
   * Starts a node with planted bugs: for {@code bin/pgquorum}'s {@link Main} under the fault-injection harness
   * only (see {@link PlantedBugs}). Package-private on purpose: the embedding API never plants bugs and never
   * reads the environment for them.
   */
  static PgQuorumNode start(NodeConfig config, PlantedBugs bugs) {
    refuseRoot(new com.sun.security.auth.module.UnixSystem().getUid());
    for (String w : config.warnings()) {
      log.warn("configuration: {}", w);
    }
    if (!bugs.isEmpty()) {
      log.warn(bugs.warning());
    }
    if (bugs.active(HaBug.NO_WATCHDOG) && config.watchdog().mode() == WatchdogConfig.Mode.REQUIRED) {
      // The bug would silently override the operator's "never lead without a watchdog": refuse instead.
      throw new ConfigException("watchdog.mode", "is required, which the planted bug "
          + HaBug.NO_WATCHDOG.id() + " would override; set watchdog.mode to automatic or off for this test");
    }
    List<AutoCloseable> started = new ArrayList<>();
    try {
      DcsServer server = DcsServer.start(dcsServerConfig(config).withPlantedBugs(bugs));
      started.add(server);
      Duration retry = config.bootstrap().dcs().retryTimeoutDuration();
      RatisDcsClient client = RatisDcsClient.connect(DcsClientConfig.builder()
          .groupName(server.config().groupName())
          .members(server.config().initialMembers())
          .localMember(server.config().self())
          .tls(server.config().tls().orElse(null))
          // A DCS call may take at most retry_timeout (the loop_wait + 2*retry_timeout <= ttl budget).
          .operationTimeout(retry)
          .requestTimeout(retry.dividedBy(2))
          .plantedBugs(bugs)
          .build(), config.name());
      started.add(client);
      ClusterStore store = new ClusterStore(client, new DcsKeys(config.keyPrefix()), config.name());
      LeaseState lease = new LeaseState();
      AtomicReference<NodeStatus> status = new AtomicReference<>();
      // Cluster-wide settings come from the snapshot the loop last published (no DCS read of its own); before
      // the first cycle, or without a config key, LocalPostgres falls back to bootstrap.dcs.
      Postgres postgres = new LocalPostgres(config, () -> Optional.ofNullable(status.get())
          .flatMap(NodeStatus::cluster).flatMap(c -> c.config()).map(v -> v.value()).orElse(null));
      status.set(initialStatus(config, postgres, bugs));
      RestServer rest = RestServer.start(config.restapi(), status::get, AdminActions.unsupported());
      started.add(rest);
      LeaseGuard guard = new LeaseGuard(lease, () -> fence(postgres, lease, bugs), System::nanoTime,
          config.name());
      started.add(guard);
      AtomicReference<HaLoop> loopRef = new AtomicReference<>();
      WatchdogConfig.Mode mode = bugs.active(HaBug.NO_WATCHDOG) ? WatchdogConfig.Mode.OFF
          : config.watchdog().mode();
      Optional<WatchdogProcess> watchdog = Optional.empty();
      if (mode != WatchdogConfig.Mode.OFF) {
        WatchdogProcess w = startWatchdog(config, mode, () -> {
          // Only a lease holder demotes: a replica has nothing the watchdog would fence.
          if (mode == WatchdogConfig.Mode.REQUIRED && lease.deadlineNanos().isPresent()) {
            log.error("demoting: watchdog.mode is required and the watchdog process died");
            lease.clear();
            fence(postgres, lease, bugs);
            Optional.ofNullable(loopRef.get()).ifPresent(HaLoop::wake);
          }
        });
        started.add(w);
        watchdog = Optional.of(w);
        if (!bugs.active(HaBug.SKIP_DEMOTE_ON_LOST_LEASE)) {
          // PLANTED BUG hook: with skip-demote-on-lost-lease the watchdog is never told about the lease.
          lease.setListener(w);
        }
      }
      Optional<WatchdogProcess> wd = watchdog;
      TaskRunner tasks = new TaskRunner(config.name());
      Duration peerTimeout = Duration.ofSeconds(Math.min(2, config.bootstrap().dcs().retryTimeout()));
      HaLoop loop = new HaLoop(config, store, postgres, lease, tasks,
          urls -> toMap(PeerClient.fetchAll(urls, peerTimeout)), System::nanoTime,
          s -> status.set(s.withWatchdog(wd.map(WatchdogProcess::describe).orElse("off"))), bugs,
          () -> mode != WatchdogConfig.Mode.REQUIRED || wd.map(WatchdogProcess::ready).orElse(false));
      loopRef.set(loop);
      Thread loopThread = new Thread(loop, "ha-loop-" + config.name());
      guard.start();
      loopThread.start();
      log.info("pgquorum node {} of cluster {} started: DCS member {}, REST API on port {}, watchdog {}",
          config.name(), config.scope(), server.memberId(), rest.port(), mode.configName());
      return new PgQuorumNode(config, server, client, postgres, rest, guard, watchdog, loop, loopThread, status);
    } catch (RuntimeException e) {
      for (int i = started.size() - 1; i >= 0; i--) {
        try {
          started.get(i).close();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      if (e instanceof ConfigException) {
        throw e;
      }
      throw new NodeStartException("node " + config.name() + " could not start: " + e.getMessage(), e);
    }
  }

  /** The in-JVM fence (LeaseGuard, required-watchdog loss): stop PostgreSQL at once, then disarm the watchdog. */
  private static void fence(Postgres postgres, LeaseState lease, PlantedBugs bugs) {
    if (bugs.active(HaBug.SKIP_DEMOTE_ON_LOST_LEASE)) {
      // PLANTED BUG (test harness only): the expired lease is not enforced.
      log.warn("PLANTED BUG {}: not stopping PostgreSQL", HaBug.SKIP_DEMOTE_ON_LOST_LEASE.id());
      return;
    }
    postgres.stop(StopMode.IMMEDIATE);
    lease.postgresStopped();
  }

  private static WatchdogProcess startWatchdog(NodeConfig config, WatchdogConfig.Mode mode, Runnable onLost) {
    List<String> argv = WatchdogProcess.command(config.postgresql().binDir().resolve("pg_ctl"),
        config.postgresql().dataDir(), config.name(), config.postgresql().pgCtlTimeout());
    Optional<Path> stderr = config.log().dir().map(d -> d.resolve("pgquorum-watchdog.log"));
    WatchdogProcess w = new WatchdogProcess(argv, stderr, System::nanoTime, onLost, config.name());
    w.start();
    try {
      // Wait for it before the first cycle, so that the first lease is already covered (it starts in well under
      // a second on an idle machine).
      if (!w.awaitReady(Duration.ofSeconds(15))) {
        log.warn("the watchdog process is not ready yet{}", mode == WatchdogConfig.Mode.REQUIRED
            ? "; the leader lock will not be taken until it is (watchdog.mode: required)" : "");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return w;
  }

  private static Map<String, io.pgquorum.coordinator.ha.PeerView> toMap(
      List<io.pgquorum.coordinator.ha.PeerView> views) {
    Map<String, io.pgquorum.coordinator.ha.PeerView> m = new java.util.LinkedHashMap<>();
    for (var v : views) {
      m.put(v.name(), v);
    }
    return m;
  }

  private static NodeStatus initialStatus(NodeConfig config, Postgres postgres, PlantedBugs bugs) {
    PgState pg;
    try {
      pg = postgres.probe();
    } catch (RuntimeException e) {
      pg = PgState.stopped(PgState.DataDirState.MISSING);
    }
    return new NodeStatus(config.scope(), config.name(), pg, pg.running() ? "running" : "stopped",
        pg.dataDir() == PgState.DataDirState.INITIALIZED ? "replica" : "uninitialized", false, Optional.empty(),
        Optional.empty(), "starting", config.tags(), Instant.now(), System.nanoTime(), 0, java.util.OptionalLong.empty(),
        java.util.OptionalLong.empty(), "", bugs.ids());
  }

  static DcsServerConfig dcsServerConfig(NodeConfig config) {
    RaftConfig raft = config.raft();
    DcsServerConfig.Builder b = DcsServerConfig.builder()
        .groupName(config.scope())
        .selfAddr(raft.selfAddr())
        .partnerAddrs(raft.partnerAddrs())
        .dataDir(raft.dataDir());
    raft.bindAddr().ifPresent(b::bindAddr);
    raft.tls().ifPresent(t -> b.tls(new TlsFiles(t.certfile(), t.keyfile(), t.cafile())));
    return b.build();
  }

  static void refuseRoot(long uid) {
    if (uid == 0) {
      throw new ConfigException("user", "pgquorum refuses to run as root (uid 0), as PostgreSQL does: run it as "
          + "the operating system user that owns the PostgreSQL data directory");
    }
  }

  public NodeConfig config() {
    return config;
  }

  /** The status published by the last HA cycle. Never blocks. */
  public NodeStatus status() {
    return status.get();
  }

  /** The watchdog process's PID, when one runs (for tests and diagnostics). */
  public Optional<Long> watchdogPid() {
    return watchdog.flatMap(WatchdogProcess::pid);
  }

  /** The REST API's bound port. */
  public int restPort() {
    return rest.port();
  }

  /** The reason the node stopped on its own (a fatal decision such as a system-identifier mismatch), if any. */
  public Optional<String> fatalReason() {
    return loop.fatalReason();
  }

  /** Waits until the HA loop has ended (after {@link #close()} or a fatal decision). */
  public boolean awaitLoopEnd(Duration timeout) throws InterruptedException {
    return loop.awaitFinished(timeout);
  }

  /**
   * Stops the node cleanly: one last cycle stops PostgreSQL (fast shutdown) and, on the primary, releases the
   * leader lock so another member takes over at once; then the REST API and the DCS member stop.
   */
  @Override
  public void close() {
    shutdown(true);
  }

  /** Stops this node's loop, API and DCS member but leaves PostgreSQL running (as a crash would). */
  public void halt() {
    shutdown(false);
  }

  private synchronized void shutdown(boolean stopPostgres) {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (stopPostgres) {
        loop.requestShutdown();
      } else {
        loop.halt();
      }
      Duration wait = Duration.ofSeconds(config.postgresql().pgCtlTimeout() + 10L);
      if (!loop.awaitFinished(wait)) {
        log.warn("the HA loop did not finish within {} s", wait.toSeconds());
        loopThread.interrupt();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    guard.close();
    watchdog.ifPresent(WatchdogProcess::close);
    rest.close();
    dcs.close();
    dcsServer.close();
    log.info("pgquorum node {} stopped", config.name());
  }
}
