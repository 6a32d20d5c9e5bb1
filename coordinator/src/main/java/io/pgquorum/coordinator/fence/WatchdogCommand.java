package io.pgquorum.coordinator.fence;

/**
 * One line of the daemon-to-watchdog protocol (ASCII text on the watchdog's standard input, one command per
 * line):
 * <ul>
 *   <li>{@code ARM <remainingMillis>}: the lease is valid for this many more milliseconds, counted from when the
 *       line is read;
 *   <li>{@code DISARM}: nothing to fence any more (lease gone and PostgreSQL stopped);
 *   <li>{@code EXIT}: the daemon shuts down cleanly; same as end of input (fence first if still armed).
 * </ul>
 * Anything else is a bad line: reported and ignored, never a reason to fence.
 */
public sealed interface WatchdogCommand {
  /** Longest lease the parser accepts (a day): a larger number is a corrupt line, not a lease. */
  long MAX_REMAINING_MILLIS = 86_400_000L;

  /** The lease runs out {@code remainingMillis} after this line is read. */
  record Arm(long remainingMillis) implements WatchdogCommand {
    @Override
    public String toLine() {
      return "ARM " + remainingMillis;
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
      if (n.isEmpty() || n.length() > 12 || !n.chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw new IllegalArgumentException("ARM needs a whole number of milliseconds");
      }
      long ms = Long.parseLong(n);
      if (ms > MAX_REMAINING_MILLIS) {
        throw new IllegalArgumentException("ARM " + ms + " is longer than a day");
      }
      return new Arm(ms);
    }
    throw new IllegalArgumentException("unknown command");
  }
}
