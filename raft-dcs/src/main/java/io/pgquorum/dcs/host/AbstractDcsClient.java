package io.pgquorum.dcs.host;

import com.google.protobuf.ByteString;
import io.pgquorum.dcs.api.Dcs;
import io.pgquorum.dcs.api.DcsException;
import io.pgquorum.dcs.api.KeyValue;
import io.pgquorum.dcs.api.LocalView;
import io.pgquorum.dcs.api.Precondition;
import io.pgquorum.dcs.api.PrefixSnapshot;
import io.pgquorum.dcs.api.WatchResult;
import io.pgquorum.dcs.api.WriteResult;
import io.pgquorum.dcs.proto.Command;
import io.pgquorum.dcs.proto.Delete;
import io.pgquorum.dcs.proto.DeletePrefix;
import io.pgquorum.dcs.proto.Failure;
import io.pgquorum.dcs.proto.Put;
import io.pgquorum.dcs.proto.Query;
import io.pgquorum.dcs.proto.QueryReply;
import io.pgquorum.dcs.proto.ReadPrefix;
import io.pgquorum.dcs.proto.Refresh;
import io.pgquorum.dcs.proto.Reply;
import io.pgquorum.dcs.proto.Watch;
import io.pgquorum.dcs.statemachine.Codec;
import io.pgquorum.dcs.statemachine.KvStore;
import java.time.Duration;
import java.util.Optional;

/**
 * The {@link Dcs} API written once over three transport primitives, so that the in-memory and the Ratis
 * implementations cannot drift apart in argument checking, encoding or result mapping.
 */
public abstract class AbstractDcsClient implements Dcs {
  private final String ownerId;
  private volatile ClientSession session = new ClientSession();

  protected AbstractDcsClient(String ownerId) {
    if (ownerId == null || ownerId.isBlank()) {
      throw new IllegalArgumentException("ownerId must be a non-blank string");
    }
    this.ownerId = ownerId;
  }

  /** Replicates {@code command} and returns its reply; must retry with the same command until a deadline. */
  protected abstract Reply submit(Command command);

  /**
   * As {@link #submit(Command)}, within {@code timeout} instead of the client's whole operation timeout (what is left
   * of it after a leader-local refresh was not served). The default ignores the bound.
   */
  protected Reply submit(Command command, java.time.Duration timeout) {
    return submit(command);
  }

  /** A linearizable query (a watch waits as long as the query itself asks). */
  protected abstract QueryReply query(Query query);

  /** A query answered from the local member's applied state without a quorum check. */
  protected abstract QueryReply queryLocal(Query query);

  /**
   * A refresh answered by the Raft leader without a log entry (leader-local mode), or null when the leader did not
   * serve it, or this client does not use that mode: then {@link #refresh} replicates it. Only a success may be
   * returned, with the same guarantee as a logged refresh. The default serves nothing.
   */
  protected Reply refreshLocally(Refresh refresh) {
    return null;
  }

  @Override
  public String ownerId() {
    return ownerId;
  }

  private Reply replicate(Command.Builder builder) {
    return replicate(builder, null);
  }

  /** {@code timeout} null: the client's operation timeout. */
  private Reply replicate(Command.Builder builder, Duration timeout) {
    Codec.checkWriteSize(builder);
    ClientSession current = session;
    Command command = current.begin(builder);
    try {
      Reply reply;
      try {
        reply = timeout == null ? submit(command) : submit(command, timeout);
      } catch (RuntimeException e) {
        if (!current.confirmed()) {
          // Only a session's first command creates it in the state machine, and every later one from an unknown
          // session is refused as "session expired". If that first command's outcome is unknown (a timeout) and
          // the session never got an answer, the next command on it would be refused although nothing of this
          // session may ever have been applied, and its outcome would wrongly read as unknown. A fresh session
          // avoids that: "session expired" then only ever means the DCS dropped a session it knew.
          swapSession(current);
        }
        throw e;
      }
      if (reply.getFailure() == Failure.INVALID && reply.getDetail().startsWith(KvStore.SESSION_EXPIRED)) {
        // The DCS dropped our session (more clients than it remembers). Whether an earlier attempt of this
        // command was applied is unknowable, so say so instead of retrying blindly; later calls use a new session.
        swapSession(current);
        throw new DcsException("the DCS no longer remembers this client's session, so the outcome of this "
            + "write is unknown; re-read the key before retrying (" + reply.getDetail() + ")");
      }
      current.confirm();
      if (reply.getFailure() == Failure.INVALID && reply.getDetail().startsWith(KvStore.REPLY_FORGOTTEN)) {
        // The session no longer holds this seq's reply (it overflowed its bound while this command was being
        // retried): an earlier attempt may have been applied, so this is no refusal but an unknown outcome.
        throw new DcsException("the DCS no longer holds the reply to this write, so its outcome is unknown; "
            + "re-read the key before retrying (" + reply.getDetail() + ")");
      }
      return reply;
    } finally {
      // Given up or answered: either way this seq will never be sent again. The state machine still keeps
      // the reply until it learns (acked_below) that we moved on, which is what makes a late retry safe.
      current.finished(command);
    }
  }

