package io.pgquorum.jepsen.fault;

import java.util.Set;

/**
 * What a cluster driver offers the nemesis. Implemented by the in-JVM DCS testbed and by full-stack clusters.
 * Every method blocks until the fault is in place (a cut link drops traffic; a killed process is dead).
 */
public interface FaultTarget {
  /** Number of nodes. */
  int size();

  /**
   * Whether this driver can inject this fault. The fault's kind decides from the capabilities below
   * ({@link FaultKinds#supports}); a driver states what its primitives can do, not which kinds it knows.
   */
  default boolean supports(Fault fault) {
    return FaultKinds.supports(fault, this);
  }

  /** Whether {@link #kill} and {@link #restart} work on this component. */
  default boolean canKill(Component component) {
    return false;
  }

  /** Whether {@link #pause} and {@link #resume} work on this component. */
  default boolean canPause(Component component) {
    return false;
  }

  /** Whether {@link #clockRate} works. */
  default boolean canSkewClocks() {
    return false;
  }

  /** Whether {@link #packetLoss} works. */
  default boolean canDropPackets() {
    return false;
  }

  /** Whether {@link #delay} works. */
  default boolean canDelay() {
    return false;
  }

  /** Whether {@link #cutDcs} and {@link #restoreDcs} work (the DCS links cut alone, the rest left open). */
  default boolean canCutDcsOnly() {
    return false;
  }

  /** Whether {@link #setDynamicConfig} works. */
  default boolean canEditDynamicConfig() {
    return false;
  }

  /** The current primary (full stack) or Raft leader (DCS), or -1 when none is known. */
  int primary();

  /** Cuts exactly these directed links in addition to those already cut. */
  void cut(Set<Link> links);

  /** Restores these directed links. */
  void restore(Set<Link> links);

  /** Cuts these directed links for the DCS only (REST and replication stay); see {@link #canCutDcsOnly}. */
  default void cutDcs(Set<Link> links) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot cut the DCS alone");
  }

  /** Restores the DCS on these directed links. */
  default void restoreDcs(Set<Link> links) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot cut the DCS alone");
  }

  void kill(int node, Component component);

  void restart(int node, Component component);

  void pause(int node, Component component);

  void resume(int node, Component component);

  /** Runs node's clocks at {@code rate} (1.0 = real time). */
  void clockRate(int node, double rate);

  /** Drop probability on every link (0 = none). */
  void packetLoss(double probability);

  /** Added one-way delay on every link in milliseconds (0 = none). */
  void delay(int millis);

  /**
   * Sets {@code key} of the cluster's dynamic configuration (the DCS {@code config} key) to {@code value}, or
   * removes it when {@code value} is empty, with a compare-and-set on the key; returns the value it had (empty
   * when absent). Only drivers whose {@link #canEditDynamicConfig} is true implement it.
   */
  default java.util.OptionalLong setDynamicConfig(String key, java.util.OptionalLong value) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot edit the dynamic configuration");
  }
}
