package io.pgquorum.pgctl;

import java.util.List;

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
  /** For {@link #mistyped}: the commands the unknown word was typed after, and the word. */
  private final List<String> path;
  private final String word;

  private CtlException(String message, int exitCode) {
    this(message, exitCode, List.of(), null);
  }

  private CtlException(String message, int exitCode, List<String> path, String word) {
    super(message, null, false, false);
    this.exitCode = exitCode;
    this.path = List.copyOf(path);
    this.word = word;
  }

  /**
   * An unknown command or option: a usage failure whose message stays the parser's own, and which carries the word
   * so that the line printed for it can add the nearest names ({@link CommandTree#didYouMean}).
   *
   * @param path the command (and dcs sub-command) {@code word} was typed after; empty for a command or a global
   *     option
   */
  static CtlException mistyped(String message, List<String> path, String word) {
    return new CtlException(message, USAGE, path, word);
  }

  /** "; did you mean X?" when this is {@link #mistyped} and some name is close, else empty. */
  String suggestion() {
    return word == null ? "" : CommandTree.didYouMean(path, word);
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
