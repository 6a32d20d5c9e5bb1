package io.pgquorum.coordinator.config;

import java.util.Locale;
import java.util.Optional;

/** {@code synchronous_mode}: Patroni 4's values, a boolean or {@code quorum}. */
public enum SyncMode {
  /** Asynchronous replication: commits do not wait, any healthy replica may be promoted. */
  OFF,
  /** Multi-sync ({@code FIRST n (...)}): commits wait for every listed standby; only they may be promoted. */
  ON,
  /** Quorum commit ({@code ANY n (...)}): commits wait for n of the voters; a candidate needs enough votes. */
  QUORUM;

  /** The mode a configuration value means (any boolean spelling, or {@code quorum}); empty when it means none. */
  static Optional<SyncMode> parse(Object value) {
    if (value == null) {
      return Optional.of(OFF);
    }
    if (value instanceof String s && s.trim().toLowerCase(Locale.ROOT).equals("quorum")) {
      return Optional.of(QUORUM);
    }
    Boolean b = Scalars.toBool(value);
    return b == null ? Optional.empty() : Optional.of(b ? ON : OFF);
  }

  /**
   * Whether pgquorum owns synchronous_standby_names in this mode, so that a restarted daemon keeps the value it
   * wrote (the {@code on} and {@code quorum} rules both set it, and both keys count on it): {@code on} and
   * {@code quorum}. Off gives the setting back to the configured parameters.
   */
  public boolean ownsStandbyNames() {
    return this != OFF;
  }

  /** As written in the {@code config} key and in messages: {@code off}, {@code on}, {@code quorum}. */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }
}
