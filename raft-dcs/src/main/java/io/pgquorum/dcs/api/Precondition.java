package io.pgquorum.dcs.api;

/** A condition on the current state of one key, checked atomically with the write it guards. */
public sealed interface Precondition {

  /** No condition. */
  static Precondition none() {
    return None.INSTANCE;
  }

  /** The key exists and its {@link KeyValue#modRevision()} is exactly {@code revision}. */
  static Precondition modRevision(long revision) {
    if (revision <= 0) {
      throw new IllegalArgumentException("revision must be > 0, got " + revision);
    }
    return new ModRevision(revision);
  }

  /** The key exists and holds exactly {@code value}. */
  static Precondition value(String value) {
    if (value == null) {
      throw new IllegalArgumentException("value must not be null");
    }
    return new Value(value);
  }

  /** The key does not exist. */
  static Precondition absent() {
    return Absent.INSTANCE;
  }

  /** See {@link #none()}. */
  enum None implements Precondition { INSTANCE }

  /** See {@link #absent()}. */
  enum Absent implements Precondition { INSTANCE }

  /** See {@link #modRevision(long)}. */
  record ModRevision(long revision) implements Precondition {}

  /** See {@link #value(String)}. */
  record Value(String value) implements Precondition {}
}
