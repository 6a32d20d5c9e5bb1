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
import io.pgquorum.dcs.proto.Reply;
import io.pgquorum.dcs.proto.Watch;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
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
  private final RaftGroupId groupId;
  private final RaftClient client;
  private final RaftPeerId localPeer;
  private final ExecutorService workers;
  private volatile Instant lastSuccess;
  /** Highest Raft index any reply to this client has shown; answers older than this are stale. */
  private final AtomicLong highestSeen = new AtomicLong();

  private RatisDcsClient(DcsClientConfig config, String ownerId) {
    super(ownerId);
    this.config = config;
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

  /** Creates a client; no network traffic happens until the first call. */
  public static RatisDcsClient connect(DcsClientConfig config, String ownerId) {
    return new RatisDcsClient(config, ownerId);
  }

  @Override
  protected Reply submit(Command command) {
    Message message = Message.valueOf(ByteString.copyFrom(command.toByteArray()));
    RaftClientReply reply = withRetries("write", () -> client.io().send(message), config.operationTimeout());
    try {
      Reply parsed = Reply.parseFrom(reply.getMessage().getContent().asReadOnlyByteBuffer());
      observed(parsed.getRevision());
      return parsed;
    } catch (InvalidProtocolBufferException e) {
      throw new DcsException("unreadable reply from DCS member " + reply.getReplierId(), e);
    }
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
    return linearizable("read", () -> client.io().sendReadOnly(toMessage(query)), config.operationTimeout());
  }

  /**
   * A quorum-confirmed read, with a client-side check on top of Ratis' ReadIndex: the answer must not be
   * older than anything this client has already observed (its own writes, earlier reads, local reads, which
   * all show committed state). An older answer, or one without the answering member's id (not produced by
   * our state machine), is discarded and the read retried within the same deadline.
   */
  private QueryReply linearizable(String what, CheckedSupplier<RaftClientReply, IOException> call,
      Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long remaining = deadline - System.nanoTime();
      RaftClientReply raw = withRetries(what, call, Duration.ofNanos(Math.max(remaining, 1)));
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
      QueryReply reply = linearizable("watch", () -> client.io().sendReadOnly(toMessage(q)),
          config.operationTimeout().plusMillis(part.getMaxWaitMillis()));
      if (reply.getChanged() || remaining <= slice) {
        return reply;
      }
    }
  }

  @Override
  protected QueryReply queryLocal(Query query) {
    QueryReply reply = parseQuery(withRetries("local read",
        () -> client.io().sendStaleRead(toMessage(query), 0, localPeer), config.operationTimeout()));
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
   * Runs {@code call} until it succeeds or {@code timeout} passes. A state-machine rejection (a malformed
   * request) is final; every other failure (timeouts, no leader, lost majority, closed connections) is
   * retried because it can heal within the bound.
   */
  private RaftClientReply withRetries(String what, CheckedSupplier<RaftClientReply, IOException> call,
      Duration timeout) {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    Throwable last = null;
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

  /** The voting members of the group's current configuration, as the leader reports them. */
  public List<PeerAddress> members() {
    RaftClientReply reply = withRetries("membership read",
        () -> client.getGroupManagementApi(leaderOrLocal()).info(groupId), config.operationTimeout());
    List<PeerAddress> out = new ArrayList<>();
    for (RaftPeer p : ((org.apache.ratis.protocol.GroupInfoReply) reply).getGroup().getPeers()) {
      String address = p.getAddress();
      int colon = address.lastIndexOf(':');
      out.add(new PeerAddress(p.getId().toString(), address.substring(0, colon),
          Integer.parseInt(address.substring(colon + 1))));
    }
    return out;
  }

  /**
   * Adds a voting member (for example a witness that runs no PostgreSQL). The new member must already be
   * running, started with {@code joining(true)}; it catches up from the leader (by snapshot if needed) before
   * the configuration change commits.
   */
  public void addMember(PeerAddress member) {
    List<RaftPeer> current = members().stream().map(DcsServer::toPeer).toList();
    if (current.stream().anyMatch(p -> p.getId().toString().equals(member.id()))) {
      throw new DcsRejectedException("member " + member + " is already in the group");
    }
    List<RaftPeer> next = new ArrayList<>(current);
    next.add(DcsServer.toPeer(member));
    setConfiguration(current, next);
  }

  /** Removes a member from the voting configuration. The removed member should then be stopped. */
  public void removeMember(String memberId) {
    List<RaftPeer> current = members().stream().map(DcsServer::toPeer).toList();
    List<RaftPeer> next = current.stream().filter(p -> !p.getId().toString().equals(memberId)).toList();
    if (next.size() == current.size()) {
      throw new DcsRejectedException("member '" + memberId + "' is not in the group (members: "
          + current.stream().map(p -> p.getId().toString()).toList() + ")");
    }
    if (next.isEmpty()) {
      throw new DcsRejectedException("cannot remove the last member of the group");
    }
    setConfiguration(current, next);
  }

  /**
   * Compare-and-set on the membership: if the configuration is no longer {@code current} (a concurrent
   * change, or a stale read of it), Ratis refuses instead of silently undoing the other change.
   */
  private void setConfiguration(List<RaftPeer> current, List<RaftPeer> next) {
    SetConfigurationRequest.Arguments arguments = SetConfigurationRequest.Arguments.newBuilder()
        .setServersInCurrentConf(current)
        .setServersInNewConf(next)
        .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET)
        .build();
    withRetries("membership change", () -> client.admin().setConfiguration(arguments),
        config.operationTimeout().multipliedBy(4));
  }

  /** Asks the leader to hand leadership to {@code memberId} (graceful shutdown of the current leader). */
  public void transferLeadership(String memberId, Duration timeout) {
    withRetries("leadership transfer",
        () -> client.admin().transferLeadership(RaftPeerId.valueOf(memberId), timeout.toMillis()),
        timeout.plus(config.operationTimeout()));
  }

  private RaftPeerId leaderOrLocal() {
    RaftPeerId leader = client.getLeaderId();
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
