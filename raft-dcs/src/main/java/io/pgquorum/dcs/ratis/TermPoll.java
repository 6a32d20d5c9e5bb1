package io.pgquorum.dcs.ratis;

import io.pgquorum.dcs.proto.Query;
import io.pgquorum.dcs.proto.QueryReply;
import io.pgquorum.dcs.proto.TermCheck;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * The leader's confirmation for a leader-local lease refresh: asks the other voters for their current Raft term
 * (a {@link TermCheck} answered from each member's own state, without the log) and completes with true once a
 * majority of the voters, this leader included, is in {@code term}. Every question is sent after the call, so
 * every "yes" describes a moment after the refresh arrived; why that suffices is in
 * {@code io.pgquorum.dcs.lease.LeaseTracker}. Never fails: an unreachable member is a "no".
 */
final class TermPoll implements AutoCloseable {
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final RaftGroupId groupId;
  private final Optional<TlsFiles> tls;
  private final Duration requestTimeout;
  private final ExecutorService workers;
  /** The client for the voters it was built for; rebuilt when the configuration changes. */
  private RaftClient client;
  private List<RaftPeer> clientPeers = List.of();

  TermPoll(RaftGroupId groupId, Optional<TlsFiles> tls, Duration requestTimeout) {
    this.groupId = groupId;
    this.tls = tls;
    this.requestTimeout = requestTimeout;
    // Blocking calls, one per voter and confirmation; a cached pool so an unreachable member (each call up to
    // requestTimeout) never queues the questions to the reachable ones behind it.
    this.workers = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "dcs-term-poll-" + THREADS.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  CompletableFuture<Boolean> majorityInTerm(Collection<RaftPeer> voters, RaftPeerId self, long term) {
    List<RaftPeer> others = new ArrayList<>();
    boolean selfVotes = false;
    for (RaftPeer p : voters) {
      if (p.getId().equals(self)) {
        selfVotes = true;
      } else {
        others.add(p);
      }
    }
    int majority = voters.size() / 2 + 1;
    int yesSoFar = selfVotes ? 1 : 0; // the caller checked its own term and role after the refresh arrived
    if (yesSoFar >= majority) {
      return CompletableFuture.completedFuture(true);
    }
    RaftClient c = clientFor(voters);
    CompletableFuture<Boolean> result = new CompletableFuture<>();
    AtomicInteger yes = new AtomicInteger(yesSoFar);
    AtomicInteger pending = new AtomicInteger(others.size());
    Message question = Message.valueOf(ByteString.copyFrom(
        Query.newBuilder().setTermCheck(TermCheck.getDefaultInstance()).build().toByteArray()));
    for (RaftPeer p : others) {
      CompletableFuture.supplyAsync(() -> ask(c, question, p.getId()), workers).whenComplete((t, e) -> {
        boolean inTerm = e == null && t == term;
        int y = inTerm ? yes.incrementAndGet() : yes.get();
        int left = pending.decrementAndGet();
        if (y >= majority) {
          result.complete(true);
        } else if (y + left < majority) {
          result.complete(false);
        }
      });
    }
    return result;
  }

  /**
   * The member's term, or -1 when it did not answer usably. A member that has not yet learnt any commit index
   * (just started, say) refuses stale reads, so it counts as a "no" until the leader's next heartbeat.
   */
  private static long ask(RaftClient c, Message question, RaftPeerId peer) {
    try {
      RaftClientReply reply = c.io().sendStaleRead(question, 0, peer);
      if (!reply.isSuccess()) {
        return -1;
      }
      return QueryReply.parseFrom(reply.getMessage().getContent().asReadOnlyByteBuffer()).getTerm();
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private synchronized RaftClient clientFor(Collection<RaftPeer> voters) {
    List<RaftPeer> peers = List.copyOf(voters);
    if (client == null || !clientPeers.equals(peers)) {
      closeClient();
      RaftProperties properties = new RaftProperties();
      RaftClientConfigKeys.Rpc.setRequestTimeout(properties, RatisSettings.ms(requestTimeout.toMillis()));
      client = RaftClient.newBuilder()
          .setRaftGroup(RaftGroup.valueOf(groupId, peers))
          .setProperties(properties)
          .setParameters(tls.map(RatisSettings::tlsParameters).orElseGet(Parameters::new))
          // One attempt: a late "yes" is worthless, the refresh then takes the durable path.
          .setRetryPolicy(RetryPolicies.noRetry())
          .build();
      clientPeers = peers;
    }
    return client;
  }

  private void closeClient() {
    if (client != null) {
      try {
        client.close();
      } catch (IOException e) {
        // Only releases channels.
      }
      client = null;
    }
  }

  @Override
  public synchronized void close() {
    workers.shutdownNow();
    closeClient();
  }
}
