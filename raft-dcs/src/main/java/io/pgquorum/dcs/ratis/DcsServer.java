package io.pgquorum.dcs.ratis;

import io.pgquorum.dcs.api.DcsConfigException;
import io.pgquorum.dcs.api.DcsException;
import io.pgquorum.dcs.api.RaftStats;
import io.pgquorum.dcs.api.WatchResult;
import io.pgquorum.dcs.proto.QueryReply;
import io.pgquorum.dcs.statemachine.Codec;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupManagementRequest;
import org.apache.ratis.protocol.RaftClientReply;
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
 * <p>Restart: starting again with the same data dir recovers the log and the latest snapshot. A member whose data
 * dir holds no log is started by {@link MemberBoot}, which never lets a member that lost its log vote again
 * with an empty one.
 */
public final class DcsServer implements AutoCloseable {
  /**
   * The longest pause between two expiry ticks. Why a member may tick this rarely: one that is not the ready Raft
   * leader proposes no expiry; its tick only samples its contact with the leader ({@code
   * DcsStateMachine.observeContact}, sampled again by every read that reports a view age, so a rarer tick can only
   * make a reported age larger, never smaller) and drops proposal bookkeeping. The ready leader ticks when its
   * earliest lease can run out (at once for a lease already due), so an expiry is proposed within a millisecond or
   * two of its run-out instead of up to one check interval after it; and at least this often, so that a lease armed
   * meanwhile is seen: its run-out is a full ttl away (seconds for the coordinator's keys; only a lease with a ttl
   * below this pause could be proposed late, never early). A member that becomes the ready leader ticks at once
   * ({@code notifyLeaderReady}), which re-arms every lease for its term at that moment (LeaseTracker, rule 3); if
   * that tick comes before Ratis reports the leader ready, the next comes at most this pause later and re-arms then:
   * later, so the leases only last longer. A tick every 25 ms on every member cost each follower 40 wake-ups a
   * second and about a sixth of its idle CPU (0.3-0.4 of 2.5 CPU s/min, measured 2026-12-07).
   */
  static final long IDLE_TICK_MS = 250;

  private static final Logger LOG = LoggerFactory.getLogger(DcsServer.class);
  private static final long STATS_INTERVAL_MS = 1000;

  private final DcsServerConfig config;
  private final RaftGroupId groupId;
  private final RaftServer server;
  private final DcsStateMachine stateMachine;
  private final ScheduledExecutorService timer;
  private volatile Registrar registrar;
  /** The last {@link RaftStats} sample; replaced whole, read without a lock (see {@link #stats()}). */
  private volatile RaftStats stats = RaftStats.NONE;

  private DcsServer(DcsServerConfig config, RaftGroupId groupId, RaftServer server, DcsStateMachine sm,
      ScheduledExecutorService timer) {
    this.config = config;
    this.groupId = groupId;
    this.server = server;
    this.stateMachine = sm;
    this.timer = timer;
  }

  /**
   * Validates the environment (data dir ownership, bind address), then starts the member. Blocks while a member
   * with no Raft log finds out how it may start ({@link MemberBoot}): until a majority of the members has
   * answered (a new group), or until a majority of the group without it has answered (an existing group),
   * logging why it waits. Start a new group's members concurrently.
   * Throws {@link DcsConfigException} when it must not start: its log was lost (start it with
   * {@link DcsServerConfig#joining()} to come back as a new member), or it is not a member of the group.
   * Interrupting the calling thread abandons the start.
   */
  /**
   * What {@link #start} checks before it writes or binds anything that needs no network: plaintext member traffic
   * off loopback without {@code raft.insecure} is refused. For callers that talk to the partners before starting
   * the member (a node's start-up checks), so nothing goes over the wire that the member itself would refuse.
   *
   * @throws DcsConfigException naming the address and how to configure TLS
   */
  public static void preflight(DcsServerConfig config) {
    PlaintextGuard.check(config);
  }

