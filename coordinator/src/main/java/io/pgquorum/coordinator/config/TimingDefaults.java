package io.pgquorum.coordinator.config;

/**
 * The timing defaults and minimums of the dynamic configuration, for code outside this package. The values, their
 * reasons and the timing invariant are declared in {@link DynamicKeys}; these only read them.
 */
public final class TimingDefaults {
  /** Leader lease, seconds; see {@link DynamicConfig#ttl()}. */
  public static final int TTL = DynamicKeys.TTL.defaultInt();
  /** Seconds between HA cycles. */
  public static final int LOOP_WAIT = DynamicKeys.LOOP_WAIT.defaultInt();
  /** Seconds a DCS/PostgreSQL operation may take before it counts as failed. */
  public static final int RETRY_TIMEOUT = DynamicKeys.RETRY_TIMEOUT.defaultInt();
  /** Bytes of WAL lag a failover candidate may have. */
  public static final long MAXIMUM_LAG_ON_FAILOVER = DynamicKeys.MAXIMUM_LAG_ON_FAILOVER.defaultLong();
  /** Seconds a crashed primary may take to come back while it keeps the lock; enforced by {@code ha.Decider}. */
  public static final int PRIMARY_START_TIMEOUT = DynamicKeys.PRIMARY_START_TIMEOUT.defaultInt();

  /** Smallest ttl accepted. */
  public static final int MIN_TTL = (int) DynamicKeys.TTL.min();
  /** Smallest loop_wait accepted. */
  public static final int MIN_LOOP_WAIT = (int) DynamicKeys.LOOP_WAIT.min();
  /** Smallest retry_timeout accepted. */
  public static final int MIN_RETRY_TIMEOUT = (int) DynamicKeys.RETRY_TIMEOUT.min();

  private TimingDefaults() {}
}
