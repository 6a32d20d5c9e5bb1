package io.pgquorum.coordinator.ha;

/**
 * The HA loop's permission for the {@link LeaseKeeper} to refresh the leader lock between the loop's own cycles: "you
 * may keep refreshing the lock with fencing token {@code token} until {@code untilNanos}". Granted by a plan that
 * keeps the lock and leaves PostgreSQL running as primary ({@link LeaseKeeping#license}); every other plan revokes
 * it before its first step runs.
 *
 * @param token the fencing token of the lock the plan keeps (a license never covers another incarnation)
 * @param terms the plan's lease terms: a confirmed keeper refresh moves the deadline by exactly what the loop's own
 *     refresh would ({@link LeaseTerms#validForNanos}, from before the send)
 * @param untilNanos no refresh is sent at or after this instant of the node's monotonic clock
 * @param periodNanos a refresh is due once the last confirmed write of the lease (the loop's or the keeper's) and
 *     the keeper's last attempt were both sent at least this long ago
 */
public record KeeperLicense(long token, LeaseTerms terms, long untilNanos, long periodNanos) {}
