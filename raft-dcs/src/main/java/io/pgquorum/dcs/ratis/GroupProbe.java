package io.pgquorum.dcs.ratis;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos.LogInfoProto;
import org.apache.ratis.proto.RaftProtos.RaftConfigurationProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.GroupListReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;

/**
 * Asks DCS members directly (not through the leader) what they hold of the group: whether they run a division
 * of it, whether its log is empty, their Raft role and indices, and the configuration they know. One bounded
 * attempt per member and call; an unreachable member is an answer too ({@link PeerState#UNREACHABLE}).
 *
 * <p>A member that is up but still deciding how to start (see {@link MemberBoot}) runs a Ratis server with no
 * division, and answers that it has no group: that is how founding members that start at the same time see each
 * other before any of them has a log.
 */
final class GroupProbe implements AutoCloseable {
  private static final AtomicInteger THREADS = new AtomicInteger();

  /** What one member holds of the group. */
  enum PeerState {
    /** No answer within the bound (down, partitioned, not started, or refusing our TLS). */
    UNREACHABLE,
    /** Its Ratis server runs without a division of this group (a member still deciding how to start). */
    NO_GROUP,
    /** A division with an empty log and no snapshot: no entry of this group ever reached it. */
    EMPTY_LOG,
    /** A division with a log or a snapshot. */
    HAS_LOG
  }

  /**
   * One member's answer.
   *
   * @param role LEADER, FOLLOWER, CANDIDATE or LISTENER (Ratis' word), when it runs a division
   * @param lastIndex index of its last log entry (or snapshot), -1 when none
   * @param appliedIndex last index applied to its state machine, -1 when none
   * @param voters the voting members of the configuration it knows
   * @param listeners the non-voting members of that configuration
   */
  record Answer(PeerAddress peer, PeerState state, Optional<String> role, long lastIndex, long appliedIndex,
      List<PeerAddress> voters, List<PeerAddress> listeners) {
    static Answer without(PeerAddress peer, PeerState state) {
      return new Answer(peer, state, Optional.empty(), -1, -1, List.of(), List.of());
    }

    boolean hasDivision() {
      return state == PeerState.EMPTY_LOG || state == PeerState.HAS_LOG;
    }
  }

  private final RaftGroupId groupId;
  private final Map<String, PeerAddress> peers = new LinkedHashMap<>();
  private final RaftClient client;
  private final Duration timeout;
  private final ExecutorService workers;

