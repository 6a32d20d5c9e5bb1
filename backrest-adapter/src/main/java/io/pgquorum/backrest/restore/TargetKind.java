package io.pgquorum.backrest.restore;

import io.pgquorum.backrest.run.RestoreType;

/** Where a point-in-time recovery stops, with the pgctl option that asks for it and pgBackRest's --type. */
public enum TargetKind {
  TIME("--target-time", RestoreType.TIME),
  LSN("--target-lsn", RestoreType.LSN),
  XID("--target-xid", RestoreType.XID),
  NAME("--target-name", RestoreType.NAME),
  /** As soon as the backup is consistent. */
  IMMEDIATE("--target-immediate", RestoreType.IMMEDIATE),
  /** The end of the archive. */
  LATEST("--target-latest", RestoreType.DEFAULT);

  private final String option;
  private final RestoreType restoreType;

  TargetKind(String option, RestoreType restoreType) {
    this.option = option;
    this.restoreType = restoreType;
  }

  /** The command-line option naming this kind, used in every error about its value. */
  public String option() {
    return option;
  }

  public RestoreType restoreType() {
    return restoreType;
  }

  /** Whether the kind takes a value (time, lsn, xid, name). */
  public boolean hasValue() {
    return restoreType.needsTarget();
  }

  /** pgBackRest's --target-exclusive applies to lsn, time and xid only (a name or a point has no "before"). */
  public boolean canBeExclusive() {
    return this == TIME || this == LSN || this == XID;
  }
}
