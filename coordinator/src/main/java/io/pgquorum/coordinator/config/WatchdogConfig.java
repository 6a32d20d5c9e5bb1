package io.pgquorum.coordinator.config;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * The {@code watchdog} section: Patroni's keys, pgquorum's mechanisms. pgquorum always runs a small watchdog
 * <em>process</em> next to the daemon (unless off), in a session of its own, that fences PostgreSQL when the leader
 * lease it was told about runs out and nobody extended it: it covers a daemon that is frozen or killed while
 * PostgreSQL keeps running (see {@code io.pgquorum.coordinator.fence}). With {@code device}, that process also
 * keeps a kernel watchdog device alive while the lease is valid, which covers a frozen machine (the kernel resets
 * it).
 *
 * @param mode off, automatic (the default: run it, restart it if it dies; a device that cannot be used is a
 *     warning) or required (never take or keep the leader lock without it, nor without the device when one is
 *     configured)
 * @param device the kernel watchdog device ({@code /dev/watchdog}); empty: none. Unlike Patroni, pgquorum opens no
 *     device unless this key is set: its process watchdog already fences a frozen daemon, and a device resets the
 *     whole machine
 * @param safetyMargin seconds: the device's timeout must be at most {@code ttl - safety_margin} (-1 means a
 *     timeout of ttl/2; default {@link #DEFAULT_SAFETY_MARGIN}). pgquorum cannot set the timeout (Java has no ioctl):
 *     it reads and checks it (see {@code KernelWatchdogDevice})
 */
public record WatchdogConfig(Mode mode, Optional<Path> device, int safetyMargin) {
  /** Patroni's default safety_margin (declared in {@link WatchdogKeys}). */
  public static final int DEFAULT_SAFETY_MARGIN = WatchdogKeys.SAFETY_MARGIN.defaultInt();

  /** Patroni's three modes, with pgquorum's meaning. */
  public enum Mode {
    /** No watchdog process: only the in-daemon lease guard fences (a frozen daemon leaves PostgreSQL running). */
    OFF,
    /** Run the watchdog process; if it dies, log it and start a new one. */
    AUTOMATIC,
    /** As automatic, but the leader lock is not taken or refreshed while the watchdog (or device) is not usable. */
    REQUIRED;

    public String configName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The mode named {@code configName} (one of {@link WatchdogKeys#MODE}'s choices). */
    static Mode of(String configName) {
      return valueOf(configName.toUpperCase(Locale.ROOT));
    }
  }

  /** Without a kernel device. */
  public WatchdogConfig(Mode mode) {
    this(mode, Optional.empty(), DEFAULT_SAFETY_MARGIN);
  }

  /** pgquorum's default: the process watchdog runs (unlike Patroni, it needs no device or privilege). */
  public static WatchdogConfig defaults() {
    return new WatchdogConfig(Mode.of(WatchdogKeys.MODE.defaultString()));
  }
}