  /**
   * Whether none of {@code config}'s partners runs a division of the group now: each, asked directly and in
   * parallel (one attempt, bounded by {@code timeout}), answered that its server has no division of the group, or
   * nothing listens at its address. Then no DCS request through the partners can be answered until some partner
   * starts its member: there is no Raft election under way to wait out, only start-ups. Empty when a partner runs
   * a division or gave no definite answer (silence proves nothing), and when there are no partners.
   *
   * <p>For checks that read the DCS through the partners before this member starts (the coordinator's unique-name
   * check), so that a cluster's first start does not wait out a DCS that cannot exist yet.
   *
   * @return what each partner answered, for a log line
   */
  public static Optional<String> noPartnerRunsTheGroup(DcsServerConfig config, Duration timeout) {
    List<PeerAddress> partners = config.partners();
    if (partners.isEmpty()) {
      return Optional.empty();
    }
    RaftGroupId groupId = RatisSettings.groupId(config.groupName());
    List<GroupProbe.Presence> answers;
    try (GroupProbe probe = new GroupProbe(groupId, partners, config.tls(), timeout)) {
      answers = probe.presenceAll(partners);
    }
    if (answers.stream().anyMatch(a -> a != GroupProbe.Presence.NONE)) {
      return Optional.empty();
    }
    return Optional.of("none of its partners (" + String.join(", ", partners.stream().map(PeerAddress::toString)
        .toList()) + ") runs a member of DCS group '" + config.groupName() + "' yet");
  }

