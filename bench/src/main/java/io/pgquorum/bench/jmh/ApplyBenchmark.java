package io.pgquorum.bench.jmh;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.pgquorum.dcs.host.StoreHost;
import io.pgquorum.dcs.lease.LeaseTracker;
import io.pgquorum.dcs.proto.Command;
import io.pgquorum.dcs.proto.Precondition;
import io.pgquorum.dcs.proto.Put;
import io.pgquorum.dcs.proto.Reply;
import io.pgquorum.dcs.statemachine.KvStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The DCS state machine's apply path for a leader-lock compare-and-set (a put of the leader key with a lease,
 * conditional on its value), without Ratis and without I/O.
 *
 * <ul>
 *   <li>{@link #stateMachineApplyCas}: what {@code DcsStateMachine.applyTransaction} does per committed entry:
 *       decode the log entry's bytes, apply through {@link StoreHost} (store, client session, lease timer,
 *       change history) and encode the reply.
 *   <li>{@link #kvStoreApplyCas}: {@link KvStore#apply} alone, on an already decoded command without a client
 *       session.
 * </ul>
 *
 * <p>Every invocation must be a new command of the client session (a repeated sequence number would be answered
 * from the session's cache instead of executing), so the session fields are appended to pre-encoded bytes per
 * invocation: protobuf merges fields in any order, and writing two varints is the only cost this adds.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ApplyBenchmark {
  static final String KEY = "/service/batman/leader";
  static final String VALUE = "postgresql-node-1";

  private StoreHost host;
  private byte[] entry;
  private int headLength;
  private long hostIndex;
  private long seq;

  private KvStore store;
  private Command decoded;
  private long storeIndex;

  @Setup
  public void setUp() {
    host = new StoreHost(new LeaseTracker(System::nanoTime, LeaseTracker.DEFAULT_MAX_CLOCK_RATE_DRIFT));
    store = new KvStore();
    Command first = Command.newBuilder().setPut(leaderPut(false)).build();
    host.apply(++hostIndex, first);
    store.apply(++storeIndex, first);
    // As the leader writes it into the log: session id, stamp and the operation; seq and acked_below follow.
    byte[] head = Command.newBuilder()
        .setClientId(ByteString.copyFrom(new byte[16]))
        .setStampMillis(1_767_607_872_000L)
        .setPut(leaderPut(true))
        .build().toByteArray();
    headLength = head.length;
    entry = new byte[headLength + 2 * (1 + CodedOutputStream.computeUInt64SizeNoTag(Long.MAX_VALUE))];
    System.arraycopy(head, 0, entry, 0, headLength);
    decoded = Command.newBuilder().setStampMillis(1_767_607_872_000L).setPut(leaderPut(true)).build();
  }

  private static Put leaderPut(boolean conditional) {
    Put.Builder put = Put.newBuilder().setKey(KEY).setValue(ByteString.copyFromUtf8(VALUE)).setTtlMillis(30_000)
        .setOwner(VALUE);
    if (conditional) {
      put.setCondition(Precondition.newBuilder().setValue(ByteString.copyFromUtf8(VALUE)));
    }
    return put.build();
  }

  /** Decode the log entry, apply it through the member's store host, encode the reply. */
  @Benchmark
  public byte[] stateMachineApplyCas() throws InvalidProtocolBufferException {
    long s = ++seq;
    int length = headLength + appendSession(s);
    Command command = Command.parseFrom(ByteBuffer.wrap(entry, 0, length));
    Reply reply = host.apply(++hostIndex, command);
    if (!reply.getSucceeded()) {
      throw new IllegalStateException("compare-and-set failed in the benchmark: " + reply);
    }
    return reply.toByteArray();
  }

  /** The pure store's apply of an already decoded compare-and-set. */
  @Benchmark
  public Reply kvStoreApplyCas() {
    Reply reply = store.apply(++storeIndex, decoded).reply();
    if (!reply.getSucceeded()) {
      throw new IllegalStateException("compare-and-set failed in the benchmark: " + reply);
    }
    return reply;
  }

  /** Writes seq and acked_below (= seq: every earlier reply arrived) after the head; returns the bytes written. */
  private int appendSession(long s) {
    CodedOutputStream out = CodedOutputStream.newInstance(entry, headLength, entry.length - headLength);
    try {
      out.writeUInt64(Command.SEQ_FIELD_NUMBER, s);
      out.writeUInt64(Command.ACKED_BELOW_FIELD_NUMBER, s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return entry.length - headLength - out.spaceLeft();
  }
}
