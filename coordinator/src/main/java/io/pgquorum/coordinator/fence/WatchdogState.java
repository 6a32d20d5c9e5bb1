package io.pgquorum.coordinator.fence;

import java.util.Optional;

/**
 * The watchdog's decisions, pure and clock-free (every input carries its time), so the deadline and device rules
 * are tested with a fake clock ({@code WatchdogStateTest}); {@link WatchdogMain} only feeds it, runs the fence and
 * does the device I/O.
 *
 * <p>Lease rules:
 * <ul>
 *   <li>{@code ARM d} sets the deadline to {@code d}, an instant of the monotonic clock the daemon and the watchdog
 *       share; a newer ARM replaces it (even an earlier one: the daemon's latest word wins). When the line is read
 *       does not matter. A deadline more than {@link #MAX_LEASE_NANOS} ahead is a bad line (the clocks cannot be
 *       the same).
 *   <li>When an armed deadline passes before a newer ARM was read: fence (the procedure runs until PostgreSQL is
 *       verifiably gone), then keep <em>guarding</em>: re-run the fence every {@link #GUARD_INTERVAL_NANOS}
 *       (a scan of /proc; pg_ctl only runs if something appeared) until the daemon sends ARM or DISARM, or, once
 *       input has ended, for {@link #HOLD_NANOS} after the fence. Why: a {@code pg_ctl start} the daemon began
 *       just before the deadline may make its postmaster visible only after the fence's scan, and the daemon may
 *       be frozen or dead by then.
 *   <li>Never armed, or disarmed: never fence. Bad lines change nothing.
 *   <li>End of input (the daemon died) or EXIT: keep the deadline; fence at it if armed, guard, then finish;
 *       finish at once if disarmed.
 * </ul>
 *
 * <p>Kernel watchdog device rules (only with a device; its timeout is {@code T}):
 * <ul>
 *   <li>Opened (which starts the kernel's timer) on an ARM, with a keepalive, if the keepalive is allowed then;
 *       otherwise not opened and reported ({@code DEVICE-FAILED}): its timeout does not fit the lease.
 *   <li>A keepalive at time {@code t} is allowed only while armed and {@code t + T <= deadline +}
 *       {@link #DEVICE_RESET_GRACE_NANOS}: the kernel resets the machine at most {@code T} after the last
 *       keepalive, so the reset comes at most that grace after the deadline, inside the lease margin (retry_timeout,
 *       at least 1 s; the grace is half of the smallest margin, the other half covers clock drift). Keepalives are
 *       written on every ARM and every {@link #petIntervalNanos()} while allowed.
 *   <li>If the watchdog (or the machine) freezes, keepalives stop and the kernel resets the machine. If it runs,
 *       it fences at the deadline itself and, once PostgreSQL is verifiably gone, disables the device (magic
 *       close, 'V'), which it must manage within the grace; a fence that takes longer ends in a reset, which is
 *       the safe outcome.
 *   <li>DISARM, and EXIT or end of input while disarmed: magic close (Patroni disables on demote and clean
 *       shutdown).
 *   <li>An open device whose timer would run out before the lease's own deadline (a keepalive is not allowed but
 *       {@code lastKeepalive + T < deadline}) cannot be kept alive through a valid lease: magic close and
 *       {@code DEVICE-FAILED} (with {@code watchdog.mode: required} the daemon then stops holding the lease).
 * </ul>
 */
public final class WatchdogState {
  /** Longest lease the watchdog accepts (a day): a deadline further ahead means the clocks disagree. */
  public static final long MAX_LEASE_NANOS = 86_400_000_000_000L;
  /** After a fence, how often the data directory is checked again while guarding. */
  public static final long GUARD_INTERVAL_NANOS = 200_000_000L;
  /**
   * How long an orphaned watchdog (input ended) keeps guarding after its fence: far longer than a postmaster takes
   * from {@code pg_ctl start}'s fork to its {@code chdir} into the data directory (milliseconds).
   */
  public static final long HOLD_NANOS = 3_000_000_000L;
  /** How long after the deadline the kernel device may reset the machine (see the class comment). */
  public static final long DEVICE_RESET_GRACE_NANOS = 500_000_000L;

