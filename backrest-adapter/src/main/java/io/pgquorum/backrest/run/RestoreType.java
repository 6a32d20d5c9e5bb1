package io.pgquorum.backrest.run;

import java.util.Locale;

/** pgBackRest 2.45's {@code restore --type}: where recovery stops, or which recovery files it writes. */
public enum RestoreType {
  /** Replay to the end of the archive. */
  DEFAULT(false),
  /** Stop as soon as the backup is consistent. */
  IMMEDIATE(false),
  LSN(true),
  NAME(true),
  XID(true),
  TIME(true),
  /** Leave recovery settings as they are (a replica method whose caller writes its own). */
  PRESERVE(false),
  /** Write standby.signal: the restored copy follows the archive/primary as a standby. */
  STANDBY(false),
  /** 2.45 still writes recovery.signal for none (2.47 changed that). */
  NONE(false);

  private final boolean needsTarget;

  RestoreType(boolean needsTarget) {
    this.needsTarget = needsTarget;
  }

  /** lsn, name, xid and time need {@code --target}; the others refuse one. */
  public boolean needsTarget() {
    return needsTarget;
  }

  public String pgbackrestName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
