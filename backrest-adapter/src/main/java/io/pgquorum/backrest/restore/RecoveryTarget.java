package io.pgquorum.backrest.restore;

import io.pgquorum.backrest.run.RestoreRequest;
import io.pgquorum.backrest.run.TargetAction;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where a point-in-time recovery stops, validated on construction; every error names the option the value came
 * from ({@code --target-time}, {@code --target-lsn}, ...), so a command can print it as it is.
 *
 * @param kind which target
 * @param value the target as pgBackRest and PostgreSQL take it (a time rendered in UTC with +00, an LSN in
 *     upper case); empty for immediate and latest
 * @param exclusive stop just before the target instead of just after it (pgBackRest {@code --target-exclusive})
 */
public record RecoveryTarget(TargetKind kind, Optional<String> value, boolean exclusive) {
  private static final Pattern XID = Pattern.compile("[0-9]{1,20}");

  public RecoveryTarget {
    if (kind.hasValue() != value.isPresent()) {
      throw new IllegalArgumentException(kind.hasValue() ? kind.option() + " needs a value"
          : kind.option() + " takes no value");
    }
    if (exclusive && !kind.canBeExclusive()) {
      throw new IllegalArgumentException("--exclusive applies only to --target-time, --target-lsn or --target-xid,"
          + " not " + kind.option());
    }
    value = value.map(v -> canonical(kind, v));
  }

  /** Parses a user's value for {@code kind}; for immediate and latest {@code text} must be null. */
  public static RecoveryTarget of(TargetKind kind, String text, boolean exclusive) {
    return new RecoveryTarget(kind, Optional.ofNullable(text), exclusive);
  }

  public static RecoveryTarget time(String text) {
    return of(TargetKind.TIME, text, false);
  }

  public static RecoveryTarget lsn(String text) {
    return of(TargetKind.LSN, text, false);
  }

  public static RecoveryTarget immediate() {
    return of(TargetKind.IMMEDIATE, null, false);
  }

  public static RecoveryTarget latest() {
    return of(TargetKind.LATEST, null, false);
  }

  private static String canonical(TargetKind kind, String v) {
    return switch (kind) {
      case TIME -> TargetTime.parse(v, kind.option()).render();
      case LSN -> Lsn.parse(v, kind.option()).toString();
      case XID -> {
        if (!XID.matcher(v.trim()).matches()) {
          throw new IllegalArgumentException(kind.option() + " must be a transaction id (digits), got \"" + v + "\"");
        }
        yield v.trim();
      }
      case NAME -> {
        // The name goes into postgresql.auto.conf as one quoted value: no line breaks, quotes or backslashes.
        if (v.isBlank() || v.length() > 63 || v.matches("(?s).*['\\\\\\n\\r].*")) {
          throw new IllegalArgumentException(kind.option() + " must be a restore point name (at most 63"
              + " characters, no quotes, backslashes or line breaks), got \"" + v + "\"");
        }
        yield v;
      }
      default -> throw new IllegalStateException(kind.name());
    };
  }

  /** The target time, for a time target. */
  public Optional<TargetTime> time() {
    return kind == TargetKind.TIME ? value.map(v -> TargetTime.parse(v, kind.option())) : Optional.empty();
  }

  /** The target LSN, for an LSN target. */
  public Optional<Lsn> lsn() {
    return kind == TargetKind.LSN ? value.map(v -> Lsn.parse(v, kind.option())) : Optional.empty();
  }

  /**
   * The pgBackRest restore reaching this target and promoting there.
   *
   * @param pgPath where to restore; empty: the node's pg1-path
   * @param set the backup to restore (see {@link BackupChoice}); empty: pgBackRest's choice
   */
  public RestoreRequest toRequest(Optional<Path> pgPath, Optional<String> set) {
    return RestoreRequest.pointInTime(pgPath, kind.restoreType(), value, exclusive, set, TargetAction.PROMOTE);
  }

  /** For plans and logs: {@code lsn 0/3000060 (exclusive)}, {@code immediate}, ... */
  public String describe() {
    String what = kind.name().toLowerCase(Locale.ROOT) + value.map(v -> " " + v).orElse("");
    return what + (kind.canBeExclusive() ? exclusive ? " (exclusive: stop just before it)"
        : " (inclusive: stop just after it)" : "");
  }
}