  public static DcsServer start(DcsServerConfig config) {
    RaftGroupId groupId = RatisSettings.groupId(config.groupName());
    PlaintextGuard.check(config); // before anything is written or bound
    String uuid = groupId.getUuid().toString();
    DataDirMarker.claim(config.dataDir(), config.groupName(), config.self().id(), uuid);
    checkBindable(config);
    MemberStorage.State storage = MemberStorage.inspect(config.dataDir(), uuid);
    if (storage == MemberStorage.State.UNFORMATTED) {
      // Ratis would format it (or refuse to start); it holds no usable Raft state either way.
      Path moved = MemberStorage.moveAside(config.dataDir(), uuid, "unformatted");
      LOG.warn("DCS member {}: {} was never fully formatted; moved aside to {}", config.self(),
          MemberStorage.groupDir(config.dataDir(), uuid), moved);
      storage = MemberStorage.State.ABSENT;
    } else if (storage == MemberStorage.State.BLANK && config.joining()) {
      // Formatted by an interrupted join (no entry ever reached it): join afresh. Its term and vote do not
      // matter: it was never a voter of the group (a member becomes one only after the leader filled its log).
      Path moved = MemberStorage.moveAside(config.dataDir(), uuid, "blank");
      LOG.info("DCS member {}: raft.join with an unused Raft directory; moved it aside to {}", config.self(), moved);
      storage = MemberStorage.State.ABSENT;
    }
    boolean recover = storage != MemberStorage.State.ABSENT;
    if (recover && config.joining()) {
      LOG.warn("DCS member {}: raft.join is ignored: raft.data_dir = '{}' holds this member's Raft log, so it "
          + "starts from it as before (raft.join only acts on an empty raft.data_dir)", config.self(),
          config.dataDir());
    }
    if (recover) {
      // Its own log: it is (or was) a member, and resumes with what it acknowledged.
      DataDirMarker.setPhase(config.dataDir(), DataDirMarker.Phase.VOTER);
    }
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "dcs-" + config.self().id() + "-timer");
      t.setDaemon(true);
      return t;
    });
    if (!config.plantedBugs().isEmpty()) {
      LOG.warn(config.plantedBugs().warning());
    }
    DcsStateMachine sm = new DcsStateMachine(config.tuning().maxClockRateDrift(),
        config.tuning().electionTimeoutMax().toMillis(), config.tuning().leaseRefresh(), timer,
        config.plantedBugs());
    File storageDir = config.dataDir().toFile();
    RaftServer server = null;
    MemberBoot.Outcome outcome = MemberBoot.Outcome.FOUNDER;
    try {
      RaftServer.Builder builder = RaftServer.newBuilder()
          .setServerId(RaftPeerId.valueOf(config.self().id()))
          // One state machine, for this group only: a division of any other group added from outside fails.
          .setStateMachineRegistry(gid -> {
            if (!gid.equals(groupId)) {
              throw new IllegalArgumentException("this DCS member serves group " + config.groupName() + " only");
            }
            return sm;
          })
          .setProperties(RatisSettings.server(config, storageDir))
          .setParameters(RatisSettings.parameters(config))
          // RECOVER recovers the existing log. It would also format an empty directory, which is why a member
          // without a log never gets here with its group: it starts with no division and MemberBoot decides.
          .setOption(RaftStorage.StartupOption.RECOVER);
      if (recover) {
        builder.setGroup(RaftGroup.valueOf(groupId,
            config.initialMembers().stream().map(DcsServer::toPeer).toList()));
      }
      server = builder.build();
      server.start();
      if (!recover) {
        RaftServer bare = server;
        outcome = new MemberBoot(config, groupId, new MemberBoot.LocalServer() {
          @Override
          public boolean hasDivision() {
            return hasGroup(bare, groupId);
          }

          @Override
          public void addDivision(RaftGroup group) throws IOException {
            addLocalDivision(bare, group);
          }
        }).run();
      }
    } catch (IOException | RuntimeException e) {
      timer.shutdownNow();
      if (server != null) {
        try {
          server.close(); // release ports and threads, so that a corrected retry in this JVM can bind
        } catch (IOException | RuntimeException closing) {
          e.addSuppressed(closing);
        }
      }
      if (e instanceof DcsException dcs) {
        throw dcs; // already says what happened and what to do
      }
      throw new DcsConfigException("DCS member " + config.self() + " failed to start: " + rootMessage(e), e);
    }
    DcsServer member = new DcsServer(config, groupId, server, sm, timer);
    RaftServer.Division division;
    try {
      division = server.getDivision(groupId);
      // Confirms leader-local refreshes and, in every mode, linearizable reads (DcsStateMachine.confirmedRead).
      // A member's term answer older than one election timeout is no use to a waiting refresh (it then takes the
      // durable path) or read (the client asks again), well inside the client's operation timeout.
      sm.attach(division, new TermPoll(groupId, config.tls(), config.tuning().electionTimeoutMax()));
    } catch (IOException e) {
      member.close();
      throw new DcsConfigException("DCS member " + config.self() + " has no division for its group", e);
    }
    // A member that becomes the ready leader ticks at once: the tick re-arms every lease for its term (rule 3)
    // and puts it on the leader's pace. Handed to the timer: Ratis calls this on its own thread under its locks.
    sm.onLeaderReady(() -> member.submitTick(member::expiryTick, 0));
    member.scheduleExpiryTick(config.tuning().expiryCheckInterval().toMillis());
    member.sampleStats();
    // Once a second: a scrape every 10 s or more sees values at most a second old, and a sample is cheap (local
    // reads and one directory listing, on the timer thread, never on the caller's).
    timer.scheduleWithFixedDelay(member::sampleStats, STATS_INTERVAL_MS, STATS_INTERVAL_MS, TimeUnit.MILLISECONDS);
    member.registrar = new Registrar(config,
        division.getRaftConf().getCurrentPeers().stream().map(GroupProbe::toAddress).toList(),
        member::isVoter, !recover && outcome == MemberBoot.Outcome.FOUNDER ? "founder" : "running");
    member.registrar.start();
    LOG.info("DCS member {} started (group {}, {}, {} initial members, bind {}:{}, tls {})", config.self(),
        config.groupName(), recover ? "from its log" : describe(outcome), config.initialMembers().size(),
        config.bindHost(), config.bindPort(), config.tls().isPresent() ? "on" : "off");
    return member;
  }

  private static String describe(MemberBoot.Outcome outcome) {
    return switch (outcome) {
      case FOUNDER -> "founding member of a new group";
      case LATE_FOUNDER -> "founding member joining its group late";
      case JOINED -> "joined as a new member";
      case ADDED_BY_OPERATOR -> "added by an operator";
    };
  }

  private static boolean hasGroup(RaftServer server, RaftGroupId groupId) {
    for (RaftGroupId id : server.getGroupIds()) {
      if (id.equals(groupId)) {
        return true;
      }
    }
    return false;
  }

  /** Creates and starts a division on our own server, as an operator's group-add request would. */
  private static void addLocalDivision(RaftServer server, RaftGroup group) throws IOException {
    RaftClientReply reply = server.groupManagement(GroupManagementRequest.newAdd(ClientId.randomId(),
        server.getId(), 0, group, false));
    if (!reply.isSuccess()) {
      throw reply.getException() != null ? reply.getException()
          : new IOException("adding the division of " + group.getGroupId() + " failed");
    }
  }

  /** Whether this member is a voter of the configuration its division knows. */
  boolean isVoter() {
    try {
      return server.getDivision(groupId).getRaftConf().getCurrentPeers().stream()
          .anyMatch(p -> p.getId().toString().equals(config.self().id()));
    } catch (IOException e) {
      return false;
    }
  }

  private void sampleStats() {
    try {
      stats = RaftStatsSampler.sample(server.getDivision(groupId));
    } catch (IOException | RuntimeException e) {
      // Never let one failure stop the periodic task; the previous sample stays published.
      LOG.debug("Raft statistics sample failed: {}", e.toString());
    }
  }

  private void expiryTick() {
    try {
      stateMachine.proposeDueExpiries(server);
    } catch (RuntimeException e) {
      // Never let one failure stop the periodic task (a scheduled task that throws is cancelled).
      LOG.warn("Lease expiry check failed: {}", e.toString());
    }
  }

  /**
   * Runs the expiry tick after {@code delayMs} and then again: on the ready Raft leader when the earliest lease can
   * run out, after {@link DcsTuning#expiryCheckInterval} while an expiry proposal is pending, and at most
   * {@link #IDLE_TICK_MS} later in any case; on any other member after {@link #IDLE_TICK_MS}.
   */
  private void scheduleExpiryTick(long delayMs) {
    submitTick(() -> {
      expiryTick();
      long next = IDLE_TICK_MS;
      try {
        next = nextTickDelayMs();
      } finally {
        // Whatever happened, the chain goes on: a leader whose ticks stopped would never expire a dead owner's lease.
        scheduleExpiryTick(next);
      }
    }, delayMs);
  }

  private long nextTickDelayMs() {
    if (!stateMachine.isReadyLeader()) {
      return IDLE_TICK_MS;
    }
    OptionalLong untilDue = stateMachine.nanosToNextExpiry();
    if (untilDue.isEmpty()) {
      return IDLE_TICK_MS;
    }
    if (untilDue.getAsLong() == 0) {
      return config.tuning().expiryCheckInterval().toMillis(); // a proposal pending, or one due now
    }
    // Rounded up: a tick a little early finds nothing due and comes back for the rest.
    long ms = TimeUnit.NANOSECONDS.toMillis(untilDue.getAsLong() + 999_999);
    return Math.min(IDLE_TICK_MS, Math.max(1, ms));
  }

  private void submitTick(Runnable tick, long delayMs) {
    try {
      timer.schedule(tick, delayMs, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closing) {
      // The member is closing (its timer shut down): there is nothing left to expire or sample.
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
        .leaseRefresh(config.tuning().leaseRefresh())
        .plantedBugs(config.plantedBugs())
        .build(), ownerId);
  }

  /** This member's Ratis division (tests in this package). */
  RaftServer.Division division() throws IOException {
    return server.getDivision(groupId);
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

  /**
   * Whether this member leads the group now and, if it does, the other voters it heard from within the minimum
   * election timeout (each could take over at once: a leadership transfer to one of them is likely to succeed).
   * Local state only, no RPC: cheap enough to ask on every HA cycle. Like {@link #isLeader()}, never a gate for
   * PostgreSQL decisions: two members can both believe they lead for a moment.
   */
  public Leadership leadership() {
    try {
      RaftServer.Division d = server.getDivision(groupId);
      if (!d.getInfo().isLeader() || !d.getInfo().isAlive()) {
        return new Leadership(false, List.of());
      }
      long recentMs = config.tuning().electionTimeoutMin().toMillis();
      java.util.Set<String> voters = new java.util.HashSet<>();
      d.getRaftConf().getCurrentPeers().forEach(p -> voters.add(p.getId().toString()));
      List<String> reachable = d.getInfo().getRoleInfoProto().getLeaderInfo().getFollowerInfoList().stream()
          .filter(f -> f.getLastRpcElapsedTimeMs() < recentMs)
          .map(f -> RaftPeerId.valueOf(f.getId().getId()).toString())
          .filter(id -> voters.contains(id) && !id.equals(memberId()))
          .sorted().toList();
      return new Leadership(true, reachable);
    } catch (IOException e) {
      return new Leadership(false, List.of());
    }
  }

  /**
   * This member's part in the group's leadership: whether it leads, and which other voters it could hand
   * leadership to now ({@link #leadership()}).
   */
  public record Leadership(boolean leader, List<String> reachableVoters) {
    public Leadership {
      reachableVoters = List.copyOf(reachableVoters);
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

  /**
   * The Raft division's figures as last sampled (at most about a second old; {@link RaftStats#NONE} before the
   * first sample). Never blocks and never calls into Ratis: for metrics endpoints.
   */
  public RaftStats stats() {
    return stats;
  }

  /** Last Raft index applied to this member's state machine. */
  public long lastAppliedIndex() {
    return stateMachine.lastAppliedIndex();
  }

  /**
   * Waits until a key under one of {@code prefixes} changes above {@code afterRevision} in what this member has
   * applied, or {@code maxWait} passes. Answered in process from the member's own state: no Raft round, no RPC,
   * no CPU while it waits. For a wake-up hint only, never for a decision: the member may lag the group (a
   * change committed elsewhere shows here once the leader's next append carries its commit index, at once when the
   * leader is not starved, a heartbeat period at worst) or be cut off from it (then nothing wakes the wait before
   * {@code maxWait}). A caller that acts on a change reads the keys linearizably first, as the HA loop does.
   * A snapshot installed meanwhile wakes the wait as a change (the history it would compare with is gone).
   */
  public WatchResult watchLocal(List<String> prefixes, long afterRevision, Duration maxWait) {
    Codec.checkWatch(prefixes, maxWait);
    CompletableFuture<QueryReply> wait = stateMachine.watchLocal(prefixes, afterRevision, maxWait.toMillis());
    try {
      // The member's own timer answers the wait at maxWait; the extra second only guards against a timer that
      // is gone (the member closed while we waited).
      return Codec.toWatchResult(wait.get(maxWait.toMillis() + 1000, TimeUnit.MILLISECONDS));
    } catch (TimeoutException | ExecutionException e) {
      wait.cancel(false);
      throw new DcsException("DCS member " + config.self() + " did not answer a local watch", e);
    } catch (InterruptedException e) {
      wait.cancel(false);
      Thread.currentThread().interrupt();
      throw new DcsException("interrupted while waiting for a local watch", e);
    }
  }

  /** How long ago this member last had confirmed contact with a majority; empty when unknown. */
  public Optional<Duration> viewAge() {
    long age = stateMachine.viewAgeMillis();
    return age < 0 ? Optional.empty() : Optional.of(Duration.ofMillis(age));
  }

  /** Stops the member. Ratis does not hand over leadership on close; use a client's transferLeadership first. */
  @Override
  public void close() {
    Registrar r = registrar;
    if (r != null) {
      r.close();
    }
    timer.shutdownNow();
    try {
      server.close();
    } catch (IOException e) {
      LOG.warn("DCS member {} did not close cleanly: {}", config.self(), e.toString());
    }
  }
}
