package io.pgquorum.dcs.statemachine;

import com.google.protobuf.ByteString;
import io.pgquorum.dcs.proto.CachedReply;
import io.pgquorum.dcs.proto.Failure;
import io.pgquorum.dcs.proto.Reply;
import io.pgquorum.dcs.proto.Session;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Client sessions for exactly-once application: per client, the replies to commands whose reply the client
 * may not have received yet.
 *
 * <p>Bounded deterministically: a client tells us (acked_below) which replies it no longer needs, and when
 * there are more than {@code maxSessions} sessions the one least recently active (by log index, never by a
 * clock) is dropped. A command from an unknown client with {@code seq > 1} belongs to a dropped session and
 * gets INVALID ("session expired") rather than a possible second application; the client then starts a new
 * session. Known limit: a retry of a client's very first command (seq 1) after its session was dropped
 * cannot be told from a new session; that takes more than {@code maxSessions} other clients writing between
 * the first attempt and its retry.
 */
final class Sessions {

  static final int DEFAULT_MAX_SESSIONS = 4096;
  /** A misbehaving client must not grow the state without bound: at most this many unacknowledged replies. */
  static final int MAX_REPLIES_PER_SESSION = 1024;

  private static final class State {
    long lastIndex;
    long ackedBelow;
    final TreeMap<Long, Reply> replies = new TreeMap<>();
  }

  private final int maxSessions;
  private final Map<ByteString, State> byClient = new HashMap<>();

  Sessions(int maxSessions) {
    this.maxSessions = maxSessions;
  }

  /**
   * Returns the cached reply when (client, seq) was applied before, a session-expired reply when the seq is
   * older than anything remembered, or null when the command is new and must be executed.
   */
  Reply lookup(ByteString clientId, long seq, long ackedBelow, long index) {
    State state = byClient.get(clientId);
    if (state == null) {
      if (seq > 1) {
        return Reply.newBuilder().setSucceeded(false).setRevision(index).setFailure(Failure.INVALID)
            .setDetail(KvStore.SESSION_EXPIRED + " (seq " + seq + " from a client this DCS no longer remembers)")
            .build();
      }
      return null;
    }
    state.lastIndex = index;
    if (ackedBelow > state.ackedBelow) {
      state.ackedBelow = ackedBelow;
      state.replies.headMap(ackedBelow).clear();
    }
    Reply cached = state.replies.get(seq);
    if (cached != null) {
      return cached;
    }
    if (seq < state.ackedBelow) {
      // The client said it already has this reply; a replay of it must not execute again.
      return Reply.newBuilder().setSucceeded(false).setRevision(index).setFailure(Failure.INVALID)
          .setDetail(KvStore.REPLY_FORGOTTEN + " (seq " + seq + ")").build();
    }
    return null;
  }

  void remember(ByteString clientId, long seq, long ackedBelow, Reply reply, long index) {
    State state = byClient.computeIfAbsent(clientId, id -> new State());
    state.ackedBelow = Math.max(state.ackedBelow, ackedBelow);
    state.lastIndex = index;
    state.replies.put(seq, reply);
    while (state.replies.size() > MAX_REPLIES_PER_SESSION) {
      long oldest = state.replies.firstKey();
      state.replies.remove(oldest);
      state.ackedBelow = Math.max(state.ackedBelow, oldest + 1);
    }
    if (byClient.size() > maxSessions) {
      evictLeastRecent();
    }
  }

  private void evictLeastRecent() {
    ByteString victim = null;
    long oldest = Long.MAX_VALUE;
    for (Map.Entry<ByteString, State> e : byClient.entrySet()) {
      // Ties cannot happen: every apply stamps a distinct log index.
      if (e.getValue().lastIndex < oldest) {
        oldest = e.getValue().lastIndex;
        victim = e.getKey();
      }
    }
    byClient.remove(victim);
  }

  int size() {
    return byClient.size();
  }

  List<Session> toProto() {
    List<Session> out = new ArrayList<>(byClient.size());
    byClient.entrySet().stream()
        .sorted(Map.Entry.comparingByKey(ByteString.unsignedLexicographicalComparator()))
        .forEach(e -> {
          Session.Builder session = Session.newBuilder()
              .setClientId(e.getKey())
              .setLastIndex(e.getValue().lastIndex)
              .setAckedBelow(e.getValue().ackedBelow);
          e.getValue().replies.forEach((seq, reply) ->
              session.addReplies(CachedReply.newBuilder().setSeq(seq).setReply(reply)));
          out.add(session.build());
        });
    return out;
  }

  void restore(List<Session> saved) {
    byClient.clear();
    for (Session session : saved) {
      State state = new State();
      state.lastIndex = session.getLastIndex();
      state.ackedBelow = session.getAckedBelow();
      for (CachedReply cached : session.getRepliesList()) {
        state.replies.put(cached.getSeq(), cached.getReply());
      }
      byClient.put(session.getClientId(), state);
    }
  }
}
