package io.pgquorum.dcs.api;

/** Base of the DCS's typed errors. Unchecked: callers handle them at one boundary (the HA loop's cycle). */
public class DcsException extends RuntimeException {
  public DcsException(String message) {
    super(message);
  }

  public DcsException(String message, Throwable cause) {
    super(message, cause);
  }
}
