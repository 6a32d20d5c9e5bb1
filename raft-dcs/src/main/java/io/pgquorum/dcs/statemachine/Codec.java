package io.pgquorum.dcs.statemachine;

import com.google.protobuf.ByteString;
import io.pgquorum.dcs.api.DcsRejectedException;
import io.pgquorum.dcs.api.KeyValue;
import io.pgquorum.dcs.api.Precondition;
import io.pgquorum.dcs.api.WatchResult;
import io.pgquorum.dcs.api.WriteResult;
import io.pgquorum.dcs.proto.Entry;
import io.pgquorum.dcs.proto.QueryReply;
import io.pgquorum.dcs.proto.Reply;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Translation between the wire/log protobufs and the public API records. */
public final class Codec {
  private Codec() {}

  public static KeyValue toKeyValue(Entry e) {
    return new KeyValue(e.getKey(), e.getValue().toStringUtf8(), e.getCreateRevision(), e.getModRevision(),
        e.getVersion(), Duration.ofMillis(e.getTtlMillis()), e.getLeaseRevision(), e.getOwner(),
        Instant.ofEpochMilli(e.getUpdatedAtMillis()));
  }

  public static List<KeyValue> toKeyValues(List<Entry> entries) {
    return entries.stream().map(Codec::toKeyValue).toList();
  }

  /** Null for {@link Precondition#none()}, so the proto field stays unset. */
  public static io.pgquorum.dcs.proto.Precondition toProto(Precondition condition) {
    if (condition instanceof Precondition.Absent) {
      return io.pgquorum.dcs.proto.Precondition.newBuilder().setAbsent(true).build();
    }
    if (condition instanceof Precondition.ModRevision m) {
      return io.pgquorum.dcs.proto.Precondition.newBuilder().setModRevision(m.revision()).build();
    }
    if (condition instanceof Precondition.Value v) {
      return io.pgquorum.dcs.proto.Precondition.newBuilder().setValue(ByteString.copyFromUtf8(v.value())).build();
    }
    return null;
  }

  /** Turns a deterministic reply into the API result; INVALID becomes a {@link DcsRejectedException}. */
  public static WriteResult toWriteResult(Reply reply) {
    Optional<KeyValue> entry = reply.hasEntry() ? Optional.of(toKeyValue(reply.getEntry())) : Optional.empty();
    WriteResult.Outcome outcome = switch (reply.getFailure()) {
      case FAILURE_NONE -> WriteResult.Outcome.OK;
      case CONDITION_FAILED -> WriteResult.Outcome.CONDITION_FAILED;
      case NOT_FOUND -> WriteResult.Outcome.NOT_FOUND;
      case NOT_OWNER -> WriteResult.Outcome.NOT_OWNER;
      case INVALID, UNRECOGNIZED -> throw new DcsRejectedException("DCS rejected the request: " + reply.getDetail());
    };
    return new WriteResult(outcome, reply.getRevision(), entry, reply.getDeleted(), reply.getDetail());
  }

  /** A watch query's answer as the API's result: the waking change's revision, or the member's on a timeout. */
  public static WatchResult toWatchResult(QueryReply reply) {
    return new WatchResult(reply.getChanged(), reply.getChanged() ? reply.getChangeRevision() : reply.getRevision());
  }

  /** A watch's arguments: at least one prefix, none null, and a non-negative wait. */
  public static void checkWatch(List<String> prefixes, Duration maxWait) {
    if (prefixes == null || prefixes.isEmpty()) {
      throw new IllegalArgumentException("prefixes must name at least one prefix");
    }
    if (prefixes.stream().anyMatch(java.util.Objects::isNull)) { // not contains(null): List.of refuses the question
      throw new IllegalArgumentException("prefix must not be null (use \"\" for all keys)");
    }
    if (maxWait == null || maxWait.isNegative()) {
      throw new IllegalArgumentException("maxWait must be a non-negative duration, got " + maxWait);
    }
  }

  /** Client-side validation, so that a bad argument fails fast with its name instead of a round trip. */
  public static void checkKey(String argument, String key) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException(argument + " must be a non-empty string");
    }
  }

  public static long ttlMillis(Duration ttl) {
    if (ttl == null) {
      return 0;
    }
    if (ttl.isNegative()) {
      throw new IllegalArgumentException("ttl must not be negative, got " + ttl);
    }
    if (!ttl.isZero() && ttl.toMillis() == 0) {
      throw new IllegalArgumentException("ttl must be at least 1 ms, got " + ttl);
    }
    return ttl.toMillis();
  }
}
