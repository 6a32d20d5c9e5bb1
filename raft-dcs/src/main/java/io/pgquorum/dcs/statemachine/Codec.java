package io.pgquorum.dcs.statemachine;

import com.google.protobuf.ByteString;
import io.pgquorum.dcs.api.DcsRejectedException;
import io.pgquorum.dcs.api.KeyValue;
import io.pgquorum.dcs.api.Precondition;
import io.pgquorum.dcs.api.WatchResult;
import io.pgquorum.dcs.api.WriteResult;
import io.pgquorum.dcs.proto.Command;
import io.pgquorum.dcs.proto.Entry;
import io.pgquorum.dcs.proto.QueryReply;
import io.pgquorum.dcs.proto.Reply;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Translation between the wire/log protobufs and the public API records. */
public final class Codec {
  /**
   * The largest write a client may send, in bytes of its serialized operation (key, value, precondition): 1 MiB.
   * Why a bound: each write is one Raft log entry, and Ratis' log refuses an entry larger than one AppendEntries
   * batch, whose size {@code RatisSettings} derives from this bound (with the log's write buffer, which must hold
   * a batch). Why 1 MiB: etcd refuses requests over 1.5 MiB by default, and pgquorum's largest values (the dynamic
   * configuration, the failover history, a member's status) are a few KiB; a small bound lets each member keep a
   * write buffer of about 1 MiB instead of Ratis' 8 MiB default, resident in every member for its whole life.
   */
  public static final int MAX_WRITE_BYTES = 1024 * 1024;

  /**
   * What the client's session fields and the leader's time stamp add to an operation (a 16-byte client id and
   * three varints of at most 10 bytes each, with their tags): the members refuse a command above
   * {@link #MAX_WRITE_BYTES} plus this.
   */
  public static final int COMMAND_OVERHEAD_BYTES = 256;

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

  /**
   * Client-side bound of a write ({@link #MAX_WRITE_BYTES}), naming the key or prefix it writes, so that an
   * oversized value fails fast with a clear message instead of a refusal from the members.
   */
  public static void checkWriteSize(Command.Builder op) {
    int size = op.build().getSerializedSize();
    if (size > MAX_WRITE_BYTES) {
      String target = switch (op.getOpCase()) {
        case PUT -> "the write of key " + shortened(op.getPut().getKey());
        case DELETE -> "the delete of key " + shortened(op.getDelete().getKey());
        case DELETE_PREFIX -> "the delete of prefix " + shortened(op.getDeletePrefix().getPrefix());
        case REFRESH -> "the refresh of key " + shortened(op.getRefresh().getKey());
        default -> "the write";
      };
      throw new IllegalArgumentException(target + " is " + size + " bytes; the DCS accepts at most "
          + MAX_WRITE_BYTES + " bytes per write (key, value and condition together)");
    }
  }

  /** A key as an error message shows it: whole up to 100 characters (an oversized key may be the offence). */
  private static String shortened(String key) {
    return key.length() <= 100 ? key : key.substring(0, 100) + "... (" + key.length() + " characters)";
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
