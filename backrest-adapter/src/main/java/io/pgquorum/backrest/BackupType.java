package io.pgquorum.backrest;

import java.util.Locale;

/** pgBackRest's backup types, strongest first (a slot shared by two types takes the stronger one). */
public enum BackupType {
  FULL,
  DIFF,
  INCR;

  /** The spelling of {@code --type=} and of {@code info}'s {@code type} field. */
  public String pgbackrestName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The type {@code info} calls {@code name}; IllegalArgumentException for any other word. */
  public static BackupType of(String name) {
    for (BackupType t : values()) {
      if (t.pgbackrestName().equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown backup type \"" + name + "\" (full, diff or incr)");
  }
}