  /** What the device should do now. */
  public enum DeviceOp {
    NONE,
    /** Open the device (starts the kernel timer) and write a keepalive. */
    OPEN,
    /** Write a keepalive. */
    KEEPALIVE,
    /** Write 'V' and close: the kernel stops the timer. */
    CLOSE
  }

  /** What the caller does now: fence first (if asked), then the device operation; report the problem/notice. */
  public record Step(boolean fenceNow, DeviceOp device, Optional<String> problem, Optional<String> notice) {
    static final Step NOTHING = new Step(false, DeviceOp.NONE, Optional.empty(), Optional.empty());

    static Step device(DeviceOp op) {
      return new Step(false, op, Optional.empty(), Optional.empty());
    }

    static Step problem(String p) {
      return new Step(false, DeviceOp.NONE, Optional.of(p), Optional.empty());
    }
  }

  private final long deviceTimeoutNanos;
  private boolean armed;
  private long deadlineNanos;
  private boolean inputEnded;
  private boolean guarding;
  private long nextGuardNanos;
  private long guardUntilNanos;
  private boolean guardUntilSet;
  private boolean deviceOpen;
  private long lastKeepaliveNanos;
  private boolean deviceFailureReported;

  /** A watchdog without a kernel device. */
  public WatchdogState() {
    this(0);
  }

  /** @param deviceTimeoutNanos the kernel watchdog device's timeout; 0 without a device */
  public WatchdogState(long deviceTimeoutNanos) {
    this.deviceTimeoutNanos = deviceTimeoutNanos;
  }

  /**
   * Feeds one line read at {@code now}; {@code null} means end of input. A deadline that has already passed is
   * handled by the next {@link #tick} (the caller ticks before waiting again).
   */
  public Step receive(String line, long now) {
    if (inputEnded) {
      return Step.NOTHING;
    }
    WatchdogCommand cmd;
    if (line == null) {
      cmd = new WatchdogCommand.Exit();
    } else {
      try {
        cmd = WatchdogCommand.parse(line);
      } catch (IllegalArgumentException e) {
        return Step.problem("ignoring bad line " + printable(line) + ": " + e.getMessage());
      }
    }
    if (cmd instanceof WatchdogCommand.Arm a) {
      if (a.deadlineNanos() - now > MAX_LEASE_NANOS) {
        return Step.problem("ignoring " + a.toLine() + ": the deadline is more than a day ahead of this process's "
            + "clock (" + now + "), so the daemon's clock is not this one");
      }
      armed = true;
      deadlineNanos = a.deadlineNanos();
      guarding = false;
      return deviceOnArm(now);
    }
    if (cmd instanceof WatchdogCommand.Disarm) {
      armed = false;
      guarding = false;
      return closeDevice();
    }
    inputEnded = true;
    if (guarding) {
      guardUntilNanos = now + HOLD_NANOS;
      guardUntilSet = true;
      return Step.NOTHING;
    }
    return armed ? Step.NOTHING : closeDevice();
  }

  /** Called when the caller wakes up (and before it waits): fence when due, keep the device alive, guard. */
  public Step tick(long now) {
    if (armed && now - deadlineNanos >= 0) {
      armed = false;
      guarding = true;
      return new Step(true, DeviceOp.NONE, Optional.empty(), Optional.empty());
    }
    if (guarding) {
      if (inputEnded && now - guardUntilNanos >= 0) {
        guarding = false;
        return closeDevice();
      }
      if (now - nextGuardNanos >= 0) {
        return new Step(true, DeviceOp.NONE, Optional.empty(), Optional.empty());
      }
    }
    if (deviceOpen && armed && now - (lastKeepaliveNanos + petIntervalNanos()) >= 0) {
      if (keepaliveAllowed(now)) {
        lastKeepaliveNanos = now;
        return Step.device(DeviceOp.KEEPALIVE);
      }
      if (lastKeepaliveNanos + deviceTimeoutNanos - deadlineNanos < 0) {
        return failDevice(true, "the kernel watchdog would reset the machine before the lease's deadline "
            + "(its timeout is too long for the lease to allow a keepalive now)");
      }
    }
    return Step.NOTHING;
  }

