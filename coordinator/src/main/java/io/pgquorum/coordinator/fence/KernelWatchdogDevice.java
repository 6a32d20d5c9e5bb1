package io.pgquorum.coordinator.fence;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Checks, at the daemon's start, whether a kernel watchdog device ({@code watchdog.device}) can be used, and with
 * which timeout. The watchdog process keeps it alive ({@link WatchdogState} has the rules and the timing argument).
 *
 * <p>The timeout: Java cannot issue the watchdog ioctls (WDIOC_SETTIMEOUT, WDIOC_GETTIMEOUT), so pgquorum does not
 * set the timeout the way Patroni does; it reads it from sysfs ({@code /sys/class/watchdog/watchdogN/timeout},
 * found through the device's major:minor; the legacy {@code /dev/watchdog}, misc 10:130, is {@code watchdog0}) and
 * checks it. The operator sets it when loading the driver ({@code modprobe softdog soft_margin=<s>}) or with
 * util-linux ({@code wdctl --settimeout <s> <device>}). It must be
 * <ul>
 *   <li>at most {@code ttl - safety_margin} (Patroni's timeout; {@code safety_margin: -1} means ttl/2), and
 *   <li>at most {@code ttl - retry_timeout - loop_wait}: keepalives are only written while the reset they allow
 *       would come no later than half a second after the lease deadline, which is {@code ttl - retry_timeout}
 *       after a refresh was sent; refreshes come every loop_wait, so a longer timeout would leave no keepalive
 *       allowed before the next refresh and the machine would reset under a healthy primary.
 * </ul>
 * A driver loaded with {@code nowayout} cannot be disabled (the magic close is ignored): it would reset the machine
 * after every demote and clean shutdown, so it is refused.
 */
public final class KernelWatchdogDevice {
  private KernelWatchdogDevice() {}

  /** The outcome of the check. */
  public sealed interface Probe permits Usable, Unusable {}

  /** The device can be used; the watchdog process keeps it alive with this timeout. */
  public record Usable(Path device, Duration timeout) implements Probe {}

  /** The device cannot be used, and why (for the operator). */
  public record Unusable(String reason) implements Probe {}

  /** The cluster timing the device's timeout must fit. */
  public record Timing(java.time.Duration ttl, java.time.Duration loopWait, java.time.Duration retryTimeout,
      int safetyMargin) {
    /** The timing in whole seconds. */
    public Timing(int ttl, int loopWait, int retryTimeout, int safetyMargin) {
      this(java.time.Duration.ofSeconds(ttl), java.time.Duration.ofSeconds(loopWait),
          java.time.Duration.ofSeconds(retryTimeout), safetyMargin);
    }

    /**
     * Patroni's timeout: ttl - safety_margin, or ttl/2 for safety_margin -1; whole seconds (what a device takes),
     * rounded down, so that with a fractional ttl the device still fires no later than Patroni's rule says.
     */
    long patroniTimeout() {
      long ms = safetyMargin == -1 ? ttl.toMillis() / 2 : ttl.toMillis() - safetyMargin * 1000L;
      return Math.floorDiv(ms, 1000);
    }

    /** The longest timeout (whole seconds, rounded down) that still lets keepalives continue between refreshes. */
    long keepaliveBound() {
      return Math.floorDiv(ttl.toMillis() - retryTimeout.toMillis() - loopWait.toMillis(), 1000);
    }
  }

  /** {@link #probe(Path, Timing, Path)} with the real sysfs. */
  public static Probe probe(Path device, Timing timing) {
    return probe(device, timing, Path.of("/sys"));
  }

  /**
   * @param sysfs the sysfs mount ({@code /sys}; a directory laid out like it in tests)
   */
  public static Probe probe(Path device, Timing timing, Path sysfs) {
    if (!Files.exists(device)) {
      return new Unusable(device + " does not exist (load a watchdog driver, e.g. modprobe softdog)");
    }
    long rdev;
    try {
      int mode = (Integer) Files.getAttribute(device, "unix:mode");
      if ((mode & 0170000) != 0020000) {
        return new Unusable(device + " is not a character device");
      }
      rdev = (Long) Files.getAttribute(device, "unix:rdev");
    } catch (IOException | RuntimeException e) {
      return new Unusable("cannot examine " + device + ": " + e.getMessage());
    }
    if (!Files.isWritable(device)) {
      return new Unusable(device + " cannot be opened for writing by this user (give it to the user pgquorum runs "
          + "as, e.g. with a udev rule, as for Patroni)");
    }
    Path dir = sysfsDir(sysfs, major(rdev), minor(rdev));
    int timeout;
    try {
      timeout = Integer.parseInt(Files.readString(dir.resolve("timeout"), StandardCharsets.US_ASCII).strip());
    } catch (IOException | RuntimeException e) {
      return new Unusable("cannot read the timeout of " + device + " from " + dir.resolve("timeout") + ": "
          + e.getMessage());
    }
    Path nowayout = dir.resolve("nowayout");
    try {
      if (Files.exists(nowayout) && Files.readString(nowayout, StandardCharsets.US_ASCII).strip().equals("1")) {
        return new Unusable(device + "'s driver was loaded with nowayout: it cannot be disabled on demote or "
            + "shutdown, so every demote would reset the machine");
      }
    } catch (IOException e) {
      return new Unusable("cannot read " + nowayout + ": " + e.getMessage());
    }
    if (timeout < 1) {
      return new Unusable(device + " has no usable timeout (" + timeout + " s)");
    }
    if (timeout > timing.patroniTimeout()) {
      return new Unusable(device + "'s timeout is " + timeout + " s, longer than ttl - safety_margin = "
          + timing.patroniTimeout() + " s: set it to that (pgquorum cannot set it; e.g. wdctl --settimeout "
          + timing.patroniTimeout() + " " + device + ", or modprobe softdog soft_margin=" + timing.patroniTimeout()
          + ")");
    }
    if (timeout > timing.keepaliveBound()) {
      return new Unusable(device + "'s timeout is " + timeout + " s, longer than ttl - retry_timeout - loop_wait = "
          + timing.keepaliveBound() + " s: keepalives would have to stop before the next refresh could extend "
          + "the lease (raise safety_margin and set the device's timeout to at most " + timing.keepaliveBound()
          + " s)");
    }
    return new Usable(device, Duration.ofSeconds(timeout));
  }

  /** The sysfs directory of the watchdog with this device number. */
  static Path sysfsDir(Path sysfs, long major, long minor) {
    if (major == 10 && minor == 130) {
      // The legacy misc device /dev/watchdog is the first watchdog registered.
      return sysfs.resolve("class/watchdog/watchdog0");
    }
    return sysfs.resolve("dev/char/" + major + ":" + minor);
  }

  /** glibc's gnu_dev_major. */
  static long major(long rdev) {
    return ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL);
  }

  /** glibc's gnu_dev_minor. */
  static long minor(long rdev) {
    return (rdev & 0xff) | ((rdev >>> 12) & ~0xffL);
  }
}
