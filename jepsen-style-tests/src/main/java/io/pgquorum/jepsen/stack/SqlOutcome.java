package io.pgquorum.jepsen.stack;

import io.pgquorum.jepsen.history.OpType;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.sql.SQLWarning;

/** How a failed statement maps to a history outcome (see postgresql-facts.md). */
final class SqlOutcome {
  static final String READ_ONLY = "25006";
  static final String SYNC_CANCEL = "canceling wait for synchronous replication";

  private SqlOutcome() {}

  /**
   * FAIL only when the statement certainly did not take effect: a read-only transaction (25006) or another error
   * the server raised before committing (syntax, constraint, ...). Lost connections (class 08), shutdowns and
   * crashes (57, XX), timeouts and anything unrecognised are INFO: the commit may have happened.
   */
  static OpType of(SQLException e) {
    String state = e.getSQLState();
    if (state == null || hasTimeout(e)) {
      return OpType.INFO;
    }
    if (state.equals(READ_ONLY)) {
      return OpType.FAIL;
    }
    if (state.startsWith("08") || state.startsWith("57") || state.startsWith("XX") || state.startsWith("53")
        || state.startsWith("58")) {
      return OpType.INFO;
    }
    return OpType.FAIL;
  }

  private static boolean hasTimeout(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SocketTimeoutException) {
        return true;
      }
    }
    return false;
  }

  /** A short description for the history's error field. */
  static String describe(SQLException e) {
    String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().split("\n")[0];
    return (e.getSQLState() == null ? "" : e.getSQLState() + " ") + msg;
  }

  /** True when a warning chain carries the cancelled synchronous-commit wait. */
  static boolean syncWaitCancelled(SQLWarning w) {
    for (SQLWarning x = w; x != null; x = x.getNextWarning()) {
      if (x.getMessage() != null && x.getMessage().contains(SYNC_CANCEL)) {
        return true;
      }
    }
    return false;
  }

  static void closeQuietly(AutoCloseable c) {
    if (c != null) {
      try {
        c.close();
      } catch (Exception e) {
        // the connection is being thrown away anyway
      }
    }
  }
}
