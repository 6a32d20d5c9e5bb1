package io.pgquorum.dcs.ratis;

import com.google.protobuf.InvalidProtocolBufferException;
import io.pgquorum.dcs.api.DcsException;
import io.pgquorum.dcs.api.DcsRejectedException;
import io.pgquorum.dcs.api.DcsUnavailableException;
import io.pgquorum.dcs.host.AbstractDcsClient;
import io.pgquorum.dcs.planted.DcsBug;
import io.pgquorum.dcs.proto.Command;
import io.pgquorum.dcs.proto.Query;
import io.pgquorum.dcs.proto.QueryReply;
import io.pgquorum.dcs.proto.Refresh;
import io.pgquorum.dcs.proto.Reply;
import io.pgquorum.dcs.proto.Watch;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos.RaftConfigurationProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerProto;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.protocol.exceptions.SetConfigurationException;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.function.CheckedSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link io.pgquorum.dcs.api.Dcs} client over Ratis gRPC, plus membership administration.
 *
 * <p>Bounded waiting: every call runs the blocking Ratis client on a worker thread and waits at most the
 * operation timeout for it, then throws {@link DcsUnavailableException}. Inside that bound, failed attempts
 * (dead leader, election in progress, lost majority) are retried with the same command bytes, which the
 * state machine's client sessions make exactly-once.
 */
public final class RatisDcsClient extends AbstractDcsClient {
  private static final Logger LOG = LoggerFactory.getLogger(RatisDcsClient.class);
  private static final Duration RETRY_PAUSE = Duration.ofMillis(50);
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final DcsClientConfig config;
  /**
   * The bound on one call, from {@link DcsClientConfig#operationTimeout()} until {@link #setOperationTimeout}
   * changes it (the coordinator follows the cluster's retry_timeout). Read once at the start of each call.
   */
  private volatile Duration operationTimeout;
  private final RaftGroupId groupId;
  private final RaftClient client;
  private final RaftPeerId localPeer;
  private final ExecutorService workers;
  private volatile Instant lastSuccess;
  /** Highest Raft index any reply to this client has shown; answers older than this are stale. */
  private final AtomicLong highestSeen = new AtomicLong();
  private final AtomicLong localRefreshes = new AtomicLong();
  /**
   * Where linearizable reads go: the leader the last refusing member named ({@link UnservedRead}), or null for
   * the Ratis client's own choice. Only the leader answers them, and reads teach the Ratis client nothing about
   * who leads (a follower serves its reads too, or here refuses them), so this client keeps track itself.
   */
  private volatile RaftPeerId readTarget;

  private RatisDcsClient(DcsClientConfig config, String ownerId) {
    super(ownerId);
    this.config = config;
    this.operationTimeout = config.operationTimeout();
    this.groupId = RatisSettings.groupId(config.groupName());
    List<RaftPeer> peers = config.members().stream().map(DcsServer::toPeer).toList();
    RaftProperties properties = new RaftProperties();
    RaftClientConfigKeys.Rpc.setRequestTimeout(properties, RatisSettings.ms(config.requestTimeout().toMillis()));
    this.client = RaftClient.newBuilder()
        .setRaftGroup(RaftGroup.valueOf(groupId, peers))
        .setProperties(properties)
        .setParameters(config.tls().map(RatisSettings::tlsParameters).orElseGet(org.apache.ratis.conf.Parameters::new))
        // Never retry forever (Ratis' default): a few quick hops to find the leader, the rest is our loop.
        .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(3, RatisSettings.ms(100)))
        .build();
    this.localPeer = RaftPeerId.valueOf(config.localMember().orElse(config.members().get(0)).id());
    this.workers = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "dcs-client-" + THREADS.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Changes the bound on each later call (calls in progress keep theirs), without reconnecting. The per-attempt
   * request timeout stays as configured (it is fixed in the Ratis client); a call makes as many attempts as fit.
   *
   * @throws DcsConfigException when {@code timeout} is below 100 ms, as {@link DcsClientConfig} refuses
   */
  public void setOperationTimeout(Duration timeout) {
    if (timeout == null || timeout.toMillis() < 100) {
      throw new io.pgquorum.dcs.api.DcsConfigException("operation timeout must be >= 100 ms, got " + timeout);
    }
    this.operationTimeout = timeout;
  }

  /** The bound each new call gets. */
  public Duration operationTimeout() {
    return operationTimeout;
  }

