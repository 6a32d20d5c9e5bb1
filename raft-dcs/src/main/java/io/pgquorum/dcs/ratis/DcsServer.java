package io.pgquorum.dcs.ratis;

import io.pgquorum.dcs.api.DcsConfigException;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of the DCS Raft group, hosting the key-value state machine over Ratis gRPC.
 *
 * <pre>{@code
 * DcsServer member = DcsServer.start(DcsServerConfig.builder()
 *     .groupName("demo").selfAddr("127.0.0.1:7001")
 *     .partnerAddrs(List.of("127.0.0.1:7002", "127.0.0.1:7003"))
 *     .dataDir(Path.of("/var/lib/pgquorum/raft")).build());
 * Dcs dcs = member.localClient("node1");   // leases created through it are owned by "node1"
 * }</pre>
 *
 * <p>Restart: starting again with the same data dir recovers the log and the latest snapshot.
 */
public final class DcsServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DcsServer.class);

  private final DcsServerConfig config;
  private final RaftGroupId groupId;
  private final RaftServer server;
  private final DcsStateMachine stateMachine;
  private final ScheduledExecutorService timer;

  private DcsServer(DcsServerConfig config, RaftGroupId groupId, RaftServer server, DcsStateMachine sm,
      ScheduledExecutorService timer) {
    this.config = config;
    this.groupId = groupId;
    this.server = server;
    this.stateMachine = sm;
    this.timer = timer;
  }

  /** Validates the environment (data dir ownership, bind address), then starts the member. */
  public static DcsServer start(DcsServerConfig config) {
    RaftGroupId groupId = RatisSettings.groupId(config.groupName());
    DataDirMarker.claim(config.dataDir(), config.groupName(), config.self().id(), groupId.getUuid().toString());
    checkBindable(config);
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "dcs-" + config.self().id() + "-timer");
      t.setDaemon(true);
      return t;
    });
    if (!config.plantedBugs().isEmpty()) {
      LOG.warn(config.plantedBugs().warning());
    }
    DcsStateMachine sm = new DcsStateMachine(config.tuning().maxClockRateDrift(),
        config.tuning().electionTimeoutMax().toMillis(), timer, config.plantedBugs());
    RaftGroup group = config.joining()
        ? RaftGroup.valueOf(groupId)
        : RaftGroup.valueOf(groupId, config.initialMembers().stream().map(DcsServer::toPeer).toList());
    File storage = config.dataDir().toFile();
    RaftServer server = null;
    try {
      server = RaftServer.newBuilder()
          .setServerId(RaftPeerId.valueOf(config.self().id()))
          .setGroup(group)
          .setStateMachine(sm)
          .setProperties(RatisSettings.server(config, storage))
          .setParameters(RatisSettings.parameters(config))
          // RECOVER formats an empty dir and recovers an existing one; FORMAT fails on restart.
          .setOption(RaftStorage.StartupOption.RECOVER)
          .build();
      server.start();
    } catch (IOException | RuntimeException e) {
      timer.shutdownNow();
      if (server != null) {
        try {
          server.close(); // release ports and threads, so that a corrected retry in this JVM can bind
        } catch (IOException | RuntimeException closing) {
          e.addSuppressed(closing);
        }
      }
      throw new DcsConfigException("DCS member " + config.self() + " failed to start: " + rootMessage(e), e);
    }
    DcsServer member = new DcsServer(config, groupId, server, sm, timer);
    try {
      sm.attach(server.getDivision(groupId));
    } catch (IOException e) {
      member.close();
      throw new DcsConfigException("DCS member " + config.self() + " has no division for its group", e);
    }
    long interval = config.tuning().expiryCheckInterval().toMillis();
    timer.scheduleWithFixedDelay(member::expiryTick, interval, interval, TimeUnit.MILLISECONDS);
    LOG.info("DCS member {} started (group {}, {} initial members, bind {}:{}, tls {})", config.self(),
        config.groupName(), config.initialMembers().size(), config.bindHost(), config.bindPort(),
        config.tls().isPresent() ? "on" : "off");
    return member;
  }

  private void expiryTick() {
    try {
      stateMachine.proposeDueExpiries(server);
    } catch (RuntimeException e) {
      // Never let one failure stop the periodic task (a scheduled task that throws is cancelled).
      LOG.warn("Lease expiry check failed: {}", e.toString());
    }
  }

  /** Fails with the bind address in the message, before Ratis would fail with a less helpful one. */
  private static void checkBindable(DcsServerConfig config) {
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(config.bindHost(), config.bindPort()));
    } catch (IOException e) {
      throw new DcsConfigException("raft.bind_addr " + config.bindHost() + ":" + config.bindPort()
          + " cannot be bound: " + e.getMessage()
          + " (is the address on this host, and is the port free and not privileged?)", e);
    }
  }

  static RaftPeer toPeer(PeerAddress p) {
    return RaftPeer.newBuilder().setId(p.id()).setAddress(p.address()).build();
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + t + ")";
  }

  public DcsServerConfig config() {
    return config;
  }

  public String memberId() {
    return config.self().id();
  }

  /** A client of this group whose local reads are answered by this member and whose leases belong to owner. */
  public RatisDcsClient localClient(String ownerId) {
    return RatisDcsClient.connect(DcsClientConfig.builder()
        .groupName(config.groupName())
        .members(config.initialMembers())
        .localMember(config.self())
        .tls(config.tls().orElse(null))
        .plantedBugs(config.plantedBugs())
        .build(), ownerId);
  }

  /** True while this member is the Raft leader. Never gate PostgreSQL decisions on it: not exclusive. */
  public boolean isLeader() {
    try {
      RaftServer.Division d = server.getDivision(groupId);
      return d.getInfo().isLeader() && d.getInfo().isAlive();
    } catch (IOException e) {
      return false;
    }
  }

  /** The members of the group's current configuration as this member knows it. */
  public List<String> currentMembers() {
    try {
      return server.getDivision(groupId).getGroup().getPeers().stream().map(p -> p.getId().toString()).sorted()
          .toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  /** Last Raft index applied to this member's state machine. */
  public long lastAppliedIndex() {
    return stateMachine.lastAppliedIndex();
  }

  /** How long ago this member last had confirmed contact with a majority; empty when unknown. */
  public Optional<Duration> viewAge() {
    long age = stateMachine.viewAgeMillis();
    return age < 0 ? Optional.empty() : Optional.of(Duration.ofMillis(age));
  }

  /** Stops the member. Ratis does not hand over leadership on close; use a client's transferLeadership first. */
  @Override
  public void close() {
    timer.shutdownNow();
    try {
      server.close();
    } catch (IOException e) {
      LOG.warn("DCS member {} did not close cleanly: {}", config.self(), e.toString());
    }
  }
}
