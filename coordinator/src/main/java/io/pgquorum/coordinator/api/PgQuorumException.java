package io.pgquorum.coordinator.api;

import java.util.List;

/**
 * A node could not start: a configuration problem (each names the offending key, as {@code bin/pgquorum
 * --validate-config} does) or a component that failed to start (the DCS member, the REST API, PostgreSQL control).
 * Whatever was started is stopped again before this is thrown.
 */
public final class PgQuorumException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final List<String> problems;

  PgQuorumException(String message, List<String> problems, Throwable cause) {
    super(message, cause);
    this.problems = List.copyOf(problems);
  }

  /** Every problem found, one per line of the message; a single entry for a start failure. */
  public List<String> problems() {
    return problems;
  }
}