  /** Creates a client; no network traffic happens until the first call. */
  public static RatisDcsClient connect(DcsClientConfig config, String ownerId) {
    return new RatisDcsClient(config, ownerId);
  }

  @Override
  protected Reply submit(Command command) {
    return submit(command, operationTimeout);
  }

  @Override
  protected Reply submit(Command command, Duration timeout) {
    Message message = Message.valueOf(ByteString.copyFrom(command.toByteArray()));
    RaftClientReply reply = withRetries("write", () -> client.io().send(message), timeout);
    try {
      Reply parsed = Reply.parseFrom(reply.getMessage().getContent().asReadOnlyByteBuffer());
      observed(parsed.getRevision());
      return parsed;
    } catch (InvalidProtocolBufferException e) {
      throw new DcsException("unreadable reply from DCS member " + reply.getReplierId(), e);
    }
  }

  /**
   * Leader-local mode: asks the member this client believes leads to refresh without a log entry (a stale-read
   * request, so Ratis adds no ReadIndex round of its own; the leader runs its own confirmation, see
   * {@code LeaseTracker}). One attempt, at most half the operation timeout (and one request timeout); any answer
   * but a confirmed success returns null, and the caller refreshes through the log in the time left.
   */
  @Override
  protected Reply refreshLocally(Refresh refresh) {
    if (config.leaseRefresh() != LeaseRefreshMode.LEADER_LOCAL) {
      return null;
    }
    RaftPeerId leader = client.getLeaderId();
    if (config.plantedBugs().active(DcsBug.REFRESH_WITHOUT_LEADERSHIP_CHECK)) {
      // PLANTED BUG refresh-without-leadership-check, client half (fault-injection harness only): the refresh goes
      // to this client's local member, leader or not, so a member cut off from the majority keeps being asked (a
      // correct member refuses: not the leader). The member half answers without any check.
      leader = localPeer;
    }
    if (leader == null) {
      return null; // not known yet: the logged refresh finds it
    }
    Message message = toMessage(Query.newBuilder().setLocalRefresh(refresh).build());
    Duration budget = operationTimeout.dividedBy(2);
    if (budget.compareTo(config.requestTimeout()) > 0) {
      budget = config.requestTimeout();
    }
    RaftPeerId target = leader;
    Future<RaftClientReply> attempt = workers.submit(() -> client.io().sendStaleRead(message, 0, target));
    try {
      RaftClientReply raw = attempt.get(budget.toNanos(), TimeUnit.NANOSECONDS);
      if (!raw.isSuccess()) {
        return null;
      }
      QueryReply reply = parseQuery(raw);
      if (!reply.getUnserved().isEmpty() || !reply.getRefreshReply().getSucceeded()) {
        LOG.debug("Leader-local refresh of {} not served by {}: {}", refresh.getKey(), raw.getReplierId(),
            reply.getUnserved());
        return null;
      }
      observed(reply.getRefreshReply().getRevision());
      lastSuccess = Instant.now();
      localRefreshes.incrementAndGet();
      return reply.getRefreshReply();
    } catch (TimeoutException e) {
      attempt.cancel(true);
      return null;
    } catch (ExecutionException | DcsException e) {
      return null;
    } catch (InterruptedException e) {
      attempt.cancel(true);
      Thread.currentThread().interrupt();
      throw new DcsException("interrupted while waiting for a DCS lease refresh", e);
    }
  }

  @Override
  protected Duration remainingAfter(Duration spent) {
    Duration left = operationTimeout.minus(spent);
    Duration floor = Duration.ofMillis(100);
    return left.compareTo(floor) < 0 ? floor : left;
  }

  /** How many refreshes the leader served without a log entry (tests, the bench). */
  public long leaderLocalRefreshes() {
    return localRefreshes.get();
  }

  @Override
  protected QueryReply query(Query query) {
    if (query.hasWatch()) {
      return watchInSlices(query.getWatch());
    }
    if (config.plantedBugs().active(DcsBug.STALE_READ)) {
      // PLANTED BUG stale-read (fault-injection harness only): the "linearizable" read is answered by the local
      // member from its own state, without ReadIndex; a member cut off from the majority answers with what it
      // last applied. The harness's register linearizability checker must catch it.
      return queryLocal(query);
    }
    return linearizable("read", toMessage(query), operationTimeout);
  }

