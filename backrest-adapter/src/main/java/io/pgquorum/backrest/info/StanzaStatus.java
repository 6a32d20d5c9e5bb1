package io.pgquorum.backrest.info;

/**
 * A stanza's (or repository's) {@code status}: pgBackRest's code and message. The code is what health checks
 * read, since {@code info} exits 0 whatever it is.
 */
public record StanzaStatus(int code, String message) {
  /** The codes pgBackRest 2.45 documents. */
  public enum Code {
    OK(0),
    MISSING_STANZA_PATH(1),
    NO_VALID_BACKUPS(2),
    MISSING_STANZA_DATA(3),
    DIFFERENT_ACROSS_REPOS(4),
    DATABASE_MISMATCH_ACROSS_REPOS(5),
    REQUESTED_BACKUP_NOT_FOUND(6),
    OTHER(99),
    /** A code this version of pgquorum does not know (a newer pgBackRest). */
    UNKNOWN(-1);

    private final int value;

    Code(int value) {
      this.value = value;
    }

    static Code of(int value) {
      for (Code c : values()) {
        if (c.value == value) {
          return c;
        }
      }
      return UNKNOWN;
    }
  }

  public Code typed() {
    return Code.of(code);
  }

  public boolean ok() {
    return code == 0;
  }

  /** The stanza exists but has no backup yet (a fresh stanza-create). */
  public boolean noBackups() {
    return code == 2;
  }

  /** The repository has no stanza of this name: stanza-create has not run. */
  public boolean stanzaMissing() {
    return code == 1 || code == 3;
  }
}
