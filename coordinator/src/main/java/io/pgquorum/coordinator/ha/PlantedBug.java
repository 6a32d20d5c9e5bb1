package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.config.ConfigException;
import java.util.Locale;

/**
 * Known bugs that can be switched on for the fault-injection harness only, to prove its checkers can fail (a
 * test that cannot fail proves nothing). Never for production: set through {@value #VARIABLE}, read once at
 * startup, announced with a loud warning. Each hook is one small, commented branch at the point it perturbs.
 */
public enum PlantedBug {
  /** Normal behaviour. */
  NONE(""),
  /**
   * A lost or expired lease does not demote: the {@link LeaseGuard} does not stop PostgreSQL, Demote actions are
   * skipped, and the watchdog process is never told about the lease (so it never fences either).
   */
  SKIP_DEMOTE_ON_LOST_LEASE("skip-demote-on-lost-lease"),
  /**
   * The local lease deadline is {@code sent + ttl} instead of {@code sent + ttl - retry_timeout}: no margin for
   * clock-rate drift or for the time a stop takes. The watchdog gets the same deadline.
   */
  LEASE_IGNORES_DRIFT("lease-ignores-drift"),
  /** The watchdog process is not started (whatever {@code watchdog.mode} says). */
  NO_WATCHDOG("no-watchdog");

  /** The environment variable that plants a bug. */
  public static final String VARIABLE = "PGQUORUM_PLANTED_BUG";

  private final String value;

  PlantedBug(String value) {
    this.value = value;
  }

  /** The value of {@value #VARIABLE} that selects this bug. */
  public String value() {
    return value;
  }

  /**
   * The bug {@code envValue} selects; unset or blank is {@link #NONE}.
   *
   * @throws ConfigException naming {@value #VARIABLE} for an unknown value
   */
  public static PlantedBug parse(String envValue) {
    if (envValue == null || envValue.isBlank()) {
      return NONE;
    }
    String v = envValue.trim().toLowerCase(Locale.ROOT);
    for (PlantedBug b : values()) {
      if (b != NONE && b.value.equals(v)) {
        return b;
      }
    }
    throw new ConfigException(VARIABLE, "unknown planted bug " + envValue.trim() + " (known: "
        + "skip-demote-on-lost-lease, lease-ignores-drift, no-watchdog; unset it for normal operation)");
  }
}
