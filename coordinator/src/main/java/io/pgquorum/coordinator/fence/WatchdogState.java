package io.pgquorum.coordinator.fence;

import java.util.Optional;

/**
 * The watchdog's decisions, pure and clock-free (every input carries its time), so the deadline rules are tested
 * with a fake clock ({@code WatchdogStateTest}); {@link WatchdogMain} only feeds it and runs the fence.
 *
 * <p>Rules:
 * <ul>
 *   <li>{@code ARM r} read at {@code t} sets the deadline to {@code t + r}; a newer ARM replaces it (even an
 *       earlier deadline: the daemon's latest word wins).
 *   <li>The deadline is measured from when the line was read, not when it was written: the pipe adds the time
 *       the line waits to be read (microseconds while the watchdog runs), which the lease margin
 *       (retry_timeout, the difference between the DCS's ttl and the daemon's deadline) covers together with
 *       the time an immediate stop takes.
 *   <li>When an armed deadline passes before a newer ARM was read, fence once and disarm.
 *   <li>Never armed, or disarmed: never fence. Bad lines change nothing.
 *   <li>End of input (the daemon died) or EXIT: keep the deadline; fence at it if armed, then finish; finish
 *       at once if disarmed.
 * </ul>
 */
public final class WatchdogState {
  private boolean armed;
  private long deadlineNanos;
  private boolean inputEnded;

  /** What one input line caused. */
  public record Step(boolean fenceNow, Optional<String> problem) {
    static final Step NOTHING = new Step(false, Optional.empty());
  }

  /**
   * Feeds one line read at {@code readNanos}; {@code null} means end of input. {@link Step#fenceNow()} is true
   * when the armed deadline had already passed when the line was read (the caller fences, then the line
   * applies).
   */
  public Step receive(String line, long readNanos) {
    boolean overdue = due(readNanos);
    if (overdue) {
      armed = false;
    }
    if (inputEnded) {
      return new Step(overdue, Optional.empty());
    }
    if (line == null) {
      inputEnded = true;
      return new Step(overdue, Optional.empty());
    }
    WatchdogCommand cmd;
    try {
      cmd = WatchdogCommand.parse(line);
    } catch (IllegalArgumentException e) {
      return new Step(overdue, Optional.of("ignoring bad line " + printable(line) + ": " + e.getMessage()));
    }
    if (cmd instanceof WatchdogCommand.Arm a) {
      armed = true;
      deadlineNanos = readNanos + a.remainingMillis() * 1_000_000L;
    } else if (cmd instanceof WatchdogCommand.Disarm) {
      armed = false;
    } else {
      inputEnded = true;
    }
    return overdue ? new Step(true, Optional.empty()) : Step.NOTHING;
  }

  /** True (once) when the armed deadline has passed at {@code nowNanos}: the caller fences; this disarms. */
  public boolean tick(long nowNanos) {
    if (due(nowNanos)) {
      armed = false;
      return true;
    }
    return false;
  }

  /** How long the caller may wait for input before the next {@link #tick}; {@code Long.MAX_VALUE}: no deadline. */
  public long waitNanos(long nowNanos) {
    return armed ? Math.max(0, deadlineNanos - nowNanos) : Long.MAX_VALUE;
  }

  /** Input ended and nothing is armed: the watchdog exits. */
  public boolean finished() {
    return inputEnded && !armed;
  }

  public boolean armed() {
    return armed;
  }

  private boolean due(long nowNanos) {
    return armed && nowNanos - deadlineNanos >= 0;
  }

  private static String printable(String line) {
    String cut = line.length() > 40 ? line.substring(0, 40) + "..." : line;
    StringBuilder sb = new StringBuilder("\"");
    for (char c : cut.toCharArray()) {
      sb.append(c < 32 || c > 126 ? '?' : c);
    }
    return sb.append('"').toString();
  }
}
