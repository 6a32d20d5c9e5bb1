package io.pgquorum.dcs.ratis;

import io.pgquorum.dcs.proto.Query;
import io.pgquorum.dcs.proto.QueryReply;
import io.pgquorum.dcs.proto.TermCheck;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
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
 * The leader's confirmation for a linearizable read or a leader-local lease refresh: asks the other voters for their
 * current Raft term (a {@link TermCheck} answered from each member's own state, without the log) and completes with
 * true once a majority of the voters, this leader included, is in {@code term}. Every question is sent after the
 * call, so every "yes" describes a moment after the read or refresh arrived; why that suffices is in
 * {@code DcsStateMachine.confirmedRead} and {@code io.pgquorum.dcs.lease.LeaseTracker}. Never fails: an unreachable
 * member is a "no".
 */
final class TermPoll implements AutoCloseable {
  private static final AtomicInteger THREADS = new AtomicInteger();
  /**
   * How long a poll waits for the members it asked first before it asks the rest as well: far above a loopback or
   * LAN round trip (about a millisecond), far below the election timeout that bounds every question.
   */
  static final Duration HEDGE = Duration.ofMillis(50);
  private static final Message QUESTION = Message.valueOf(ByteString.copyFrom(
      Query.newBuilder().setTermCheck(TermCheck.getDefaultInstance()).build().toByteArray()));

  private final RaftGroupId groupId;
  private final Optional<TlsFiles> tls;
  private final Duration requestTimeout;
  private final ExecutorService workers;
  /** Each member's last answer: in the term asked about (true), or not or none (false). */
  private final Map<RaftPeerId, Boolean> lastAnswer = new ConcurrentHashMap<>();
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

  /**
   * Completes with true once a majority of {@code voters} (this member counted as a "yes" when it votes: the caller
   * checked its own term and role after the call's subject arrived) reported {@code term}; false once that can no
   * longer happen.
   *
   * <p>Cost: it asks only as many members as a majority still needs (for three members: one), those that said
   * "yes" last time first, and the next one only when an answer is "no" or {@link #HEDGE} passes without enough
   * answers (a member that hangs, say paused, instead of refusing). Every linearizable read and leader-local refresh
   * pays for one poll, so asking every member each time would double the followers' work for nothing.
   */
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
    int needed = majority - (selfVotes ? 1 : 0);
    if (needed <= 0) {
      return CompletableFuture.completedFuture(true);
    }
    // Stable sort: members whose last answer was "no" (or none yet) go last.
    others.sort(Comparator.comparing(p -> !Boolean.TRUE.equals(lastAnswer.get(p.getId()))));
    Round round = new Round(clientFor(voters), others, needed, term);
    round.start();
    return round.result;
  }

  /** One poll: who has been asked, how many said yes, how many answers are outstanding. */
  private final class Round {
    private final RaftClient client;
    private final List<RaftPeer> order;
    private final int needed;
    private final long term;
    private final CompletableFuture<Boolean> result = new CompletableFuture<>();
    private int asked;
    private int yes;
    private int outstanding;

    Round(RaftClient client, List<RaftPeer> order, int needed, long term) {
      this.client = client;
      this.order = order;
      this.needed = needed;
      this.term = term;
    }

    void start() {
      synchronized (this) {
        askMore(needed);
        if (outstanding < needed && !result.isDone()) {
          result.complete(false); // fewer members to ask than a majority needs
        }
      }
      if (!result.isDone()) {
        CompletableFuture.delayedExecutor(HEDGE.toMillis(), TimeUnit.MILLISECONDS, workers).execute(() -> {
          synchronized (this) {
            if (!result.isDone()) {
              askMore(order.size());
            }
          }
        });
      }
    }

    /** Asks up to {@code count} members not asked yet. Called with this round's lock held. */
    private void askMore(int count) {
      for (int i = 0; i < count && asked < order.size(); i++) {
        RaftPeer p = order.get(asked++);
        // Counted before the question goes: an answer may arrive on this thread (the lock is reentrant).
        outstanding++;
        try {
          CompletableFuture.supplyAsync(() -> ask(client, QUESTION, p.getId()), workers)
              .whenComplete((t, e) -> answered(p.getId(), e == null && t == term));
        } catch (RejectedExecutionException e) {
          outstanding--;
          result.complete(false); // closed: the member is shutting down
          return;
        }
      }
    }

    private synchronized void answered(RaftPeerId peer, boolean inTerm) {
      lastAnswer.put(peer, inTerm);
      outstanding--;
      if (result.isDone()) {
        return;
      }
      if (inTerm && ++yes >= needed) {
        result.complete(true);
        return;
      }
      if (!inTerm) {
        askMore(1);
      }
      if (yes + outstanding + (order.size() - asked) < needed) {
        result.complete(false);
      }
    }
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
