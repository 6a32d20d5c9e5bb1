package io.pgquorum.coordinator.config;

import io.pgquorum.coordinator.config.ConfigKey.Kind;

/** The {@code watchdog} section: Patroni's keys, pgquorum's mechanisms (see {@link WatchdogConfig}). */
final class WatchdogKeys {
  static final KeyTable TABLE = new KeyTable("watchdog", "`watchdog`");
  private static final KeyTable T = TABLE;

  static final ConfigKey MODE = T.key("mode", Kind.CHOICE).dflt("automatic").choices("off", "automatic", "required")
      .why("the watchdog process that fences PostgreSQL when the lease runs out while the daemon is frozen or "
          + "killed. Unlike Patroni's, on by default: it needs no device or privilege. Patroni's spellings "
          + "(disable, auto, require, ...) are accepted");
  static final ConfigKey DEVICE = T.key("device", Kind.PATH).defaultIs("none")
      .why("a kernel watchdog device kept alive while the lease is valid, for a frozen machine. Unlike Patroni "
          + "(/dev/watchdog), none unless set: the process already fences a frozen daemon, and a device resets "
          + "the whole machine");
  static final ConfigKey SAFETY_MARGIN = T.seconds("safety_margin", 5, 0, 86_400)
      .what("a whole number of seconds (0 or more, or -1 for a device timeout of ttl/2)")
      .accepts("seconds, 0 to 86400, or -1 (ttl/2)")
      .why("the device's timeout must be at most ttl - safety_margin (Patroni's default); pgquorum reads the "
          + "timeout, it cannot set it");

  static {
    T.ignored("driver")
        .why("pgquorum drives the device named by watchdog.device through the Linux watchdog API");
  }

  private WatchdogKeys() {}
}
