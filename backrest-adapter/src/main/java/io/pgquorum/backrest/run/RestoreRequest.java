package io.pgquorum.backrest.run;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One {@code pgbackrest restore}, validated on construction so a mistake is refused with the argument's name
 * before anything is touched (pgBackRest's own refusals come only after it has read the repository).
 *
 * @param pgPath restore elsewhere than the node's pg1-path (a restore test, a new replica); empty: pg1-path
 * @param delta reuse files already in the directory (checksummed); without it the directory must be empty
 * @param type where recovery stops ({@link RestoreType})
 * @param target the target for lsn/name/xid/time; must be empty for the other types
 * @param set the backup label to restore; empty: pgBackRest's choice (the latest, or for time targets the newest
 *     that ended before the target)
 * @param targetAction what to do at the target; only with a target or immediate
 * @param archiveModeOff write archive_mode=off, so a copy never archives into the cluster's stanza
 * @param targetExclusive stop just before the target, not just after it (lsn, time and xid only)
 */
public record RestoreRequest(Optional<Path> pgPath, boolean delta, RestoreType type, Optional<String> target,
    Optional<String> set, Optional<TargetAction> targetAction, boolean archiveModeOff, boolean targetExclusive) {
  private static final Pattern LSN = Pattern.compile("[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}");
  private static final Pattern XID = Pattern.compile("[0-9]{1,20}");
  private static final Pattern LABEL = Pattern.compile("\\d{8}-\\d{6}F(_\\d{8}-\\d{6}[DI])?");

  public RestoreRequest {
    if (type.needsTarget() && target.isEmpty()) {
      throw new IllegalArgumentException("--target is required for --type=" + type.pgbackrestName());
    }
    if (!type.needsTarget() && target.isPresent()) {
      throw new IllegalArgumentException("--target is not allowed with --type=" + type.pgbackrestName());
    }
    target.ifPresent(t -> checkTarget(type, t));
    if (targetAction.isPresent() && !type.needsTarget() && type != RestoreType.IMMEDIATE) {
      throw new IllegalArgumentException("--target-action needs a target type or immediate, not --type="
          + type.pgbackrestName());
    }
    set.ifPresent(s -> {
      if (!LABEL.matcher(s).matches()) {
        throw new IllegalArgumentException("--set must be a backup label such as 20261202-155319F or "
            + "20261202-155319F_20261202-160000I, got \"" + s + "\"");
      }
    });
    pgPath.ifPresent(p -> {
      if (!p.isAbsolute()) {
        throw new IllegalArgumentException("--pg1-path must be absolute, got \"" + p + "\"");
      }
    });
    if (targetExclusive && type != RestoreType.LSN && type != RestoreType.TIME && type != RestoreType.XID) {
      throw new IllegalArgumentException("--target-exclusive applies only to --type=lsn, time or xid, not --type="
          + type.pgbackrestName());
    }
  }

  /** A request without --target-exclusive (the form every caller used before it existed). */
  public RestoreRequest(Optional<Path> pgPath, boolean delta, RestoreType type, Optional<String> target,
      Optional<String> set, Optional<TargetAction> targetAction, boolean archiveModeOff) {
    this(pgPath, delta, type, target, set, targetAction, archiveModeOff, false);
  }

  private static void checkTarget(RestoreType type, String t) {
    boolean ok = switch (type) {
      case LSN -> LSN.matcher(t).matches();
      case XID -> XID.matcher(t).matches();
      // Names and times go to pgBackRest and PostgreSQL as one argument; a line break would split a conf line.
      default -> !t.isBlank() && !t.contains("\n") && !t.contains("\r");
    };
    if (!ok) {
      throw new IllegalArgumentException("--target for --type=" + type.pgbackrestName() + " is not valid: \"" + t
          + "\"" + (type == RestoreType.LSN ? " (an LSN is written like 0/3000060)" : ""));
    }
  }

  /** A restore to a recovery target, promoting there (the PITR and restore-test case). */
  public static RestoreRequest toTarget(Path pgPath, RestoreType type, String target) {
    return new RestoreRequest(Optional.of(pgPath), false, type, Optional.of(target), Optional.empty(),
        Optional.of(TargetAction.PROMOTE), false, false);
  }

  /**
   * A point-in-time restore: to {@code target} of {@code type} (lsn/name/xid/time; none for immediate and default),
   * from {@code set} (empty: pgBackRest's choice), doing {@code action} there. {@code default} (the end of the
   * archive) has no target, so it takes no action: PostgreSQL promotes when the archive ends.
   *
   * @param pgPath empty: the node's pg1-path
   */
  public static RestoreRequest pointInTime(Optional<Path> pgPath, RestoreType type, Optional<String> target,
      boolean exclusive, Optional<String> set, TargetAction action) {
    Optional<TargetAction> a = type == RestoreType.DEFAULT ? Optional.empty() : Optional.of(action);
    return new RestoreRequest(pgPath, false, type, target, set, a, false, exclusive);
  }

  /** The same request with archive_mode=off written (for copies). */
  public RestoreRequest withArchiveModeOff() {
    return new RestoreRequest(pgPath, delta, type, target, set, targetAction, true, targetExclusive);
  }

  /** The same request restoring a given backup set. */
  public RestoreRequest withSet(String label) {
    return new RestoreRequest(pgPath, delta, type, target, Optional.of(label), targetAction, archiveModeOff,
        targetExclusive);
  }

  /** The request's options, in pgBackRest's spelling. */
  List<String> arguments() {
    List<String> a = new ArrayList<>();
    pgPath.ifPresent(p -> a.add("--pg1-path=" + p));
    if (delta) {
      a.add("--delta");
    }
    a.add("--type=" + type.pgbackrestName());
    target.ifPresent(t -> a.add("--target=" + t));
    if (targetExclusive) {
      a.add("--target-exclusive");
    }
    set.ifPresent(s -> a.add("--set=" + s));
    targetAction.ifPresent(x -> a.add("--target-action=" + x.pgbackrestName()));
    if (archiveModeOff) {
      a.add("--archive-mode=off");
    }
    return a;
  }
}
