package io.pgquorum.coordinator.node;

import io.pgquorum.coordinator.cluster.ClusterStore;
import io.pgquorum.coordinator.cluster.DcsKeys;
import io.pgquorum.coordinator.config.ConfigException;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.coordinator.config.RaftConfig;
import io.pgquorum.coordinator.ha.HaLoop;
import io.pgquorum.coordinator.ha.LeaseGuard;
import io.pgquorum.coordinator.ha.LeaseState;
import io.pgquorum.coordinator.ha.NodeStatus;
import io.pgquorum.coordinator.ha.TaskRunner;
import io.pgquorum.coordinator.postgres.LocalPostgres;
import io.pgquorum.coordinator.postgres.PgState;
import io.pgquorum.coordinator.postgres.Postgres;
import io.pgquorum.coordinator.postgres.StopMode;
import io.pgquorum.coordinator.rest.AdminActions;
import io.pgquorum.coordinator.rest.PeerClient;
import io.pgquorum.coordinator.rest.RestServer;
import io.pgquorum.dcs.api.Dcs;
import io.pgquorum.dcs.ratis.DcsClientConfig;
import io.pgquorum.dcs.ratis.DcsServer;
import io.pgquorum.dcs.ratis.DcsServerConfig;
import io.pgquorum.dcs.ratis.RatisDcsClient;
import io.pgquorum.dcs.ratis.TlsFiles;
import java.time.Duration;
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
 */
public final class PgQuorumNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PgQuorumNode.class);

  private final NodeConfig config;
  private final DcsServer dcsServer;
  private final Dcs dcs;
  private final Postgres postgres;
  private final RestServer rest;
  private final LeaseGuard guard;
  private final HaLoop loop;
  private final Thread loopThread;
  private final AtomicReference<NodeStatus> status;
  private volatile boolean closed;

  private PgQuorumNode(NodeConfig config, DcsServer dcsServer, Dcs dcs, Postgres postgres, RestServer rest,
      LeaseGuard guard, HaLoop loop, Thread loopThread, AtomicReference<NodeStatus> status) {
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
    refuseRoot(new com.sun.security.auth.module.UnixSystem().getUid());
    for (String w : config.warnings()) {
      log.warn("configuration: {}", w);
    }
    List<AutoCloseable> started = new ArrayList<>();
    try {
      DcsServer server = DcsServer.start(dcsServerConfig(config));
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
          .build(), config.name());
      started.add(client);
      ClusterStore store = new ClusterStore(client, new DcsKeys(config.keyPrefix()), config.name());
      LeaseState lease = new LeaseState();
      AtomicReference<NodeStatus> status = new AtomicReference<>();
      // Cluster-wide settings come from the snapshot the loop last published (no DCS read of its own); before
      // the first cycle, or without a config key, LocalPostgres falls back to bootstrap.dcs.
      Postgres postgres = new LocalPostgres(config, () -> Optional.ofNullable(status.get())
          .flatMap(NodeStatus::cluster).flatMap(c -> c.config()).map(v -> v.value()).orElse(null));
      status.set(initialStatus(config, postgres));
      RestServer rest = RestServer.start(config.restapi(), status::get, AdminActions.unsupported());
      started.add(rest);
      LeaseGuard guard = new LeaseGuard(lease, () -> postgres.stop(StopMode.IMMEDIATE), System::nanoTime,
          config.name());
      started.add(guard);
      TaskRunner tasks = new TaskRunner(config.name());
      Duration peerTimeout = Duration.ofSeconds(Math.min(2, config.bootstrap().dcs().retryTimeout()));
      HaLoop loop = new HaLoop(config, store, postgres, lease, tasks,
          urls -> toMap(PeerClient.fetchAll(urls, peerTimeout)), System::nanoTime, status::set);
      Thread loopThread = new Thread(loop, "ha-loop-" + config.name());
      guard.start();
      loopThread.start();
      log.info("pgquorum node {} of cluster {} started: DCS member {}, REST API on port {}", config.name(),
          config.scope(), server.memberId(), rest.port());
      return new PgQuorumNode(config, server, client, postgres, rest, guard, loop, loopThread, status);
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

  private static Map<String, io.pgquorum.coordinator.ha.PeerView> toMap(
      List<io.pgquorum.coordinator.ha.PeerView> views) {
    Map<String, io.pgquorum.coordinator.ha.PeerView> m = new java.util.LinkedHashMap<>();
    for (var v : views) {
      m.put(v.name(), v);
    }
    return m;
  }

  private static NodeStatus initialStatus(NodeConfig config, Postgres postgres) {
    PgState pg;
    try {
      pg = postgres.probe();
    } catch (RuntimeException e) {
      pg = PgState.stopped(PgState.DataDirState.MISSING);
    }
    return new NodeStatus(config.scope(), config.name(), pg, pg.running() ? "running" : "stopped",
        pg.dataDir() == PgState.DataDirState.INITIALIZED ? "replica" : "uninitialized", false, Optional.empty(),
        Optional.empty(), "starting", config.tags(), Instant.now(), System.nanoTime(), 0);
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
    rest.close();
    dcs.close();
    dcsServer.close();
    log.info("pgquorum node {} stopped", config.name());
  }
}