  /**
   * @param members every member this probe may ask (a Ratis client can only address peers it was built with)
   * @param timeout bound on each call to one member
   */
  GroupProbe(RaftGroupId groupId, Collection<PeerAddress> members, Optional<TlsFiles> tls, Duration timeout) {
    this.groupId = groupId;
    members.forEach(p -> peers.put(p.id(), p));
    this.timeout = timeout;
    RaftProperties properties = new RaftProperties();
    RaftClientConfigKeys.Rpc.setRequestTimeout(properties, RatisSettings.ms(timeout.toMillis()));
    this.client = RaftClient.newBuilder()
        .setRaftGroup(RaftGroup.valueOf(groupId, peers.values().stream().map(DcsServer::toPeer).toList()))
        .setProperties(properties)
        .setParameters(tls.map(RatisSettings::tlsParameters).orElseGet(Parameters::new))
        // One attempt: the caller decides whether and when to ask again.
        .setRetryPolicy(RetryPolicies.noRetry())
        .build();
    this.workers = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "dcs-probe-" + THREADS.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** Asks every member in {@code targets}, in parallel; answers in the same order. */
  List<Answer> askAll(Collection<PeerAddress> targets) {
    List<Future<Answer>> pending = new ArrayList<>();
    for (PeerAddress p : targets) {
      pending.add(workers.submit(() -> ask(p)));
    }
    List<Answer> out = new ArrayList<>();
    int i = 0;
    for (PeerAddress p : targets) {
      out.add(await(pending.get(i++), p));
    }
    return out;
  }

  /** {@link #presence} of every member in {@code targets}, in parallel; in the same order. */
  List<Presence> presenceAll(Collection<PeerAddress> targets) {
    List<Future<Presence>> pending = new ArrayList<>();
    for (PeerAddress p : targets) {
      pending.add(workers.submit(() -> presence(p)));
    }
    List<Presence> out = new ArrayList<>();
    for (Future<Presence> f : pending) {
      try {
        // presence() makes at most two gRPC calls and one connection attempt, each bounded by the timeout.
        out.add(f.get(timeout.toMillis() * 3 + 500, TimeUnit.MILLISECONDS));
      } catch (TimeoutException | ExecutionException e) {
        f.cancel(true);
        out.add(Presence.UNKNOWN);
      } catch (InterruptedException e) {
        f.cancel(true);
        Thread.currentThread().interrupt();
        out.add(Presence.UNKNOWN);
      }
    }
    return out;
  }

  private Answer await(Future<Answer> f, PeerAddress p) {
    try {
      // ask() makes two calls, each bounded by the client's request timeout; allow both plus scheduling.
      return f.get(timeout.toMillis() * 2 + 500, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      return Answer.without(p, PeerState.UNREACHABLE);
    } catch (ExecutionException e) {
      return Answer.without(p, PeerState.UNREACHABLE);
    } catch (InterruptedException e) {
      f.cancel(true);
      Thread.currentThread().interrupt();
      return Answer.without(p, PeerState.UNREACHABLE);
    }
  }

  /** One member's answer; never throws. */
  Answer ask(PeerAddress p) {
    if (!peers.containsKey(p.id())) {
      throw new IllegalArgumentException("probe built without member " + p);
    }
    RaftPeerId id = RaftPeerId.valueOf(p.id());
    try {
      GroupListReply list = client.getGroupManagementApi(id).list();
      if (!list.isSuccess() || !list.getGroupIds().contains(groupId)) {
        return Answer.without(p, list.isSuccess() ? PeerState.NO_GROUP : PeerState.UNREACHABLE);
      }
      GroupInfoReply info = client.getGroupManagementApi(id).info(groupId);
      if (!info.isSuccess()) {
        return Answer.without(p, PeerState.UNREACHABLE);
      }
      return describe(p, info);
    } catch (IOException | RuntimeException e) {
      // Connection refused, timeouts, TLS failures, a division closing under us: no usable answer now.
      return Answer.without(p, PeerState.UNREACHABLE);
    }
  }

  private static Answer describe(PeerAddress p, GroupInfoReply info) {
    LogInfoProto log = info.getLogInfoProto();
    long last = -1;
    if (log != null && log.hasLastEntry()) {
      last = log.getLastEntry().getIndex();
    }
    if (log != null && log.hasLastSnapshot()) {
      last = Math.max(last, log.getLastSnapshot().getIndex());
    }
    long applied = log != null && log.hasApplied() ? log.getApplied().getIndex() : -1;
    // A log entry or a snapshot means some leader replicated to it: the group has history.
    boolean history = log != null && (log.hasLastEntry() || log.hasLastSnapshot());
    RoleInfoProto role = info.getRoleInfoProto();
    Optional<RaftConfigurationProto> conf = info.getConf();
    List<PeerAddress> voters = conf.map(c -> toAddresses(c.getPeersList())).orElseGet(
        () -> info.getGroup().getPeers().stream().map(GroupProbe::toAddress).toList());
    List<PeerAddress> listeners = conf.map(c -> toAddresses(c.getListenersList())).orElse(List.of());
    return new Answer(p, history ? PeerState.HAS_LOG : PeerState.EMPTY_LOG,
        role == null ? Optional.empty() : Optional.of(role.getRole().name()), last, applied, voters, listeners);
  }

  private static List<PeerAddress> toAddresses(List<RaftPeerProto> protos) {
    List<PeerAddress> out = new ArrayList<>();
    for (RaftPeerProto p : protos) {
      out.add(parse(p.getId().toStringUtf8(), p.getAddress()));
    }
    return out;
  }

  static PeerAddress toAddress(RaftPeer p) {
    return parse(p.getId().toString(), p.getAddress());
  }

  private static PeerAddress parse(String id, String address) {
    int colon = address.lastIndexOf(':');
    return new PeerAddress(id, address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
  }

  /**
   * Whether {@code p} runs a division of the group now, asked once: {@link Presence#RUNS} when it answers with one,
   * {@link Presence#NONE} when it answers without one or when nothing listens at its address (the connection is
   * refused), {@link Presence#UNKNOWN} otherwise (no answer within the bound, a TLS failure, an error). Never
   * throws.
   *
   * <p>Why a refused connection is a definite "none" and silence is not: a refusal comes from the host at the
   * member's address saying no process listens on the port, so no division can run there; a timeout can be a
   * partition, a firewall that drops, or an overloaded member that does run one.
   */
  Presence presence(PeerAddress p) {
    Answer a = ask(p);
    if (a.hasDivision()) {
      return Presence.RUNS;
    }
    if (a.state() == PeerState.NO_GROUP) {
      return Presence.NONE;
    }
    // gRPC folds every failure into one "unavailable": ask the address itself whether anything listens there.
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(p.host(), p.port()), (int) Math.max(1, timeout.toMillis()));
      return Presence.UNKNOWN; // something listens, yet gave no usable answer: it may run a division
    } catch (ConnectException e) {
      // Only the kernel's "Connection refused" counts; other ConnectExceptions (a TCP timeout) prove nothing.
      String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
      return m.contains("refused") ? Presence.NONE : Presence.UNKNOWN;
    } catch (IOException | RuntimeException e) {
      return Presence.UNKNOWN;
    }
  }

  /** Whether a member runs a division of the group (see {@link #presence}). */
  enum Presence {
    RUNS, NONE, UNKNOWN
  }

  /** Creates this group's division (empty configuration) on {@code target}, which must run without one. */
  void addEmptyDivision(PeerAddress target) throws IOException {
    var reply = client.getGroupManagementApi(RaftPeerId.valueOf(target.id())).add(RaftGroup.valueOf(groupId),
        false);
    if (!reply.isSuccess()) {
      throw reply.getException() != null ? reply.getException()
          : new IOException("adding the group's division on " + target + " failed");
    }
  }

  @Override
  public void close() {
    workers.shutdownNow();
    try {
      client.close();
    } catch (IOException e) {
      // releasing channels only
    }
  }
}
