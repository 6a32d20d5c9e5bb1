package io.pgquorum.coordinator.node;

/** A node component (DCS member, REST API, PostgreSQL control) failed to start. */
public final class NodeStartException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public NodeStartException(String message, Throwable cause) {
    super(message, cause);
  }
}
