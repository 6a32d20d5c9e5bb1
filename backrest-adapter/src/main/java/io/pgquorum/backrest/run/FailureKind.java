package io.pgquorum.backrest.run;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The failures pgquorum tells apart, from pgBackRest's exit code (= its error code) and, where one code covers
 * several causes, its message. Codes and messages as measured with pgBackRest 2.45 (test resources
 * pgbackrest-2.45/*.stderr).
 */
public enum FailureKind {
  STANZA_MISSING("the stanza does not exist in the repository: run stanza-create on the primary"),
  STANZA_NOT_CONFIGURED("the stanza has no section in this node's pgbackrest.conf"),
  NO_PRIMARY("pgBackRest found no primary: this node's PostgreSQL is a standby or it could not connect (see the "
      + "warning); backups run on the primary only"),
  DATABASE_UNREACHABLE("pgBackRest cannot connect to this node's PostgreSQL"),
  WRONG_PG1_PATH("PostgreSQL's data directory is not this node's pg1-path: the node's pgbackrest.conf is stale "
      + "or another node's"),
  RESTORE_TARGET_NOT_EMPTY("the restore directory is not empty: restore with delta, or move it aside first"),
  BACKUP_SET_INVALID("the requested backup set does not exist in the repository"),
  LOCK_HELD("another pgBackRest command (a backup or expire) holds the stanza's lock"),
  ARCHIVE_TIMEOUT("WAL was not archived in time: archive_command fails or is slow"),
  WAL_DIFFERENT_CHECKSUM("a WAL file already in the archive has different content (two primaries on one "
      + "timeline?)"),
  BAD_OPTION("pgBackRest rejected an option (a bug in pgquorum or in backrest.options)"),
  TIMED_OUT("the command did not finish in time and was stopped"),
  CANNOT_START("the pgbackrest program could not be started (not installed, or backrest.command is wrong)"),
  BAD_OUTPUT("pgBackRest's output could not be read"),
  OTHER("pgBackRest failed");

  private static final Pattern CODE = Pattern.compile("ERROR: \\[(\\d{3})]");

  private final String meaning;

  FailureKind(String meaning) {
    this.meaning = meaning;
  }

  public String meaning() {
    return meaning;
  }

  /** The kind for a process that exited {@code exitCode} after printing {@code output}. */
  static FailureKind classify(int exitCode, String output) {
    int code = errorCode(output).orElse(exitCode);
    return switch (code) {
      case 55 -> STANZA_MISSING;
      case 56 -> NO_PRIMARY;
      case 27 -> DATABASE_UNREACHABLE;
      case 40 -> RESTORE_TARGET_NOT_EMPTY;
      case 75 -> BACKUP_SET_INVALID;
      case 50 -> LOCK_HELD;
      case 82 -> ARCHIVE_TIMEOUT;
      case 45 -> WAL_DIFFERENT_CHECKSUM;
      // 32 is pgBackRest's generic "invalid option value"; the working-directory check is one case of it.
      case 32 -> output.contains("is not the same as option pg1-path") ? WRONG_PG1_PATH : BAD_OPTION;
      // 37 "requires option": for check/backup without a pg1-path that is a stanza missing from the file.
      case 31, 37 -> output.contains("does this stanza exist?") ? STANZA_NOT_CONFIGURED : BAD_OPTION;
      default -> OTHER;
    };
  }

  static Optional<Integer> errorCode(String output) {
    Matcher m = CODE.matcher(output);
    return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
  }
}
