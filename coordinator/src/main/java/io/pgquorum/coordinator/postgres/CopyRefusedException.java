package io.pgquorum.coordinator.postgres;

/** PostgreSQL refused a fresh copy at its start: it cannot reach the timeline to follow ({@link RefusedCopy}). */
public final class CopyRefusedException extends PostgresException {
  private static final long serialVersionUID = 1L;
  private final transient RefusedCopy refused;

  CopyRefusedException(RefusedCopy refused, String message, Throwable cause) {
    super(message, cause);
    this.refused = refused;
  }

  public RefusedCopy refused() {
    return refused;
  }
}
