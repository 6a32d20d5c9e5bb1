package io.pgquorum.dcs.ratis;

import com.google.protobuf.InvalidProtocolBufferException;
import io.pgquorum.dcs.host.StoreHost;
import io.pgquorum.dcs.lease.LeaseTracker;
import io.pgquorum.dcs.planted.DcsBug;
import io.pgquorum.dcs.planted.PlantedBugs;
import io.pgquorum.dcs.proto.Command;
import io.pgquorum.dcs.proto.Entry;
import io.pgquorum.dcs.proto.Expire;
import io.pgquorum.dcs.proto.Query;
import io.pgquorum.dcs.proto.QueryReply;
import io.pgquorum.dcs.proto.Refresh;
import io.pgquorum.dcs.proto.Reply;
import io.pgquorum.dcs.proto.Snapshot;
import io.pgquorum.dcs.statemachine.Codec;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hosts the pure {@link io.pgquorum.dcs.statemachine.KvStore} (through {@link StoreHost}) inside a Ratis
 * division: decodes log entries, stamps time on the leader, writes and loads snapshots, answers queries, and
 * proposes lease expiry while it leads.
 *
 * <p>Ordering: {@link #applyTransaction}, {@link #notifyTermIndexUpdated} and {@link #takeSnapshot} all run
 * under this object's monitor, so a snapshot's name (term, index) always matches the state written into it.
 */
final class DcsStateMachine extends BaseStateMachine {
  private static final Logger LOG = LoggerFactory.getLogger(DcsStateMachine.class);

  private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
  private final StoreHost host;
  private final ScheduledExecutorService timer;
  /** Identity of this member's own expiry proposals in Ratis' retry cache; call ids make each unique. */
  private final ClientId expiryClientId = ClientId.randomId();
  private final AtomicLong expiryCallId = new AtomicLong();
  private volatile RaftServer.Division division;
  /** System.nanoTime() of the last proven contact with a majority; 0 = never. */
  private final AtomicLong lastContactNanos = new AtomicLong();
  private volatile Runnable leaderReadyHook = () -> { };
  /**
   * A leader cut off from its majority keeps heartbeating its minority-side followers until it notices and
   * steps down (about one max election timeout); a follower's "last heard from my leader" is therefore only
   * proof of majority contact this long before.
   */
  private final long leaderStepDownMillis;
  private final LeaseRefreshMode leaseRefresh;
  private final PlantedBugs bugs;
  /** The leader's confirmation of linearizable reads and leader-local refreshes; null until {@link #attach}. */
  private volatile TermPoll termPoll;

  DcsStateMachine(double maxClockRateDrift, long leaderStepDownMillis, LeaseRefreshMode leaseRefresh,
      ScheduledExecutorService timer, PlantedBugs bugs) {
    this.host = new StoreHost(new LeaseTracker(System::nanoTime, maxClockRateDrift, bugs));
    this.leaderStepDownMillis = leaderStepDownMillis;
    this.leaseRefresh = leaseRefresh;
    this.timer = timer;
    this.bugs = bugs;
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
    super.initialize(server, groupId, raftStorage);
    storage.init(raftStorage);
    getLifeCycle().startAndTransition(() -> loadLatestSnapshot(storage.loadLatestSnapshot()));
  }

  /** Set by {@link DcsServer} once the division exists (it does not yet during {@link #initialize}). */
  void attach(RaftServer.Division division, TermPoll termPoll) {
    this.termPoll = termPoll;
    this.division = division;
  }

  // Ratis 3.3.0 leaves pause()/reinitialize() as no-ops that do not move the life cycle, and the snapshot
  // installer asserts PAUSED; without these overrides a follower that needs a snapshot closes its division.
  @Override
  public synchronized void pause() {
    getLifeCycle().transition(LifeCycle.State.PAUSING);
    getLifeCycle().transition(LifeCycle.State.PAUSED);
  }

  @Override
  public void reinitialize() throws IOException {
    loadLatestSnapshot(storage.loadLatestSnapshot());
    getLifeCycle().transition(LifeCycle.State.STARTING);
    getLifeCycle().transition(LifeCycle.State.RUNNING);
  }

  private synchronized void loadLatestSnapshot(SingleFileSnapshotInfo info) throws IOException {
    if (info == null) {
      return;
    }
    File file = info.getFile().getPath().toFile();
    MD5Hash stored = MD5FileUtil.readStoredMd5ForFile(file);
    MD5Hash actual = MD5FileUtil.computeMd5ForFile(file);
    if (stored != null && !stored.equals(actual)) {
      throw new IOException("snapshot " + file + " is corrupt: MD5 " + actual + " does not match stored " + stored);
    }
    Snapshot snapshot;
    try (InputStream in = Files.newInputStream(file.toPath())) {
      snapshot = Snapshot.parseFrom(in);
    }
    host.restore(snapshot);
    setLastAppliedTermIndex(info.getTermIndex());
    LOG.info("Loaded DCS snapshot {} ({} keys)", info.getTermIndex(), snapshot.getEntriesCount());
  }

  @Override
  public StateMachineStorage getStateMachineStorage() {
    return storage;
  }

  @Override
  public synchronized long takeSnapshot() throws IOException {
    TermIndex last = getLastAppliedTermIndex();
    if (last == null || last.getIndex() <= 0) {
      return -1;
    }
    Snapshot snapshot = host.snapshot();
    File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
    Path tmp = file.toPath().resolveSibling(file.getName() + ".tmp");
    MD5Hash md5;
    try {
      // Durable before Ratis purges the log it replaces: fsync the file, then the directory after the rename.
      try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        channel.write(ByteBuffer.wrap(snapshot.toByteArray()));
        channel.force(true);
      }
      Files.move(tmp, file.toPath(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      try (FileChannel dir = FileChannel.open(file.toPath().getParent(), StandardOpenOption.READ)) {
        dir.force(true);
      }
      md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
    } catch (RuntimeException e) {
      // Ratis closes the division on an unchecked exception from takeSnapshot, but only logs an IOException
      // and tries again later: a failed snapshot (full disk, a concurrent install) must not stop the member.
      throw new IOException("could not write DCS snapshot " + file + ": " + e, e);
    }
    storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), last));
    LOG.debug("Took DCS snapshot at {} ({} keys)", last, snapshot.getEntriesCount());
    return last.getIndex();
  }

  /**
   * Leader only: refuse an oversized command and parse early (neither reaches the log), and stamp the leader's
   * wall clock. The size bound is checked here as well as in the client, for clients that skip the client's check
   * (another version, another program): {@link RatisSettings} sizes the log's write buffer and the appender's
   * batches for commands up to it, and Ratis' log would refuse a larger entry too, but naming its buffers instead
   * of this bound, and only after the leader's log worker received it.
   *
   * <p>A refusal is returned as a context carrying the exception, never thrown: Ratis turns the former into a
   * {@code StateMachineException} reply, while a thrown exception leaves the request's retry-cache entry
   * unanswered, so the client's retries of it (same call id) waited on that entry until their deadline.
   */
  @Override
  public TransactionContext startTransaction(RaftClientRequest request) {
    TransactionContext.Builder context = TransactionContext.newBuilder().setStateMachine(this)
        .setClientRequest(request);
    int size = request.getMessage().getContent().size();
    if (size > Codec.MAX_WRITE_BYTES + Codec.COMMAND_OVERHEAD_BYTES) {
      return refused(context, new IOException("DCS command of " + size + " bytes refused: the DCS accepts at most "
          + Codec.MAX_WRITE_BYTES + " bytes per write"));
    }
    Command command;
    try {
      command = Command.parseFrom(request.getMessage().getContent().asReadOnlyByteBuffer());
    } catch (InvalidProtocolBufferException e) {
      return refused(context, new IOException("not a pgquorum DCS command: " + e.getMessage(), e));
    }
    Command stamped = command.toBuilder().setStampMillis(System.currentTimeMillis()).build();
    return context.setLogData(ByteString.copyFrom(stamped.toByteArray())).build();
  }

  private static TransactionContext refused(TransactionContext.Builder context, IOException reason) {
    TransactionContext refused = context.build();
    refused.setException(reason);
    return refused;
  }

  @Override
  public synchronized CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    Reply reply;
    try {
      Command command = Command.parseFrom(entry.getStateMachineLogEntry().getLogData().asReadOnlyByteBuffer());
      reply = host.apply(entry.getIndex(), command);
      if (command.hasExpire() && reply.getSucceeded()) {
        LOG.info("Lease {} expired at revision {} (lease revision {})", command.getExpire().getKey(),
            entry.getIndex(), command.getExpire().getLeaseRevision());
      }
    } catch (InvalidProtocolBufferException e) {
      // Only possible with a corrupt log: startTransaction validated the bytes. Ratis merely logs a failed
      // future and keeps applying, which would let this member diverge silently; an exception thrown here
      // stops its state machine updater instead.
      throw new IllegalStateException("corrupt DCS log entry " + entry.getIndex(), e);
    }
    updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
    return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(reply.toByteArray())));
  }

  @Override
  public synchronized void notifyTermIndexUpdated(long term, long index) {
    super.notifyTermIndexUpdated(term, index);
  }

  @Override
  public CompletableFuture<Message> query(Message request) {
    Query query;
    try {
      query = parseQuery(request);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<QueryReply> reply = switch (query.getKindCase()) {
      case READ_PREFIX -> confirmedRead(() -> CompletableFuture.completedFuture(
          host.read(query.getReadPrefix().getPrefix())));
      case WATCH -> confirmedRead(() -> host.watch(StoreHost.prefixes(query.getWatch()),
          query.getWatch().getAfterRevision(), query.getWatch().getMaxWaitMillis(), timer));
      // Both are answered from a member's own state on purpose: they come as stale reads (queryStale).
      case LOCAL_REFRESH, TERM_CHECK -> CompletableFuture.failedFuture(
          new IOException("a " + query.getKindCase() + " query is sent as a stale read"));
      case KIND_NOT_SET -> CompletableFuture.failedFuture(new IOException("empty DCS query"));
    };
    return reply.thenApply(r -> Message.valueOf(ByteString.copyFrom(
        r.toBuilder().setMemberId(String.valueOf(getId())).build().toByteArray())));
  }

  /**
   * A linearizable read's own confirmation, on top of Ratis' ReadIndex (which runs before {@link #query} and
   * waits until this member applied the commit index it took). Ratis' round alone is not enough: in 3.3.0 a leader
   * answers a read whose commit index an earlier round already confirmed without asking anyone again
   * ({@code ReadIndexHeartbeats}: "the readIndex is already acknowledged before"), so a leader cut off from its
   * majority answers from its old state until it steps down, about one max election timeout later, while the
   * majority may already have elected a new leader that committed writes (found when {@code MemberBootTest} saw a
   * lone leader answer a read). So only the ready leader answers, and only like this:
   * <ol>
   *   <li>It reads its term {@code T}, checks that it is the ready leader, and reads {@code T} again: it led
   *       {@code T} at a moment after the read arrived, and (ready) has committed an entry of {@code T}, so its
   *       commit index {@code c}, taken next, covers every entry committed in a term up to {@code T} before that
   *       moment (Leader Completeness; in {@code T} only it commits).</li>
   *   <li>A majority of the voters (of both configurations in a membership change) then reports term {@code T}
   *       ({@link TermPoll}, each question sent after step 1). A member in {@code T} has voted in no later term,
   *       and a later leader needs a majority, which shares a member with this one; so no leader of a term after
   *       {@code T} was elected before those reports, and every write that completed before the read arrived was
   *       committed in a term up to {@code T}, at an index up to {@code c}.</li>
   *   <li>It answers from its state once it has applied {@code c}: everything completed before the read is in it,
   *       and everything in it was committed. Not yet applied (rare: a write committed between Ratis' index and
   *       {@code c}), the read is refused and the client asks again.</li>
   * </ol>
   * Everything else is refused ({@link UnservedRead}), naming the leader this member knows: followers
   * (Ratis serves linearizable reads on followers with the leader's ReadIndex, which has the same gap), members
   * still starting, a leader without its majority. The client sends its next attempt to the named leader.
   */
  private CompletableFuture<QueryReply> confirmedRead(Supplier<CompletableFuture<QueryReply>> answer) {
    if (bugs.active(DcsBug.READ_INDEX_ONLY)) {
      // PLANTED BUG read-index-only (fault-injection harness only): answered as soon as Ratis' ReadIndex let the
      // read through, by any member; the harness's register linearizability checker must catch a leader cut off
      // from its majority answering from its old state.
      return answer.get();
    }
    RaftServer.Division d = division;
    TermPoll poll = termPoll;
    if (d == null || poll == null) {
      return CompletableFuture.failedFuture(UnservedRead.refusal("member still starting", null));
    }
    long term = d.getInfo().getCurrentTerm();
    if (!d.getInfo().isLeader() || !d.getInfo().isLeaderReady() || d.getInfo().getCurrentTerm() != term) {
      RaftPeerId leader = d.getInfo().getLeaderId();
      return CompletableFuture.failedFuture(UnservedRead.refusal("not the ready Raft leader", leader));
    }
    long commit = d.getRaftLog().getLastCommittedIndex();
    RaftConfiguration conf = d.getRaftConf();
    CompletableFuture<Boolean> confirmed = poll.majorityInTerm(conf.getCurrentPeers(), getId(), term);
    if (!conf.getPreviousPeers().isEmpty()) {
      confirmed = confirmed.thenCombine(poll.majorityInTerm(conf.getPreviousPeers(), getId(), term),
          Boolean::logicalAnd);
    }
    return confirmed.thenCompose(yes -> {
      if (!yes) {
        return CompletableFuture.failedFuture(UnservedRead.refusal("no majority confirmed term " + term, null));
      }
      if (getLastAppliedTermIndex().getIndex() < commit) {
        return CompletableFuture.failedFuture(UnservedRead.refusal("commit index " + commit + " not applied yet",
            getId()));
      }
      return answer.get();
    });
  }

  /**
   * Local read without a quorum check. Overridden because Ratis 3.3.0's version never completes when
   * {@code minIndex} is ahead; our clients send {@code minIndex = 0}, answered at once with the view's age.
   */
  @Override
  public CompletableFuture<Message> queryStale(Message request, long minIndex) {
    Query query;
    try {
      query = parseQuery(request);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (query.hasTermCheck()) {
      RaftServer.Division d = division;
      long term = d == null ? -1 : d.getInfo().getCurrentTerm();
      return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(QueryReply.newBuilder()
          .setTerm(term).setMemberId(String.valueOf(getId())).build().toByteArray())));
    }
    if (query.hasLocalRefresh()) {
      return localRefresh(query.getLocalRefresh()).thenApply(r -> Message.valueOf(ByteString.copyFrom(
          r.toBuilder().setMemberId(String.valueOf(getId())).build().toByteArray())));
    }
    if (!query.hasReadPrefix()) {
      return CompletableFuture.failedFuture(new IOException("only prefix reads may be served stale"));
    }
    QueryReply reply = host.read(query.getReadPrefix().getPrefix()).toBuilder()
        .setViewAgeMillis(viewAgeMillis()).setMemberId(String.valueOf(getId())).build();
    return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(reply.toByteArray())));
  }

  /**
   * A leader-local lease refresh (see {@code LeaseTracker}, "Leader-local refresh"): served only by the ready
   * leader of a stable configuration, only for a refresh that would succeed, and answered only after a majority
   * confirmed this leader's term; everything else comes back {@code unserved}, and the client refreshes through
   * the log.
   */
  private CompletableFuture<QueryReply> localRefresh(Refresh refresh) {
    RaftServer.Division d = division;
    if (leaseRefresh != LeaseRefreshMode.LEADER_LOCAL) {
      return unserved("leader-local lease refresh is off on this member");
    }
    if (d == null || termPoll == null) {
      return unserved("member still starting");
    }
    if (bugs.active(DcsBug.REFRESH_WITHOUT_LEADERSHIP_CHECK)) {
      // PLANTED BUG refresh-without-leadership-check (fault-injection harness only): answered from this member's
      // own state at once, leader or not, with no majority confirming its term; the harness's lease-expiry
      // checker must see a lease vanish that such a refresh had promised to keep.
      StoreHost.LocalRefresh begun = host.beginLocalRefresh(d.getInfo().getCurrentTerm(), refresh);
      return begun.lease() == null ? unserved(begun.unserved())
          : CompletableFuture.completedFuture(served(begun.lease()));
    }
    // The term is read before and after the role: equal, they are the term this member led when it looked, so
    // the re-arm below for a new term happens after this member's election (LeaseTracker, rule 3).
    long term = d.getInfo().getCurrentTerm();
    if (!d.getInfo().isLeader() || !d.getInfo().isLeaderReady() || d.getInfo().getCurrentTerm() != term) {
      return unserved("not the ready Raft leader");
    }
    RaftConfiguration conf = d.getRaftConf();
    if (!conf.getPreviousPeers().isEmpty()) {
      // Joint consensus would need a majority of both configurations; rare enough to leave to the log.
      return unserved("membership change in progress");
    }
    Collection<RaftPeer> voters = conf.getCurrentPeers();
    StoreHost.LocalRefresh begun = host.beginLocalRefresh(term, refresh);
    if (begun.lease() == null) {
      return unserved(begun.unserved());
    }
    long leaseRevision = begun.lease().getLeaseRevision();
    // Every question is sent from here on, after the refresh arrived and its timer was re-armed (rule 2).
    return termPoll.majorityInTerm(voters, getId(), term).thenCompose(confirmed -> {
      if (!confirmed) {
        return unserved("no majority confirmed term " + term);
      }
      Entry now = host.get(refresh.getKey());
      if (now == null || now.getLeaseRevision() != leaseRevision) {
        // Re-created, deleted or expired meanwhile: what the refresh means now is for the log to decide.
        return unserved("lease changed while confirming");
      }
      return CompletableFuture.completedFuture(served(now));
    });
  }

  private QueryReply served(Entry lease) {
    long revision = host.lastIndex();
    return QueryReply.newBuilder().setRevision(revision)
        .setRefreshReply(Reply.newBuilder().setSucceeded(true).setRevision(revision).setEntry(lease)).build();
  }

  private static CompletableFuture<QueryReply> unserved(String why) {
    return CompletableFuture.completedFuture(QueryReply.newBuilder().setUnserved(why).build());
  }

  private static Query parseQuery(Message request) throws IOException {
    try {
      return Query.parseFrom(request.getContent().asReadOnlyByteBuffer());
    } catch (InvalidProtocolBufferException e) {
      throw new IOException("not a pgquorum DCS query", e);
    }
  }

  /** How long ago this member last had confirmed contact with a majority; -1 when unknown. */
  long viewAgeMillis() {
    observeContact();
    long last = lastContactNanos.get();
    return last == 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - last);
  }

  /**
   * Records the latest moment this member provably heard from a majority. Ratis' role info alone is not
   * enough: a member that fails an election goes back to FOLLOWER with a fresh timer and no leader, which
   * reads as "contact 0 ms ago". So only a follower that knows its leader, or a leader counting its
   * followers' responses, counts as contact; and the recorded moment only ever moves forward.
   */
  void observeContact() {
    RaftServer.Division d = division;
    if (d == null) {
      return;
    }
    RoleInfoProto role = d.getInfo().getRoleInfoProto();
    long ageMs = -1;
    switch (role.getPeerInfoCase()) {
      case FOLLOWERINFO: {
        ServerRpcProto leader = role.getFollowerInfo().getLeaderInfo();
        if (role.getFollowerInfo().hasLeaderInfo() && leader.hasId() && !leader.getId().getId().isEmpty()
            && d.getInfo().getLifeCycleState() == LifeCycle.State.RUNNING) {
          ageMs = leader.getLastRpcElapsedTimeMs() + leaderStepDownMillis;
        }
        break;
      }
      case LEADERINFO: {
        // The leader counts itself; it needs (majority - 1) followers, so the age is the
        // (majority - 1)-th most recent follower response.
        List<Long> elapsed = new ArrayList<>();
        for (ServerRpcProto f : role.getLeaderInfo().getFollowerInfoList()) {
          elapsed.add(f.getLastRpcElapsedTimeMs());
        }
        elapsed.sort(null);
        int needed = (elapsed.size() + 1) / 2;
        ageMs = needed == 0 ? 0 : elapsed.get(needed - 1);
        break;
      }
      default:
        break;
    }
    if (ageMs >= 0) {
      long at = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(ageMs);
      lastContactNanos.accumulateAndGet(at, Math::max);
    }
  }

  /**
   * Runs periodically: while this member is the ready Raft leader, proposes expiry of every lease its
   * {@link LeaseTracker} found run out. Submitted to the local server directly (no client, no network).
   */
  /** Whether this member is the Raft leader and has applied its term's first entry (it may propose expiries). */
  boolean isReadyLeader() {
    RaftServer.Division d = division;
    return d != null && d.getInfo().isLeader() && d.getInfo().isLeaderReady();
  }

  /** How long until a lease this member times can run out; see {@link StoreHost#nanosToNextExpiry}. */
  OptionalLong nanosToNextExpiry() {
    return host.nanosToNextExpiry();
  }

  /** Sets what runs when this member becomes the ready leader (replaces the previous; never blocks). */
  void onLeaderReady(Runnable hook) {
    leaderReadyHook = hook;
  }

  @Override
  public void notifyLeaderReady() {
    // On a Ratis thread, under its locks: only hands work to the member's timer (see DcsServer).
    leaderReadyHook.run();
  }

  void proposeDueExpiries(RaftServer server) {
    observeContact();
    RaftServer.Division d = division;
    long term = d == null ? 0 : d.getInfo().getCurrentTerm();
    if (d == null || !d.getInfo().isLeader() || !d.getInfo().isLeaderReady()) {
      host.clearExpiryProposals();
      return;
    }
    if (d.getInfo().getCurrentTerm() != term) {
      return; // leadership moved while we looked; the next tick decides
    }
    // A new term re-arms every lease first (LeaseTracker, rule 3), whatever this member's own refresh mode: an
    // earlier leader may have confirmed leader-local refreshes no follower's timer knows of, and a member that
    // serves none itself must still never expire such a lease early (a group changing modes member by member).
    List<Expire> due = host.dueExpiries(term);
    for (Expire expire : due) {
      LOG.info("Proposing expiry of lease {} (lease revision {}): not refreshed within its TTL",
          expire.getKey(), expire.getLeaseRevision());
      Command command = Command.newBuilder().setExpire(expire).build();
      RaftClientRequest request = RaftClientRequest.newBuilder()
          .setClientId(expiryClientId)
          .setServerId(server.getId())
          .setGroupId(getGroupId())
          .setCallId(expiryCallId.incrementAndGet())
          .setMessage(Message.valueOf(ByteString.copyFrom(command.toByteArray())))
          .setType(RaftClientRequest.writeRequestType())
          .build();
      try {
        server.submitClientRequestAsync(request).whenComplete((reply, error) -> {
          if (error != null || reply == null || !reply.isSuccess()) {
            host.expiryProposalFailed(expire);
          }
        });
      } catch (IOException e) {
        host.expiryProposalFailed(expire);
      }
    }
  }

  long lastAppliedIndex() {
    return host.lastIndex();
  }

  /**
   * A watch on this member's own applied state, with no Raft round and no RPC (see {@link DcsServer#watchLocal}).
   */
  CompletableFuture<QueryReply> watchLocal(List<String> prefixes, long afterRevision, long maxWaitMillis) {
    return host.watch(prefixes, afterRevision, maxWaitMillis, timer);
  }

  @Override
  public void close() throws IOException {
    try {
      super.close();
    } finally {
      TermPoll poll = termPoll;
      if (poll != null) {
        poll.close();
      }
    }
  }
}
