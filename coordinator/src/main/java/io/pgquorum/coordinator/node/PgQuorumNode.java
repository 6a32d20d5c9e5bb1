package io.pgquorum.coordinator.node;

import io.pgquorum.coordinator.cluster.ClusterStore;
import io.pgquorum.coordinator.cluster.DcsKeys;
import io.pgquorum.coordinator.config.ConfigException;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.coordinator.config.RaftConfig;
import io.pgquorum.coordinator.config.TimeUnits;
import io.pgquorum.coordinator.config.WatchdogConfig;
import io.pgquorum.coordinator.fence.WatchdogProcess;
import io.pgquorum.coordinator.ha.HaBug;
import io.pgquorum.coordinator.ha.HaLoop;
import io.pgquorum.coordinator.ha.HeldLease;
import io.pgquorum.coordinator.ha.LeaseGuard;
import io.pgquorum.coordinator.ha.LeaseListener;
import io.pgquorum.coordinator.ha.NodeStatus;
import io.pgquorum.coordinator.ha.PeerView;
import io.pgquorum.coordinator.ha.TaskRunner;
import io.pgquorum.coordinator.metrics.NodeMetrics;
import io.pgquorum.coordinator.postgres.LocalPostgres;
import io.pgquorum.coordinator.postgres.PgState;
import io.pgquorum.coordinator.postgres.Postgres;
import io.pgquorum.coordinator.rest.PeerClient;
import io.pgquorum.coordinator.rest.RestServer;
import io.pgquorum.coordinator.rest.RestTls;
import io.pgquorum.dcs.api.Dcs;
import io.pgquorum.dcs.planted.PlantedBugs;
import io.pgquorum.dcs.ratis.DcsClientConfig;
import io.pgquorum.dcs.ratis.DcsServer;
import io.pgquorum.dcs.ratis.DcsServerConfig;
import io.pgquorum.dcs.ratis.DcsTuning;
import io.pgquorum.dcs.ratis.LeaseRefreshMode;
import io.pgquorum.dcs.ratis.PeerAddress;
import io.pgquorum.dcs.ratis.RatisDcsClient;
import io.pgquorum.dcs.ratis.TlsFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
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
 * same configuration re-adopts it, leader lease included: each start is a new {@link NodeIncarnation} that owns
 * this start's leases and may take over those of earlier starts on this node. A daemon with this node's name
 * elsewhere is refused ({@link UniqueNameCheck}) and can never use its leases. {@link #close()} stops PostgreSQL
 * and hands over leadership.
 *
 * <p>Unless {@code watchdog.mode} is off, the node also runs a lease watchdog process ({@link WatchdogProcess}),
 * which stops PostgreSQL at the lease deadline when this JVM is frozen or dead. After {@link #halt()} or a crash
 * it still does so if a lease was live: a node restarted within the lease may see its PostgreSQL stopped once
 * by the old watchdog, and starts it again.
 */
public final class PgQuorumNode implements AutoCloseable, RunningNode {
  private static final Logger log = LoggerFactory.getLogger(PgQuorumNode.class);

  private final NodeConfig config;
  private final DcsServer dcsServer;
  private final Dcs dcs;
  private final NodeIncarnation incarnation;
  private final AtomicReference<String> duplicate;
  private final Postgres postgres;
  private final RestServer rest;
  private final LeaseGuard guard;
  private final Optional<WatchdogProcess> watchdog;
  private final HaLoop loop;
  private final Thread loopThread;
  private final AtomicReference<NodeStatus> status;
  private volatile boolean closed;
  /** The local-PostgreSQL admin part (restart, reload, reinitialize): SIGHUP reloads through it. */
  private LocalAdmin local;
  /** pgbackrest info every backrest.info_interval, off the loop; empty without a backrest section. */
  private Optional<RepositoryProbe> repositoryProbe = Optional.empty();
  /** Told every status the loop publishes, on the loop's thread: each must return at once ({@link #onStatus}). */
  private final List<Consumer<NodeStatus>> statusListeners;

  private PgQuorumNode(NodeConfig config, DcsServer dcsServer, Dcs dcs, NodeIncarnation incarnation,
      Postgres postgres, RestServer rest, LeaseGuard guard, Optional<WatchdogProcess> watchdog, HaLoop loop,
      Thread loopThread, AtomicReference<NodeStatus> status, AtomicReference<String> duplicate,
      List<Consumer<NodeStatus>> statusListeners) {
    this.statusListeners = statusListeners;
    this.incarnation = incarnation;
    this.duplicate = duplicate;
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
    WatchdogConfig.Mode mode = bugs.active(HaBug.NO_WATCHDOG) ? WatchdogConfig.Mode.OFF
        : config.watchdog().mode();
    // Decided before anything starts: a required watchdog without setsid is a configuration error.
    WatchdogSetup setup = mode == WatchdogConfig.Mode.OFF
        ? new WatchdogSetup(Optional.empty(), Optional.empty(), Optional.empty(), List.of())
        : WatchdogSetup.decide(config.watchdog(), mode, config.bootstrap().dcs());
    setup.warnings().forEach(w -> log.warn("{}", w));
    setup.refusal().ifPresent(r -> log.error("this node will not take the leader lock: {}", r));
    List<AutoCloseable> started = new ArrayList<>();
    try {
      // Local files first (REST certificates, allowlist, the client TLS for peers): the DCS member may wait a long
      // time for its partners (a member without a log, see DcsServer.start), and a bad certificate must stop the
      // start at once, naming its key.
      RestServer.preflight(config.restapi());
      RestTls.client(config, false);
      DcsServerConfig dcsConfig = dcsServerConfig(config).withPlantedBugs(bugs);
      DcsServer.preflight(dcsConfig);
      // The node lock and this start's incarnation come first: the name check below must tell this node's own
      // earlier starts (whose keys it may adopt) from another daemon with the same name. Both are files in
      // raft.data_dir, which the DCS member's checks ignore (they look at its Raft storage only).
      NodeIncarnation incarnation = NodeIncarnation.claim(config.raft().dataDir(), config.name());
      started.add(incarnation);
      // Before this start's own watchdog is recorded in its place (see PreviousWatchdog).
      Optional<ProcessHandle> previousWatchdog = PreviousWatchdog.find(config.raft().dataDir());
      Duration retry = config.bootstrap().dcs().retryTimeout();
      Duration peerTimeout = TimeUnits.min(Duration.ofSeconds(2), retry);
      javax.net.ssl.SSLContext peerTls = RestTls.client(config, false); // ctl.*, else restapi.* (as Patroni)
      java.util.function.Function<RatisDcsClient, ClusterStore> storeOf = c -> {
        ClusterStore s = new ClusterStore(c, new DcsKeys(config.keyPrefix()), config.name(),
            incarnation::isEarlierIncarnation);
        // Never this node's own address: its own REST API answering would read as a live twin.
        s.livenessProbe(url -> !url.equals(config.restapi().apiUrl())
            && PeerClient.fetchAll(Map.of(config.name(), url), peerTimeout, peerTls).stream()
                .anyMatch(PeerView::reachable));
        return s;
      };
      if (!dcsConfig.partners().isEmpty()) {
        // Before this node's DCS member starts: a duplicate must be refused before it can touch the DCS group
        // (a member that joins or founds changes the group's membership). Asked through the partners only.
        try (RatisDcsClient partners = RatisDcsClient.connect(dcsClientConfig(dcsConfig, dcsConfig.partners(),
            null, retry, bugs), incarnation.ownerId())) {
          // Whether any partner runs the group is asked alongside the read: on a cluster's first start none does,
          // and the check then need not wait out its budget (UniqueNameCheck says why that is sound). Half a
          // second per call is ample on a LAN; a partner that answers later counts as "may run it" (the budget
          // applies, as before).
          UniqueNameCheck.atStart(storeOf.apply(partners), config.name(), retry.multipliedBy(2),
              () -> DcsServer.noPartnerRunsTheGroup(dcsConfig, Duration.ofMillis(500)));
        }
      }
      DcsServer server = DcsServer.start(dcsConfig);
      started.add(server);
      // Partners first: the client's first request goes to the first member, and this member may not be in the
      // group yet (a new or misconfigured node), when only the partners can point at the Raft leader.
      RatisDcsClient client = RatisDcsClient.connect(dcsClientConfig(server.config(),
          partnersFirst(server.config().initialMembers(), server.config().self()), server.config().self(), retry,
          bugs), incarnation.ownerId());
      started.add(client);
      ClusterStore store = storeOf.apply(client);
      store.localWatch(server::watchLocal); // the HA loop's wake-ups wait on this node's own member
      if (dcsConfig.partners().isEmpty()) {
        // A single-member group: no one to ask before the member started. Before the REST API, the watchdog and
        // the HA loop, so a refused duplicate has written and started nothing.
        // Its own member just started: an election may be under way, so the budget applies.
        UniqueNameCheck.atStart(store, config.name(), retry.multipliedBy(2), Optional::empty);
      }
      HeldLease lease = new HeldLease();
      AtomicReference<NodeStatus> status = new AtomicReference<>();
      List<Consumer<NodeStatus>> statusListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
      // Cluster-wide settings come from the snapshot the loop last published (no DCS read of its own); before
      // the first cycle, or without a config key, LocalPostgres falls back to bootstrap.dcs.
      // PostgreSQL is started or promoted as primary only under the lease (LocalPostgres' PrimaryGate).
      LocalPostgres postgres = new LocalPostgres(config, () -> Optional.ofNullable(status.get())
          .flatMap(NodeStatus::cluster).flatMap(c -> c.config()).map(v -> v.value()).orElse(null),
          () -> lease.validAt(System.nanoTime()));
      postgres.plantedBugs(bugs); // before the first probe (initialStatus)
      status.set(initialStatus(config, postgres, bugs));
      AtomicReference<HaLoop> loopRef = new AtomicReference<>();
      // One part per area (NodeAdmin): switchover and failover, the dynamic configuration, this node's PostgreSQL.
      AtomicReference<io.pgquorum.coordinator.ha.OperatorRequests> requests = new AtomicReference<>();
      LocalAdmin local = new LocalAdmin(config, postgres, requests::get, status::get);
      io.pgquorum.coordinator.ha.BackupJob backups = io.pgquorum.coordinator.ha.BackupJob.of(config.backrest(),
          io.pgquorum.coordinator.postgres.BackrestFiles.layout(config),
          io.pgquorum.coordinator.postgres.BackrestFiles.libpqEnv(config));
      BackupAdmin backupAdmin = new BackupAdmin(backups, config.backrest().map(b -> new io.pgquorum.backrest.run
          .BackrestRunner(b, io.pgquorum.coordinator.postgres.BackrestFiles.layout(config),
          io.pgquorum.coordinator.postgres.BackrestFiles.libpqEnv(config))), status::get);
      Optional<RepositoryProbe> repoProbe = config.backrest().map(b -> new RepositoryProbe(
          new io.pgquorum.backrest.run.BackrestRunner(b, io.pgquorum.coordinator.postgres.BackrestFiles.layout(config),
              io.pgquorum.coordinator.postgres.BackrestFiles.libpqEnv(config))::info,
          java.time.Clock.systemUTC(), config.name()).start(b.infoInterval()));
      repoProbe.ifPresent(started::add);
      NodeAdmin admin = new NodeAdmin(new SwitchoverAdmin(store,
          urls -> toMap(PeerClient.fetchAll(urls, peerTimeout, peerTls)),
          () -> Optional.ofNullable(loopRef.get()).ifPresent(HaLoop::wake), System::nanoTime,
          SwitchoverAdmin.POLL),
          new ConfigAdmin(store, () -> Optional.ofNullable(loopRef.get()).ifPresent(HaLoop::wake)), local,
          backupAdmin);
      // Health checks judge the lease by its current deadline: the keeper may have moved it since the last cycle.
      RestServer rest = RestServer.start(config.restapi(), () -> lease.current(status.get()), admin);
      started.add(rest);
      // The Raft figures come from the member's published sample: /metrics never calls into Ratis.
      NodeMetrics metrics = new NodeMetrics(server::stats);
      metrics.countLeaderLocalRefreshes(client::leaderLocalRefreshes);
      rest.useMetrics(metrics);
      LeaseGuard guard = new LeaseGuard(lease, () -> fence(postgres, lease, bugs, "the lease deadline passed",
          metrics, NodeMetrics.FenceReason.LEASE_DEADLINE),
          System::nanoTime, config.name());
      started.add(guard);
      Optional<WatchdogProcess> watchdog = Optional.empty();
      if (mode != WatchdogConfig.Mode.OFF) {
        WatchdogProcess w = startWatchdog(config, mode, setup, () -> {
          // Only a lease holder demotes: a replica has nothing the watchdog would fence.
          if (mode == WatchdogConfig.Mode.REQUIRED && lease.deadlineNanos().isPresent()) {
            log.error("demoting: watchdog.mode is required and the watchdog process died");
            lease.clear();
            fence(postgres, lease, bugs, "watchdog.mode is required and the watchdog process died", metrics,
                NodeMetrics.FenceReason.WATCHDOG_LOST);
            Optional.ofNullable(loopRef.get()).ifPresent(HaLoop::wake);
          }
        });
        started.add(w);
        watchdog = Optional.of(w);
        if (!bugs.active(HaBug.SKIP_DEMOTE_ON_LOST_LEASE)) {
          // PLANTED BUG hook: with skip-demote-on-lost-lease the watchdog is never told about the lease.
          lease.setListener(new PreviousWatchdog(previousWatchdog, w, w::ready));
        }
      } else {
        lease.setListener(new PreviousWatchdog(previousWatchdog, LeaseListener.NONE, () -> true));
      }
      Optional<WatchdogProcess> wd = watchdog;
      java.util.concurrent.atomic.AtomicLong recordedWatchdog = new java.util.concurrent.atomic.AtomicLong();
      DcsTimeoutFollower dcsTimeout = new DcsTimeoutFollower(config.bootstrap().dcs(), retry,
          client::setOperationTimeout);
      io.pgquorum.coordinator.ha.StanzaJob backrest = io.pgquorum.coordinator.ha.StanzaJob.of(config.backrest(),
          io.pgquorum.coordinator.postgres.BackrestFiles.layout(config),
          io.pgquorum.coordinator.postgres.BackrestFiles.libpqEnv(config));
      TaskRunner tasks = new TaskRunner(config.name());
      HaLoop loop = new HaLoop(config, store, postgres, lease, tasks,
          urls -> toMap(PeerClient.fetchAll(urls, peerTimeout, peerTls)), System::nanoTime,
          s -> {
            status.set(s.withWatchdog(wd.map(WatchdogProcess::describe).orElse("off"))
                .withBackrest(backrestState(backrest, backups)).withWaitingForOperator(postgres.waitingForOperator())
                .withReplicaCreation(postgres.lastReplicaCreation())
                .withRepository(repoProbe.flatMap(RepositoryProbe::health))
                .withFailsafeActive(Optional.ofNullable(loopRef.get()).map(l -> l.failsafe().active()).orElse(false)));
            dcsTimeout.accept(s);
            NodeStatus published = status.get();
            for (Consumer<NodeStatus> l : statusListeners) {
              try {
                l.accept(published);
              } catch (RuntimeException e) {
                log.warn("a status listener failed (ignored): {}", e.toString());
              }
            }
            long pid = wd.flatMap(WatchdogProcess::pid).orElse(0L);
            if (pid != 0 && recordedWatchdog.getAndSet(pid) != pid) {
              ProcessHandle.of(pid).ifPresent(h -> PreviousWatchdog.record(config.raft().dataDir(), h));
            }
          }, bugs,
          setup.mayHoldLease(mode, wd));
      loop.useMetrics(metrics);
      loop.useBackrest(backrest);
      loop.useBackups(backups);
      // Failsafe mode: the REST API records the promises this node gives; the loop asks its peers for theirs.
      rest.useFailsafe(loop.failsafe());
      loop.useFailsafeAsker(new io.pgquorum.coordinator.rest.FailsafeClient(peerTimeout,
          config.restapi().authentication(), peerTls,
          "postgres://" + config.postgresql().connectAddress() + "/postgres", config.restapi().apiUrl()));
      // Raft leadership off the primary's node (DcsLeadershipRules): sampled locally each cycle, moved in the
      // background.
      DcsHandOff handOff = new DcsHandOff(client);
      loop.useDcsLeadership(() -> {
        DcsServer.Leadership l = server.leadership();
        return new io.pgquorum.coordinator.ha.DcsLeadership(l.leader(), l.reachableVoters(), handOff.failedAtNanos());
      });
      loop.useDcsHandOff(handOff);
      loopRef.set(loop);
      requests.set(loop.requests());
      // When the loop ends on its own (a crash, a fatal decision, a confirmed duplicate) the process exits and nothing
      // refreshes the lease any more: a primary must not outlive it, whether or not a watchdog runs.
      Runnable fenceIfPrimary = () -> {
        boolean primary;
        try {
          primary = lease.deadlineNanos().isPresent() || postgres.probe().isPrimary();
        } catch (RuntimeException | Error e) {
          primary = true; // cannot tell: fence
        }
        if (primary) {
          log.error("fencing: stopping PostgreSQL (immediate) because the HA loop stopped");
          lease.clear();
          fence(postgres, lease, bugs, "the HA loop stopped", metrics, NodeMetrics.FenceReason.HA_LOOP_STOPPED);
        }
      };
      AtomicReference<String> duplicate = new AtomicReference<>();
      store.onConfirmedDuplicate(e -> {
        // Another daemon with this name is alive (its REST API answered, or it keeps writing its key): stop, as
        // the start-up check would have refused to start.
        if (duplicate.compareAndSet(null, "Can't run; " + e.getMessage())) {
          log.error("stopping: {}", duplicate.get());
          fenceIfPrimary.run();
          loop.halt();
        }
      });
      loop.onCrash(fenceIfPrimary);
      Thread loopThread = new Thread(loop, "ha-loop-" + config.name());
      guard.start();
      loopThread.start();
      log.info("pgquorum node {} of cluster {} started: incarnation {}, DCS member {}, REST API on port {}, "
          + "watchdog {}", config.name(), config.scope(), incarnation.ownerId(), server.memberId(), rest.port(),
          mode.configName());
      PgQuorumNode node = new PgQuorumNode(config, server, client, incarnation, postgres, rest, guard, watchdog,
          loop, loopThread, status, duplicate, statusListeners);
      node.local = local;
      node.repositoryProbe = repoProbe;
      return node;
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

  /** The node's DCS client settings: a DCS call may take at most retry_timeout (the ttl budget). */
  private static DcsClientConfig dcsClientConfig(DcsServerConfig server, List<PeerAddress> members,
      PeerAddress local, Duration retry, PlantedBugs bugs) {
    return DcsClientConfig.builder()
        .groupName(server.groupName())
        .members(members)
        .localMember(local)
        .tls(server.tls().orElse(null))
        .operationTimeout(retry)
        .requestTimeout(retry.dividedBy(2))
        .leaseRefresh(server.tuning().leaseRefresh())
        .plantedBugs(bugs)
        .build();
  }

  static List<PeerAddress> partnersFirst(List<PeerAddress> members, PeerAddress self) {
    List<PeerAddress> ordered = new ArrayList<>(members);
    if (ordered.remove(self)) {
      ordered.add(self);
    }
    return ordered;
  }

  /**
   * Where {@code POST /reload} and {@link #reload()} re-read this node's configuration (the file the daemon was
   * started with, and the environment); without one, a reload rewrites PostgreSQL's configuration from the
   * configuration given at start.
   */
  public void rereadConfigurationFrom(java.util.function.Supplier<NodeConfig> source) {
    local.rereadFrom(source);
  }

  /**
   * Reloads as {@code POST /reload} does (SIGHUP): re-reads the configuration, refuses it with every problem named
   * if invalid (the configuration in force stays), then has the loop rewrite PostgreSQL's configuration and reload.
   *
   * @return the answer: "reload scheduled", or why the file was refused
   */
  public String reload() {
    return local.reload().body();
  }

  /**
   * The in-JVM fence (LeaseGuard, required-watchdog loss): the fencing procedure through the start/fence gate,
   * which returns once PostgreSQL is verifiably gone and no primary start is in flight; only then is the watchdog
   * told (disarmed when no lease is held). Interrupted (the node closes): returns without disarming.
   */
  private static void fence(LocalPostgres postgres, HeldLease lease, PlantedBugs bugs, String why,
      NodeMetrics metrics, NodeMetrics.FenceReason reason) {
    if (bugs.active(HaBug.SKIP_DEMOTE_ON_LOST_LEASE)) {
      // PLANTED BUG (test harness only): the expired lease is not enforced.
      log.warn("PLANTED BUG {}: not stopping PostgreSQL", HaBug.SKIP_DEMOTE_ON_LOST_LEASE.id());
      return;
    }
    metrics.fenced(reason);
    try {
      log.warn("fenced: {}", postgres.gate().fence(why).describe());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    lease.postgresStopped();
  }

  private static WatchdogProcess startWatchdog(NodeConfig config, WatchdogConfig.Mode mode, WatchdogSetup setup,
      Runnable onLost) {
    List<String> argv = WatchdogProcess.command(setup.setsid(), config.postgresql().binDir().resolve("pg_ctl"),
        config.postgresql().dataDir(), config.name(), config.postgresql().pgCtlTimeout(), setup.device());
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
        Optional.empty(), "starting", config.tags(), Instant.now(), System.nanoTime(), 0,
        java.util.OptionalLong.empty(), java.util.OptionalLong.empty(), "", bugs.ids());
  }

  static DcsServerConfig dcsServerConfig(NodeConfig config) {
    return dcsServerConfig(config.scope(), config.raft());
  }

  /** The DCS member of the Raft group {@code scope} that {@code raft} describes (a node's, or a witness's). */
  static DcsServerConfig dcsServerConfig(String scope, RaftConfig raft) {
    DcsServerConfig.Builder b = DcsServerConfig.builder()
        .groupName(scope)
        .selfAddr(raft.selfAddr())
        .partnerAddrs(raft.partnerAddrs())
        .dataDir(raft.dataDir())
        .insecure(raft.insecure())
        .joining(raft.join())
        // Raft's usual randomisation: each wait between the timeout and twice it (Ratis draws uniformly).
        .tuning(DcsTuning.defaults().withLeaseRefresh(leaseRefreshMode(raft))
            .withElectionTimeout(raft.electionTimeout(), raft.electionTimeout().multipliedBy(2)));
    raft.bindAddr().ifPresent(b::bindAddr);
    raft.tls().ifPresent(t -> b.tls(new TlsFiles(t.certfile(), t.keyfile(), t.cafile())));
    return b.build();
  }

  /** {@code raft.lease_refresh} as the DCS knows it; the member and this node's client use the same mode. */
  static LeaseRefreshMode leaseRefreshMode(RaftConfig raft) {
    return raft.leaseRefresh() == RaftConfig.LeaseRefresh.DURABLE ? LeaseRefreshMode.DURABLE
        : LeaseRefreshMode.LEADER_LOCAL;
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

  /**
   * Calls {@code listener} with every status the HA loop publishes (about once per cycle), on the loop's thread:
   * it must return at once (hand the work to a thread of its own), and an exception it throws is logged and
   * ignored. For the embedding API ({@code io.pgquorum.coordinator.api}).
   */
  public void onStatus(Consumer<NodeStatus> listener) {
    statusListeners.add(java.util.Objects.requireNonNull(listener));
  }

  /** Stops calling {@code listener}. */
  public void removeStatusListener(Consumer<NodeStatus> listener) {
    statusListeners.remove(listener);
  }

  /** The watchdog process's PID, when one runs (for tests and diagnostics). */
  public Optional<Long> watchdogPid() {
    return watchdog.flatMap(WatchdogProcess::pid);
  }

  /** The REST API's bound port. */
  public int restPort() {
    return rest.port();
  }

  /**
   * The reason the node stopped on its own (a fatal decision such as a system-identifier mismatch, or another
   * running daemon with this name), if any.
   */
  public Optional<String> fatalReason() {
    return Optional.ofNullable(duplicate.get()).or(loop::fatalReason);
  }

  /** The owner id of this start's DCS leases ({@code <name>@<node-id>#<n>}). */
  public String incarnation() {
    return incarnation.ownerId();
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
    repositoryProbe.ifPresent(RepositoryProbe::close);
    rest.close();
    dcs.close();
    dcsServer.close();
    incarnation.close();
    log.info("pgquorum node {} stopped", config.name());
  }

  /** {@code pgquorum.backrest} in {@code /patroni}: the stanza's state, and the backup job's under {@code backup}. */
  private static java.util.Map<String, Object> backrestState(io.pgquorum.coordinator.ha.StanzaJob stanza,
      io.pgquorum.coordinator.ha.BackupJob backups) {
    java.util.Map<String, Object> m = new java.util.LinkedHashMap<>(stanza.describe());
    if (!m.isEmpty() && backups.plan().isPresent()) {
      m.put("backup", backups.describe());
    }
    return m;
  }
}
