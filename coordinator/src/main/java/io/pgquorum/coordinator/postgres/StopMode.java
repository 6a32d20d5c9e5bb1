package io.pgquorum.coordinator.postgres;

/** pg_ctl stop modes, and when pgquorum uses each. */
public enum StopMode {
  /** Wait for clients to finish: an operator's restart. */
  SMART,
  /** Disconnect clients, shutdown checkpoint: graceful switchover, SIGTERM handover. */
  FAST,
  /**
   * Kill at once, no checkpoint: the lease is gone or about to go. The only mode fast enough to fence a primary
   * before its lease can expire on the majority side (Patroni's immediate-nolock uses it for the same reason).
   */
  IMMEDIATE
}
