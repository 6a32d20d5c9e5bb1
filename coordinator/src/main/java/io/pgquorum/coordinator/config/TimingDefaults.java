package io.pgquorum.coordinator.config;

import java.time.Duration;

/**
 * The timing defaults and minimums of the dynamic configuration, for code outside this package. The values, their
 * reasons and the timing invariant are declared in {@link DynamicKeys}; these only read them.
 */
public final class TimingDefaults {
  /** Leader lease; see {@link DynamicConfig#ttl()}. */
  public static final Duration TTL = DynamicKeys.TTL.defaultDuration();
  /** Time between HA cycles. */
  public static final Duration LOOP_WAIT = DynamicKeys.LOOP_WAIT.defaultDuration();
  /** How long a DCS/PostgreSQL operation may take before it counts as failed. */
  public static final Duration RETRY_TIMEOUT = DynamicKeys.RETRY_TIMEOUT.defaultDuration();
  /** Bytes of WAL lag a failover candidate may have. */
  public static final long MAXIMUM_LAG_ON_FAILOVER = DynamicKeys.MAXIMUM_LAG_ON_FAILOVER.defaultLong();
  /** Seconds a crashed primary may take to come back while it keeps the lock; enforced by {@code ha.Decider}. */
  public static final int PRIMARY_START_TIMEOUT = DynamicKeys.PRIMARY_START_TIMEOUT.defaultInt();

  /** Smallest ttl accepted. */
  public static final Duration MIN_TTL = Duration.ofMillis(DynamicKeys.TTL.min());
  /** Smallest loop_wait accepted. */
  public static final Duration MIN_LOOP_WAIT = Duration.ofMillis(DynamicKeys.LOOP_WAIT.min());
  /** Smallest retry_timeout accepted. */
  public static final Duration MIN_RETRY_TIMEOUT = Duration.ofMillis(DynamicKeys.RETRY_TIMEOUT.min());

  private TimingDefaults() {}
}
