package io.pgquorum.jepsen.history;

/**
 * The four kinds of history events, as in Jepsen.
 *
 * <ul>
 *   <li>{@link #INVOKE}: a process starts an operation;
 *   <li>{@link #OK}: it definitely took effect (with the value it returned);
 *   <li>{@link #FAIL}: it definitely did not take effect (for example a compare-and-set whose condition failed, or
 *       a write refused with SQLSTATE 25006 read-only transaction);
 *   <li>{@link #INFO}: the outcome is unknown (timeout, connection dropped during COMMIT, cancelled synchronous
 *       commit wait). An INFO op may take effect at any time after its invocation, or never. Events that are not
 *       client operations (nemesis faults, coordinator role changes) are recorded as INFO too.
 * </ul>
 */
public enum OpType {
  INVOKE, OK, FAIL, INFO;

  /** True for the three completion types. */
  public boolean isCompletion() {
    return this != INVOKE;
  }
}
