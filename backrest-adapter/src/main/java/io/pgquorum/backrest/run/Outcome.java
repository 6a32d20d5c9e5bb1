package io.pgquorum.backrest.run;

/**
 * What a pgbackrest command came to: a value, or a typed failure. Failures are expected outcomes (no stanza yet,
 * PostgreSQL down, a backup already running), so they are values the caller must look at, not exceptions.
 */
public sealed interface Outcome<T> {
  /** The command succeeded. */
  record Ok<T>(T value, CommandRun run) implements Outcome<T> {}

  /** The command failed, timed out or could not start. */
  record Failed<T>(BackrestFailure failure) implements Outcome<T> {}

  default boolean ok() {
    return this instanceof Ok<T>;
  }

  /** The value; IllegalStateException with the failure's text otherwise (for callers that cannot go on). */
  default T orThrow() {
    if (this instanceof Ok<T> ok) {
      return ok.value();
    }
    throw new IllegalStateException(((Failed<T>) this).failure().describe());
  }
}
