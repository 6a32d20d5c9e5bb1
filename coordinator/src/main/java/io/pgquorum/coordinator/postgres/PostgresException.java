package io.pgquorum.coordinator.postgres;

/**
 * A PostgreSQL operation failed. The message says which operation, and includes the tail of the tool's output
 * (never a password: connection strings are passed through the environment and pgpass, never argv).
 */
public class PostgresException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PostgresException(String message) {
    super(message);
  }

  public PostgresException(String message, Throwable cause) {
    super(message, cause);
  }
}
