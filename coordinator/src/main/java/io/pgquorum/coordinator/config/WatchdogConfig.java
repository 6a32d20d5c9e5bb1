package io.pgquorum.coordinator.config;

import java.util.Locale;

/**
 * The {@code watchdog} section: Patroni's key, pgquorum's mechanism. Patroni drives a kernel watchdog device;
 * pgquorum runs a small watchdog <em>process</em> next to the daemon that stops PostgreSQL (immediate) when the
 * leader lease it was told about runs out and nobody extended it, which covers a daemon that is frozen or killed
 * while PostgreSQL keeps running (see {@code io.pgquorum.coordinator.fence}).
 *
 * @param mode off, automatic (the default: run it, restart it if it dies) or required (never take or keep the
 *     leader lock without it)
 */
public record WatchdogConfig(Mode mode) {
  /** Patroni's three modes, with pgquorum's meaning. */
  public enum Mode {
    /** No watchdog process: only the in-daemon lease guard fences (a frozen daemon leaves PostgreSQL running). */
    OFF,
    /** Run the watchdog process; if it dies, log it and start a new one. */
    AUTOMATIC,
    /** As automatic, but the leader lock is not taken or refreshed while the watchdog is not running. */
    REQUIRED;

    public String configName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** pgquorum's default: the process watchdog runs (unlike Patroni, it needs no device or privilege). */
  public static WatchdogConfig defaults() {
    return new WatchdogConfig(Mode.AUTOMATIC);
  }
}