  /** The fence (run because of a {@link Step#fenceNow()}) is done at {@code now}: PostgreSQL is verifiably gone. */
  public Step fenced(long now) {
    nextGuardNanos = now + GUARD_INTERVAL_NANOS;
    if (inputEnded && guarding && !guardUntilSet) {
      // The deadline's fence of an orphaned watchdog: hold from its end (guard checks do not extend it).
      guardUntilNanos = now + HOLD_NANOS;
      guardUntilSet = true;
    }
    // Nothing is left to protect: the device must not reset the machine now (it would within the grace).
    return closeDevice();
  }

  /** The device could not be opened or written: it is closed (as far as possible) and reported once. */
  public Step deviceError(String reason) {
    deviceOpen = false;
    return failDevice(false, reason);
  }

  /** How long the caller may wait for input before the next {@link #tick}; {@code Long.MAX_VALUE}: no limit. */
  public long waitNanos(long now) {
    long wait = Long.MAX_VALUE;
    if (armed) {
      wait = Math.min(wait, Math.max(0, deadlineNanos - now));
    }
    if (guarding) {
      wait = Math.min(wait, Math.max(0, nextGuardNanos - now));
      if (inputEnded) {
        wait = Math.min(wait, Math.max(0, guardUntilNanos - now));
      }
    }
    if (deviceOpen && armed) {
      wait = Math.min(wait, Math.max(0, lastKeepaliveNanos + petIntervalNanos() - now));
    }
    return wait;
  }

  /** Input ended, nothing is armed, nothing is being guarded: the watchdog exits. */
  public boolean finished() {
    return inputEnded && !armed && !guarding;
  }

  public boolean armed() {
    return armed;
  }

  public boolean guarding() {
    return guarding;
  }

  public boolean deviceOpen() {
    return deviceOpen;
  }

  /** Keepalives while allowed: often enough that a late one still leaves most of the device's timeout. */
  long petIntervalNanos() {
    return Math.min(1_000_000_000L, Math.max(1, deviceTimeoutNanos / 3));
  }

  private boolean keepaliveAllowed(long now) {
    return armed && now + deviceTimeoutNanos - (deadlineNanos + DEVICE_RESET_GRACE_NANOS) <= 0;
  }

  private Step deviceOnArm(long now) {
    if (deviceTimeoutNanos <= 0) {
      return Step.NOTHING;
    }
    if (keepaliveAllowed(now)) {
      lastKeepaliveNanos = now;
      if (deviceOpen) {
        return Step.device(DeviceOp.KEEPALIVE);
      }
      deviceOpen = true;
      deviceFailureReported = false;
      return new Step(false, DeviceOp.OPEN, Optional.empty(), Optional.of("DEVICE-ACTIVE"));
    }
    if (!deviceOpen) {
      return failDevice(false, "not activating the kernel watchdog: its timeout (" + deviceTimeoutNanos / 1_000_000L
          + " ms) is longer than the lease allows (deadline in " + (deadlineNanos - now) / 1_000_000L + " ms, "
          + "reset at most " + DEVICE_RESET_GRACE_NANOS / 1_000_000L + " ms after it)");
    }
    if (lastKeepaliveNanos + deviceTimeoutNanos - deadlineNanos < 0) {
      return failDevice(true, "the kernel watchdog would reset the machine before the lease's deadline (its "
          + "timeout is too long for the lease to allow a keepalive now)");
    }
    return Step.NOTHING; // the kernel fires within the grace after the deadline unless a later ARM allows more
  }

  private Step closeDevice() {
    if (!deviceOpen) {
      return Step.NOTHING;
    }
    deviceOpen = false;
    return new Step(false, DeviceOp.CLOSE, Optional.empty(), Optional.of("DEVICE-CLOSED"));
  }

  private Step failDevice(boolean close, String reason) {
    boolean wasOpen = deviceOpen && close;
    if (close) {
      deviceOpen = false;
    }
    boolean report = !deviceFailureReported;
    deviceFailureReported = true;
    return new Step(false, wasOpen ? DeviceOp.CLOSE : DeviceOp.NONE,
        report ? Optional.of(reason) : Optional.empty(),
        report ? Optional.of("DEVICE-FAILED " + reason.replace('\n', ' ')) : Optional.empty());
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
