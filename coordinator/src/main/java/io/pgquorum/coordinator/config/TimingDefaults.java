package io.pgquorum.coordinator.config;

/**
 * Timing defaults and minimums, in one place, with the reason for each.
 *
 * <p>Invariant (Patroni's, kept for the same reason): {@code loop_wait + 2 * retry_timeout <= ttl}. A primary
 * refreshes its lease once per loop; a refresh attempt may take up to retry_timeout; the primary must be able to
 * notice a failed refresh, retry once, and still demote before the lease runs out on the majority side. When a
 * file breaks it, the loader lowers loop_wait first, then retry_timeout, and says which value it changed.
 */
public final class TimingDefaults {
  /** Leader lease, seconds. Short because the embedded DCS is fast; see {@link DynamicConfig#ttl()}. */
  public static final int TTL = 8;
  /** Seconds between HA cycles. */
  public static final int LOOP_WAIT = 1;
  /** Seconds a DCS/PostgreSQL operation may take before it counts as failed. */
  public static final int RETRY_TIMEOUT = 2;
  /** Bytes of WAL lag a failover candidate may have (Patroni's default). */
  public static final long MAXIMUM_LAG_ON_FAILOVER = 1_048_576;
  /**
   * Seconds a crashed primary may take to come back (crash recovery) while it keeps the lock, before it gives the
   * lock up to a replica that can take over (Patroni's default and meaning; 0 = fail over at once when possible).
   * Long because a failover in asynchronous mode may lose transactions, while a restart loses none. A start that
   * fails outright gives the lock up at once whatever this says. Enforced by {@code ha.Decider}.
   */
  public static final int PRIMARY_START_TIMEOUT = 300;

  /** Smallest ttl accepted: below this, a loaded 2-core machine cannot refresh in time. */
  public static final int MIN_TTL = 4;
  /** Smallest loop_wait accepted. */
  public static final int MIN_LOOP_WAIT = 1;
  /** Smallest retry_timeout accepted. */
  public static final int MIN_RETRY_TIMEOUT = 1;

  private TimingDefaults() {}
}