  private synchronized void swapSession(ClientSession old) {
    if (session == old) {
      session = new ClientSession();
    }
  }

  /** The session the next command will use (tests). */
  ClientSession session() {
    return session;
  }

  @Override
  public PrefixSnapshot read(String prefix) {
    checkPrefix(prefix);
    QueryReply reply = query(readQuery(prefix));
    return new PrefixSnapshot(prefix, reply.getRevision(), Codec.toKeyValues(reply.getEntriesList()));
  }

  @Override
  public Optional<KeyValue> get(String key) {
    Codec.checkKey("key", key);
    return read(key).get(key);
  }

  @Override
  public LocalView readLocal(String prefix) {
    checkPrefix(prefix);
    QueryReply reply = queryLocal(readQuery(prefix));
    PrefixSnapshot snapshot =
        new PrefixSnapshot(prefix, reply.getRevision(), Codec.toKeyValues(reply.getEntriesList()));
    Optional<Duration> age = reply.getViewAgeMillis() < 0
        ? Optional.empty() : Optional.of(Duration.ofMillis(reply.getViewAgeMillis()));
    return new LocalView(snapshot, reply.getMemberId(), age);
  }

  @Override
  public WriteResult put(String key, String value, Precondition condition, Duration ttl) {
    Codec.checkKey("key", key);
    if (value == null) {
      throw new IllegalArgumentException("value must not be null (use delete to remove a key)");
    }
    if (condition == null) {
      throw new IllegalArgumentException("condition must not be null (use Precondition.none())");
    }
    Put.Builder put = Put.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8(value))
        .setTtlMillis(Codec.ttlMillis(ttl)).setOwner(ownerId);
    io.pgquorum.dcs.proto.Precondition proto = Codec.toProto(condition);
    if (proto != null) {
      put.setCondition(proto);
    }
    return Codec.toWriteResult(replicate(Command.newBuilder().setPut(put)));
  }

  @Override
  public WriteResult refresh(String key, long createRevision) {
    Codec.checkKey("key", key);
    if (createRevision < 0) {
      throw new IllegalArgumentException("createRevision must be >= 0, got " + createRevision);
    }
    Refresh refresh = Refresh.newBuilder().setKey(key).setOwner(ownerId).setCreateRevision(createRevision).build();
    long start = System.nanoTime();
    Reply local = refreshLocally(refresh);
    if (local != null) {
      return Codec.toWriteResult(local);
    }
    Duration spent = Duration.ofNanos(System.nanoTime() - start);
    return Codec.toWriteResult(replicate(Command.newBuilder().setRefresh(refresh), remainingAfter(spent)));
  }

  @Override
  public WriteResult delete(String key, Precondition condition) {
    Codec.checkKey("key", key);
    if (condition == null) {
      throw new IllegalArgumentException("condition must not be null (use Precondition.none())");
    }
    Delete.Builder delete = Delete.newBuilder().setKey(key);
    io.pgquorum.dcs.proto.Precondition proto = Codec.toProto(condition);
    if (proto != null) {
      delete.setCondition(proto);
    }
    return Codec.toWriteResult(replicate(Command.newBuilder().setDelete(delete)));
  }

  @Override
  public long deletePrefix(String prefix) {
    checkPrefix(prefix);
    if (prefix.isEmpty()) {
      // Wiping the whole store by passing "" is far more likely a bug than an intent.
      throw new IllegalArgumentException("prefix must not be empty for deletePrefix");
    }
    Reply reply = replicate(Command.newBuilder().setDeletePrefix(DeletePrefix.newBuilder().setPrefix(prefix)));
    return Codec.toWriteResult(reply).deleted();
  }

  @Override
  public WatchResult watch(String prefix, long afterRevision, Duration maxWait) {
    return watch(java.util.List.of(prefix), afterRevision, maxWait);
  }

  /** Names every prefix to the DCS (a member that predates {@code more_prefixes} watches the first alone). */
  @Override
  public WatchResult watch(java.util.List<String> prefixes, long afterRevision, Duration maxWait) {
    Codec.checkWatch(prefixes, maxWait);
    Query query = Query.newBuilder().setWatch(Watch.newBuilder().setPrefix(prefixes.get(0))
        .addAllMorePrefixes(prefixes.subList(1, prefixes.size()))
        .setAfterRevision(afterRevision).setMaxWaitMillis(maxWait.toMillis())).build();
    return Codec.toWatchResult(query(query));
  }

  /**
   * The bound left for the logged refresh after a leader-local attempt took {@code spent}; null (the whole
   * operation timeout) for clients without a bound of their own. Never below a small floor, so that a fallback
   * after a slow local attempt still gets one try.
   */
  protected Duration remainingAfter(Duration spent) {
    return null;
  }

  private static Query readQuery(String prefix) {
    return Query.newBuilder().setReadPrefix(ReadPrefix.newBuilder().setPrefix(prefix)).build();
  }

  private static void checkPrefix(String prefix) {
    if (prefix == null) {
      throw new IllegalArgumentException("prefix must not be null (use \"\" for all keys)");
    }
  }
}
