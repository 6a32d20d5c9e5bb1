package io.pgquorum.jepsen.history;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The one place events get their index and time. Every event of a run, from every client thread, the nemesis and
 * the observers, is stamped here from a single monotonic clock, under one lock, so history order is time order.
 * When a file is given, every event is also appended to it as a JSON line at once (a crashed run leaves a usable
 * history).
 */
public final class HistoryRecorder implements AutoCloseable {
  private final LongSupplier clock;
  private final long origin;
  private final List<Op> ops = new ArrayList<>();
  private final BufferedWriter out;

  /** Records in memory only, on {@link System#nanoTime()}. */
  public HistoryRecorder() {
    this(System::nanoTime, null);
  }

  /**
   * @param clock nanosecond monotonic clock (tests pass a fake)
   * @param jsonl file to append JSON lines to, or null
   */
  public HistoryRecorder(LongSupplier clock, Path jsonl) {
    this.clock = clock;
    this.origin = clock.getAsLong();
    try {
      this.out = jsonl == null ? null : Files.newBufferedWriter(jsonl, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write history to " + jsonl, e);
    }
  }

  /** Stamps and appends {@code op}; returns the stamped event (keep it to complete an invocation). */
  public synchronized Op record(Op op) {
    Op stamped = op.stamped(ops.size(), clock.getAsLong() - origin);
    ops.add(stamped);
    if (out != null) {
      try {
        out.write(HistoryJson.toLine(stamped));
        out.write('\n');
        out.flush();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot append to the history file", e);
      }
    }
    return stamped;
  }

  /** Nanoseconds since the run began, on the recorder's clock (for schedules and bounds). */
  public long now() {
    return clock.getAsLong() - origin;
  }

  /** What has been recorded so far. */
  public synchronized History history() {
    return new History(ops);
  }

  @Override
  public synchronized void close() {
    if (out != null) {
      try {
        out.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
