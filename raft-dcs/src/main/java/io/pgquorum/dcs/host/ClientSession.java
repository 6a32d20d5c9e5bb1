package io.pgquorum.dcs.host;

import com.google.protobuf.ByteString;
import io.pgquorum.dcs.proto.Command;
import java.nio.ByteBuffer;
import java.util.TreeSet;
import java.util.UUID;

/**
 * A client's exactly-once session: a random id and a sequence number per command. Every retry of a command
 * re-sends the same {@code (client_id, seq)}, so the state machine applies it at most once. {@code
 * acked_below} tells the state machine which replies it may forget: every command below the oldest
 * outstanding one has been answered.
 */
public final class ClientSession {
  private final ByteString id;
  /** Runs between taking a seq and stamping acked_below (tests force an interleaving there). */
  private final Runnable afterSeqTaken;
  private long nextSeq = 1;
  private final TreeSet<Long> outstanding = new TreeSet<>();
  private volatile boolean confirmed;

  public ClientSession() {
    this(() -> {});
  }

  ClientSession(Runnable afterSeqTaken) {
    this.afterSeqTaken = afterSeqTaken;
    UUID uuid = UUID.randomUUID();
    ByteBuffer buffer = ByteBuffer.allocate(16);
    buffer.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
    this.id = ByteString.copyFrom(buffer.array());
  }

  /**
   * Stamps a fresh sequence number on {@code command}; pair with {@link #finished(Command)}.
   *
   * <p>Taking the seq, recording it as outstanding and reading the oldest outstanding one are one atomic step:
   * otherwise a concurrent caller can take seq n+1 and stamp acked_below = n+1 before seq n is recorded, and the
   * state machine then refuses the never-applied command n as "duplicate of an acknowledged command" (CI saw it
   * with 16 writers on one client).
   */
  public synchronized Command begin(Command.Builder command) {
    long seq = nextSeq++;
    afterSeqTaken.run();
    outstanding.add(seq);
    return command.setClientId(id).setSeq(seq).setAckedBelow(outstanding.first()).build();
  }

  /**
   * The state machine answered a command of this session. Once it has, the session exists there (its first
   * command, the one that creates it, was applied), and "session expired" can only mean it was dropped.
   */
  public void confirm() {
    confirmed = true;
  }

  public boolean confirmed() {
    return confirmed;
  }

  /** The id sent with every command (tests). */
  ByteString id() {
    return id;
  }

  /** The reply for {@code command} was received (or the caller gave up on it for good). */
  public synchronized void finished(Command command) {
    outstanding.remove(command.getSeq());
  }
}
