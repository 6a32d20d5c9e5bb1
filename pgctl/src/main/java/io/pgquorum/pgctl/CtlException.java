package io.pgquorum.pgctl;

/**
 * A failure pgctl reports as one {@code Error: ...} line and an exit status, never as a stack trace.
 * {@link #usage()} failures (a bad command line) exit 2 and are followed by a hint to {@code --help}; the rest
 * (configuration, an unreachable DCS) exit 1.
 */
final class CtlException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  static final int FAILURE = 1;
  static final int USAGE = 2;

  private final int exitCode;

  private CtlException(String message, int exitCode) {
    super(message, null, false, false);
    this.exitCode = exitCode;
  }

  /** A bad command line: exit status 2. */
  static CtlException usage(String message) {
    return new CtlException(message, USAGE);
  }

  /** Anything else that stops the command: exit status 1. */
  static CtlException failure(String message) {
    return new CtlException(message, FAILURE);
  }

  int exitCode() {
    return exitCode;
  }

  boolean isUsage() {
    return exitCode == USAGE;
  }
}
