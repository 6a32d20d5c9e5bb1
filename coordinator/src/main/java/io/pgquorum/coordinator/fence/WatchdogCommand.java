package io.pgquorum.coordinator.fence;

/**
 * One line of the daemon-to-watchdog protocol (ASCII text on the watchdog's standard input, one command per
 * line):
 * <ul>
 *   <li>{@code ARM <deadlineNanos>}: the lease is valid until this instant of the monotonic clock
 *       ({@link System#nanoTime()}, CLOCK_MONOTONIC on Linux, which every process of the machine shares). An
 *       absolute instant, so that a line read late never moves the deadline;
 *   <li>{@code DISARM}: nothing to fence any more (lease gone and PostgreSQL verifiably stopped);
 *   <li>{@code EXIT}: the daemon shuts down cleanly; same as end of input (fence first if still armed).
 * </ul>
 * Anything else is a bad line: reported and ignored, never a reason to fence.
 *
 * <p>The other direction (the watchdog's standard output): {@code READY <nanoTime>} once it reads its input, with
 * its own clock reading, which the daemon checks against its own (see {@link WatchdogProcess}); and
 * {@code DEVICE-ACTIVE}, {@code DEVICE-CLOSED}, {@code DEVICE-FAILED <reason>} about the kernel watchdog device.
 */
public sealed interface WatchdogCommand {
  /** The lease runs out at {@code deadlineNanos} on the shared monotonic clock. */
  record Arm(long deadlineNanos) implements WatchdogCommand {
    @Override
    public String toLine() {
      return "ARM " + deadlineNanos;
    }
  }

  /** Nothing left to fence. */
  record Disarm() implements WatchdogCommand {
    @Override
    public String toLine() {
      return "DISARM";
    }
  }

  /** Clean shutdown of the daemon. */
  record Exit() implements WatchdogCommand {
    @Override
    public String toLine() {
      return "EXIT";
    }
  }

  /** The line as sent (without the newline). */
  String toLine();

  /**
   * Parses one line (surrounding whitespace ignored; commands are upper case).
   *
   * @throws IllegalArgumentException with a short reason for a bad line
   */
  static WatchdogCommand parse(String line) {
    String t = line.strip();
    if (t.equals("DISARM")) {
      return new Disarm();
    }
    if (t.equals("EXIT")) {
      return new Exit();
    }
    if (t.startsWith("ARM ")) {
      String n = t.substring(4).strip();
      String digits = n.startsWith("-") ? n.substring(1) : n;
      if (digits.isEmpty() || digits.length() > 19 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw new IllegalArgumentException("ARM needs a deadline in nanoseconds of the monotonic clock");
      }
      try {
        return new Arm(Long.parseLong(n));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("ARM deadline " + n + " is out of range");
      }
    }
    throw new IllegalArgumentException("unknown command");
  }
}
