package io.pgquorum.coordinator.init;

/**
 * Bad input to {@code pgquorum init}, or a file it will not overwrite: one message for the user, naming the flag
 * or the file, printed without a stack trace.
 */
public final class InitException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InitException(String message) {
    super(message);
  }

  public InitException(String message, Throwable cause) {
    super(message, cause);
  }
}