  /**
   * A quorum-confirmed read, with a client-side check on top of Ratis' ReadIndex: the answer must not be
   * older than anything this client has already observed (its own writes, earlier reads, local reads, which
   * all show committed state). An older answer, or one without the answering member's id (not produced by
   * our state machine), is discarded and the read retried within the same deadline.
   */
  private QueryReply linearizable(String what, Message query, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long remaining = deadline - System.nanoTime();
      RaftClientReply raw = withRetries(what, () -> sendRead(query), Duration.ofNanos(Math.max(remaining, 1)));
      QueryReply reply = parseQuery(raw);
      long seen = highestSeen.get();
      if (!reply.getMemberId().isEmpty() && reply.getRevision() >= seen) {
        observed(reply.getRevision());
        return reply;
      }
      LOG.warn("Discarding a stale DCS {} answer from {} (revision {} < {} already observed, member '{}')",
          what, raw.getReplierId(), reply.getRevision(), seen, reply.getMemberId());
      if (System.nanoTime() >= deadline) {
        throw unavailable(what + " (only stale answers)", deadline - timeout.toNanos(), null);
      }
      pauseBeforeRetry(deadline);
    }
  }

  /** One attempt of a linearizable read, at {@link #readTarget} when one is known. */
  private RaftClientReply sendRead(Message query) throws IOException {
    RaftPeerId target = readTarget;
    if (target == null) {
      return client.io().sendReadOnly(query);
    }
    try {
      return client.io().sendReadOnly(query, target);
    } catch (StateMachineException e) {
      throw e; // its answer (a refusal naming the leader, see withRetries)
    } catch (IOException | RuntimeException e) {
      // That member is gone or unreachable: the next attempt lets the Ratis client find the leader.
      readTarget = null;
      throw e;
    }
  }

  private void observed(long revision) {
    highestSeen.accumulateAndGet(revision, Math::max);
  }

  /**
   * A member answers a watch within one request timeout at most, so long waits are a series of shorter ones;
   * between slices nothing is lost because each slice asks from the same revision.
   */
  private QueryReply watchInSlices(Watch watch) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(watch.getMaxWaitMillis());
    long slice = Math.max(50, config.requestTimeout().toMillis() / 2);
    while (true) {
      long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      Watch part = watch.toBuilder().setMaxWaitMillis(Math.max(0, Math.min(slice, remaining))).build();
      Query q = Query.newBuilder().setWatch(part).build();
      QueryReply reply = linearizable("watch", toMessage(q), operationTimeout.plusMillis(part.getMaxWaitMillis()));
      if (reply.getChanged() || remaining <= slice) {
        return reply;
      }
    }
  }

  @Override
  protected QueryReply queryLocal(Query query) {
    QueryReply reply = parseQuery(withRetries("local read",
        () -> client.io().sendStaleRead(toMessage(query), 0, localPeer), operationTimeout));
    observed(reply.getRevision());
    return reply;
  }

  private static Message toMessage(Query query) {
    return Message.valueOf(ByteString.copyFrom(query.toByteArray()));
  }

  private static QueryReply parseQuery(RaftClientReply reply) {
    try {
      return QueryReply.parseFrom(reply.getMessage().getContent().asReadOnlyByteBuffer());
    } catch (InvalidProtocolBufferException e) {
      throw new DcsException("unreadable reply from DCS member " + reply.getReplierId(), e);
    }
  }

  /**
   * Runs {@code call} until it succeeds or {@code timeout} passes. A state-machine rejection (a malformed or
   * oversized request), whether Ratis returns it in the reply or throws it, is final, except a read a member would
   * not confirm ({@link UnservedRead}: not the leader, no majority in its term yet); every other failure
   * (timeouts, no leader, lost majority, closed connections) is retried because it can heal within the bound.
   */
  private RaftClientReply withRetries(String what, CheckedSupplier<RaftClientReply, IOException> call,
      Duration timeout) {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    Throwable last = null;
    int redirects = 0;
    while (true) {
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        throw unavailable(what, start, last);
      }
      Future<RaftClientReply> attempt = workers.submit(call::get);
      try {
        RaftClientReply reply = attempt.get(remaining, TimeUnit.NANOSECONDS);
        if (reply.isSuccess()) {
          lastSuccess = Instant.now();
          return reply;
        }
        StateMachineException rejected = reply.getStateMachineException();
        if (rejected != null) {
          throw new DcsRejectedException("DCS rejected the " + what + ": " + rejected.getMessage());
        }
        if (reply.getException() instanceof SetConfigurationException conflict) {
          // Final, not transient: the membership is not what we read (or an earlier attempt of this very
          // change already went in). Callers re-read members() and decide.
          throw new DcsRejectedException("DCS refused the " + what + ": " + conflict.getMessage()
              + " (re-read the members and retry if still needed)");
        }
        last = reply.getException();
      } catch (TimeoutException e) {
        attempt.cancel(true);
        throw unavailable(what, start, last == null ? e : last);
      } catch (ExecutionException e) {
        last = e.getCause();
        // Ratis' blocking client throws a reply's StateMachineException. A read the member would not confirm
        // (not the leader, or no majority in its term) is asked again: at once when the member named a leader not
        // asked yet (twice per call at most: two members naming each other in an election must not spin).
        if (last instanceof StateMachineException sme && UnservedRead.is(sme)) {
          RaftPeerId named = UnservedRead.leader(sme).orElse(null);
          boolean elsewhere = named != null && !named.equals(readTarget);
          readTarget = named;
          if (elsewhere && redirects++ < 2) {
            continue;
          }
        } else if (last instanceof StateMachineException sme) {
          // Every other refusal of the state machine is final (a malformed or oversized request): asking again
          // gets the same answer, so it must not be retried until the deadline and reported as unavailability.
          throw new DcsRejectedException("DCS rejected the " + what + ": " + sme.getMessage());
        }
      } catch (InterruptedException e) {
        attempt.cancel(true);
        Thread.currentThread().interrupt();
        throw new DcsException("interrupted while waiting for the DCS " + what, e);
      }
      pauseBeforeRetry(deadline);
    }
  }

  private static void pauseBeforeRetry(long deadline) {
    long pause = Math.min(RETRY_PAUSE.toNanos(), deadline - System.nanoTime());
    if (pause > 0) {
      try {
        TimeUnit.NANOSECONDS.sleep(pause); // back-off between attempts, not a stand-in for a condition
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new DcsException("interrupted while retrying a DCS call", e);
      }
    }
  }

  private DcsUnavailableException unavailable(String what, long startNanos, Throwable cause) {
    Duration waited = Duration.ofNanos(System.nanoTime() - startNanos);
    String reason = cause == null ? "no reply" : cause.getClass().getSimpleName() + ": " + cause.getMessage();
    // A write that timed out may still be in a leader's log and be applied later: say so, so the caller
    // re-reads before acting on "it failed".
    String outcome = what.equals("write") ? " (outcome unknown: re-read before retrying)" : "";
    return new DcsUnavailableException("DCS " + what + " failed: no majority of group '" + config.groupName()
        + "' answered (" + reason + ")" + outcome, waited, lastSuccess, cause);
  }

  // ---- membership administration ----

  /**
   * A configuration of the group.
   *
   * @param voters the voting members
   * @param listeners the non-voting members (they receive the log but neither vote nor count for commits)
   */
  public record Configuration(List<PeerAddress> voters, List<PeerAddress> listeners) {
    public Configuration {
      voters = List.copyOf(voters);
      listeners = List.copyOf(listeners);
    }

    /** The voter or listener with {@code memberId}, if any. */
    public Optional<PeerAddress> find(String memberId) {
      return java.util.stream.Stream.concat(voters.stream(), listeners.stream())
          .filter(p -> p.id().equals(memberId)).findFirst();
    }
  }

  /**
   * The group's current configuration, as the leader reports it (the client finds it with a linearizable read
   * if it does not know it yet). Should leadership move meanwhile, a stale answer cannot do harm: membership
   * changes compare against the leader's configuration and are refused when it differs.
   */
  public Configuration configuration() {
    long start = System.nanoTime();
    long deadline = start + operationTimeout.toNanos();
    while (true) {
      // A linearizable read first: the Ratis client fails over to whichever member leads (the one it knew may be
      // the member that is down), so the configuration below comes from the current leader.
      read(Registrations.PREFIX);
      RaftPeerId leader = leaderOrLocal();
      try {
        GroupInfoReply info = (GroupInfoReply) withRetries("membership read",
            () -> client.getGroupManagementApi(leader).info(groupId), config.requestTimeout());
        Optional<RaftConfigurationProto> conf = info.getConf();
        if (conf.isPresent()) {
          return new Configuration(toAddresses(conf.get().getPeersList()),
              toAddresses(conf.get().getListenersList()));
        }
        return new Configuration(info.getGroup().getPeers().stream().map(GroupProbe::toAddress).toList(),
            List.of());
      } catch (DcsUnavailableException e) {
        if (System.nanoTime() >= deadline) {
          throw unavailable("membership read", start, e.getCause());
        }
      }
    }
  }

  private static List<PeerAddress> toAddresses(List<RaftPeerProto> protos) {
    List<PeerAddress> out = new ArrayList<>();
    for (RaftPeerProto p : protos) {
      String address = p.getAddress();
      int colon = address.lastIndexOf(':');
      out.add(new PeerAddress(p.getId().toStringUtf8(), address.substring(0, colon),
          Integer.parseInt(address.substring(colon + 1))));
    }
    return out;
  }

  /**
   * Every member of the current configuration with its own account of itself (role, indices; each asked directly,
   * in parallel, within the request timeout) and whether the group has its registration. The configuration and
   * the registrations come from one linearizable read each, so this needs a majority.
   */
  public List<MemberStatus> memberStatus() {
    Set<String> registered = read(Registrations.PREFIX).entries().stream()
        .map(kv -> Registrations.memberOf(kv.key()).orElse("")).collect(Collectors.toSet());
    Configuration conf = configuration();
    List<PeerAddress> all = new ArrayList<>(conf.voters());
    all.addAll(conf.listeners());
    List<GroupProbe.Answer> answers;
    try (GroupProbe probe = new GroupProbe(groupId, all, config.tls(), config.requestTimeout())) {
      answers = probe.askAll(all);
    }
    List<MemberStatus> out = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      PeerAddress p = all.get(i);
      GroupProbe.Answer a = answers.get(i);
      String role = roleWord(a);
      out.add(new MemberStatus(p.id(), p.address(), i < conf.voters().size(), role, registered.contains(p.id()),
          a.lastIndex() >= 0 ? java.util.OptionalLong.of(a.lastIndex()) : java.util.OptionalLong.empty(),
          a.appliedIndex() >= 0 ? java.util.OptionalLong.of(a.appliedIndex()) : java.util.OptionalLong.empty()));
    }
    return out;
  }

  /**
   * Each member this client was configured with, by id, with its Raft role as the member itself reports it:
   * "leader", "follower", "candidate", "listener", "starting" (no division of the group yet) or "unreachable".
   * Unlike {@link #memberStatus()}, the members are asked at the addresses this client was given (directly, in
   * parallel, one attempt each within the request timeout), not at the configuration's: for a tool that reaches
   * the members at other addresses than the group knows them by (the bench, through its proxy network). Needs no
   * majority. For a moment two members may both say leader (a deposed one that has not yet heard of the new term).
   */
  public java.util.Map<String, String> roles() {
    List<PeerAddress> all = config.members();
    List<GroupProbe.Answer> answers;
    try (GroupProbe probe = new GroupProbe(groupId, all, config.tls(), config.requestTimeout())) {
      answers = probe.askAll(all);
    }
    java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
    for (int i = 0; i < all.size(); i++) {
      out.put(all.get(i).id(), roleWord(answers.get(i)));
    }
    return out;
  }

  private static String roleWord(GroupProbe.Answer a) {
    return switch (a.state()) {
      case UNREACHABLE -> "unreachable";
      case NO_GROUP -> "starting";
      case EMPTY_LOG, HAS_LOG -> a.role().map(r -> r.toLowerCase(java.util.Locale.ROOT)).orElse("unknown");
    };
  }

  /** The voting members of the group's current configuration (see {@link #configuration()}). */
  public List<PeerAddress> members() {
    return configuration().voters();
  }

  /**
   * Adds a voting member (a replacement for a member that lost its disk, a fourth member, a witness that runs
   * no PostgreSQL). The new member must be running: either started with {@code raft.join} (then it usually
   * adds itself) or waiting without partners. In order:
   * <ol>
   *   <li>refused when its id is already in the configuration (a member that lost its log must be removed
   *       first: an empty division in its old slot could vote with an empty log) or its address is another's;
   *   <li>its registration is written, committed before it can acknowledge anything (see
   *       {@link Registrations});
   *   <li>if its server runs no division of the group yet, an empty one is created there;
   *   <li>the configuration change: the leader copies its log (or a snapshot) to the new member before the new
   *       configuration, which gives it a vote, is appended (Ratis' staging).
   * </ol>
   */
  public void addMember(PeerAddress member) {
    Configuration conf = configuration();
    if (conf.find(member.id()).isPresent()) {
      throw new DcsRejectedException("member '" + member.id() + "' is already in the group (as "
          + conf.find(member.id()).get() + "); if it lost its raft.data_dir, remove it first, then add it again");
    }
    for (PeerAddress p : conf.voters()) {
      if (p.address().equals(member.address())) {
        throw new DcsRejectedException("address " + member.address() + " already belongs to member '" + p.id()
            + "'");
      }
    }
    try (GroupProbe probe = new GroupProbe(groupId, List.of(member), config.tls(), config.requestTimeout())) {
      GroupProbe.Answer answer = probe.ask(member);
      if (answer.state() == GroupProbe.PeerState.UNREACHABLE) {
        throw new DcsRejectedException("member " + member + " does not answer at " + member.address()
            + ": start it first (with raft.join: true, or bin/pgquorum --join), then add it");
      }
      put(Registrations.key(member.id()), Registrations.value(member, "added"));
      if (!answer.hasDivision()) {
        try {
          probe.addEmptyDivision(member);
        } catch (IOException e) {
          // Created meanwhile by the member itself (a joining member adds its own): fine, anything else is not.
          if (!probe.ask(member).hasDivision()) {
            throw new DcsUnavailableException("cannot create the DCS division on " + member + ": "
                + e.getMessage(), Duration.ZERO, lastSuccess, e);
          }
        }
      }
    }
    List<PeerAddress> next = new ArrayList<>(conf.voters());
    next.add(member);
    setVoters(conf.voters(), next);
  }

  /**
   * Removes a member from the voting configuration and deletes its registration. Refused (DcsRejectedException)
   * when it is not a member, is the last one, or when the members that answer could not form a majority of the
   * configuration without it: the change itself needs a majority of the old and of the new configuration, and
   * a group left without one accepts no writes until the missing members return.
   */
  public void removeMember(String memberId) {
    Configuration conf = configuration();
    List<PeerAddress> current = conf.voters();
    List<PeerAddress> next = current.stream().filter(p -> !p.id().equals(memberId)).toList();
    if (next.size() == current.size()) {
      throw new DcsRejectedException("member '" + memberId + "' is not in the group (members: "
          + BootPlanner.ids(current) + ")");
    }
    if (next.isEmpty()) {
      throw new DcsRejectedException("cannot remove '" + memberId + "', the last member of the group");
    }
    Set<String> live;
    try (GroupProbe probe = new GroupProbe(groupId, current, config.tls(), config.requestTimeout())) {
      live = probe.askAll(current).stream().filter(GroupProbe.Answer::hasDivision).map(a -> a.peer().id())
          .collect(Collectors.toSet());
    }
    MembershipCheck.requireMajorities(current, next, live, memberId);
    setVoters(current, next);
    try {
      delete(Registrations.key(memberId));
    } catch (RuntimeException e) {
      // The member is out; a registration left behind only makes a later start of that id more careful.
      LOG.warn("Removed member {} but could not delete its registration: {}", memberId, e.getMessage());
    }
  }

  /**
   * Compare-and-set on the voters: if they are no longer {@code current} (a concurrent change, or a stale read
   * of them), Ratis refuses (DcsRejectedException) instead of silently undoing the other change. Listeners are
   * compared too; pgquorum has none of its own, so it expects none.
   */
  void setVoters(List<PeerAddress> current, List<PeerAddress> next) {
    SetConfigurationRequest.Arguments arguments = SetConfigurationRequest.Arguments.newBuilder()
        .setServersInCurrentConf(current.stream().map(DcsServer::toPeer).toList())
        .setServersInNewConf(next.stream().map(DcsServer::toPeer).toList())
        .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET)
        .build();
    withRetries("membership change", () -> client.admin().setConfiguration(arguments),
        operationTimeout.multipliedBy(4));
  }

  RaftGroupId groupId() {
    return groupId;
  }

  DcsClientConfig config() {
    return config;
  }

  /** Asks the leader to hand leadership to {@code memberId} (graceful shutdown of the current leader). */
  public void transferLeadership(String memberId, Duration timeout) {
    withRetries("leadership transfer",
        () -> client.admin().transferLeadership(RaftPeerId.valueOf(memberId), timeout.toMillis()),
        timeout.plus(operationTimeout));
  }

  private RaftPeerId leaderOrLocal() {
    // A leader a refused read named is fresher than the Ratis client's, which only writes update.
    RaftPeerId leader = readTarget != null ? readTarget : client.getLeaderId();
    return leader != null ? leader : localPeer;
  }

  @Override
  public void close() {
    workers.shutdownNow();
    try {
      client.close();
    } catch (IOException e) {
      // Closing a client only releases channels; nothing to report to the caller.
    }
  }
}
