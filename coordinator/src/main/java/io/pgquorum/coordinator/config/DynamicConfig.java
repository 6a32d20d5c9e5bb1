package io.pgquorum.coordinator.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The cluster-wide dynamic configuration: seeded from {@code bootstrap.dcs}, stored as JSON in the DCS
 * {@code config} key, identical on every node. Key names and JSON layout are Patroni's.
 *
 * <p>The keys, their defaults, ranges and reasons, and the timing invariant checked at load time, are declared in
 * {@link DynamicKeys}.
 *
 * @param ttl leader lease length ({@link DynamicKeys#TTL}; seconds, fractions to the millisecond). The DCS expires
 *     the leader key with the ttl
 *     stored on it; the holder re-arms the key when this value changes and never counts on more than
 *     min(stored, this) - retry_timeout (see {@code ha.LeaseTerms})
 * @param loopWait time between HA cycles ({@link DynamicKeys#LOOP_WAIT})
 * @param retryTimeout how long a DCS or PostgreSQL operation may take before it counts as failed
 *     ({@link DynamicKeys#RETRY_TIMEOUT})
 * @param maximumLagOnFailover bytes a replica may lag the last known primary position and still promote
 *     ({@link DynamicKeys#MAXIMUM_LAG_ON_FAILOVER})
 * @param primaryStartTimeout seconds a crashed primary gets to restart (crash recovery, lock kept) before failing
 *     over to a replica that can take over (0 = fail over at once; {@link DynamicKeys#PRIMARY_START_TIMEOUT})
 * @param usePgRewind rewind a diverged former primary instead of re-cloning it ({@link DynamicKeys#USE_PG_REWIND})
 * @param useSlots the primary keeps a physical replication slot per member ({@link DynamicKeys#USE_SLOTS})
 * @param parameters PostgreSQL parameters for every node (those that must match cluster-wide come only from here)
 * @param pgHba pg_hba lines for every node, when the local section does not set its own
 * @param standbyCluster the {@code standby_cluster} section when this is a standby cluster (it has {@code host},
 *     {@code port} or {@code restore_command}); empty otherwise ({@link DynamicKeys#STANDBY_CLUSTER})
 * @param raw the whole JSON object as stored, including keys pgquorum does not interpret, so that a round trip
 *     through the DCS never loses a user's setting
 * @param recoveryConf {@code postgresql.recovery_conf}: every replica's recovery settings (restore_command, ...)
 *     unless a node sets its own ({@link RecoveryConf})
 */
public record DynamicConfig(
    Duration ttl,
    Duration loopWait,
    Duration retryTimeout,
    long maximumLagOnFailover,
    int primaryStartTimeout,
    boolean usePgRewind,
    boolean useSlots,
    Map<String, String> parameters,
    List<String> pgHba,
    Optional<StandbyCluster> standbyCluster,
    Map<String, Object> raw,
    Map<String, String> recoveryConf) {
  public DynamicConfig {
    parameters = Map.copyOf(parameters);
    recoveryConf = Map.copyOf(recoveryConf);
    pgHba = List.copyOf(pgHba);
    raw = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(raw));
  }

  /**
   * Without a standby_cluster section (a cluster with its own primary) and without a recovery_conf; the timing in
   * whole seconds.
   */
  public DynamicConfig(int ttl, int loopWait, int retryTimeout, long maximumLagOnFailover, int primaryStartTimeout,
      boolean usePgRewind, boolean useSlots, Map<String, String> parameters, List<String> pgHba,
      Map<String, Object> raw) {
    this(Duration.ofSeconds(ttl), Duration.ofSeconds(loopWait), Duration.ofSeconds(retryTimeout),
        maximumLagOnFailover, primaryStartTimeout, usePgRewind, useSlots, parameters,
        pgHba, Optional.empty(), raw, Map.of());
  }

  /** Without a recovery_conf; the timing in whole seconds. */
  public DynamicConfig(int ttl, int loopWait, int retryTimeout, long maximumLagOnFailover, int primaryStartTimeout,
      boolean usePgRewind, boolean useSlots, Map<String, String> parameters, List<String> pgHba,
      Optional<StandbyCluster> standbyCluster, Map<String, Object> raw) {
    this(Duration.ofSeconds(ttl), Duration.ofSeconds(loopWait), Duration.ofSeconds(retryTimeout),
        maximumLagOnFailover, primaryStartTimeout, usePgRewind, useSlots, parameters,
        pgHba, standbyCluster, raw, Map.of());
  }

  /** Without a standby_cluster section; the timing in whole seconds. */
  public DynamicConfig(int ttl, int loopWait, int retryTimeout, long maximumLagOnFailover, int primaryStartTimeout,
      boolean usePgRewind, boolean useSlots, Map<String, String> parameters, List<String> pgHba,
      Map<String, Object> raw, Map<String, String> recoveryConf) {
    this(Duration.ofSeconds(ttl), Duration.ofSeconds(loopWait), Duration.ofSeconds(retryTimeout),
        maximumLagOnFailover, primaryStartTimeout, usePgRewind, useSlots, parameters,
        pgHba, Optional.empty(), raw, recoveryConf);
  }

  /**
   * Maintenance mode ({@link DynamicKeys#PAUSE}): read from {@link #raw()} rather than kept as a component, as the
   * parser has already checked it is a boolean (an absent key, or {@code null}, means not paused).
   */
  public boolean paused() {
    return Boolean.TRUE.equals(Scalars.toBool(raw.get(DynamicKeys.PAUSE.name())));
  }

  /** {@link DynamicKeys#FAILSAFE_MODE}, read from {@link #raw()} like {@link #paused()}. */
  public boolean failsafeMode() {
    return Boolean.TRUE.equals(Scalars.toBool(raw.get(DynamicKeys.FAILSAFE_MODE.name())));
  }

  /** {@link DynamicKeys#RAFT_LEADERSHIP_OFF_PRIMARY}, read from {@link #raw()} like {@link #paused()} (default on). */
  public boolean raftLeadershipOffPrimary() {
    return !Boolean.FALSE.equals(Scalars.toBool(raw.get(DynamicKeys.RAFT_LEADERSHIP_OFF_PRIMARY.name())));
  }

  /**
   * The synchronous replication settings ({@link SyncSettings}), read from {@link #raw()} like {@link #paused()}: the
   * parser has already checked them (absent keys have Patroni's defaults).
   */
  public SyncSettings synchronous() {
    return SyncSettings.from(raw);
  }

  /**
   * {@link DynamicKeys#MEMBER_SLOTS_TTL}: how long a gone member's slot is kept. Read from {@link #raw()} like
   * {@link #paused()}: the parser has already checked it (absent or null: Patroni's 30 minutes).
   */
  public Duration memberSlotsTtl() {
    Object v = raw.get(DynamicKeys.MEMBER_SLOTS_TTL.name());
    Object spelt = v == null ? DynamicKeys.MEMBER_SLOTS_TTL.defaultValue().orElseThrow() : v;
    return Duration.of(memberSlotsTtlMicros(spelt).orElseThrow(), java.time.temporal.ChronoUnit.MICROS);
  }

  /**
   * {@code member_slots_ttl} in microseconds: a YAML integer is seconds (Patroni's base unit), text may name a unit;
   * empty for anything else (negative, a fraction, a boolean), or for more than a year (a typo, not a policy).
   */
  static java.util.OptionalLong memberSlotsTtlMicros(Object value) {
    // A YAML integer goes through the same reader as text (seconds without a unit): one place says what is valid.
    Long seconds = value instanceof String || value instanceof Boolean ? null : Scalars.toLong(value);
    java.util.OptionalLong micros = value instanceof String text ? TimeUnits.micros(text, "s")
        : seconds == null ? java.util.OptionalLong.empty() : TimeUnits.micros(Long.toString(seconds), "s");
    return micros.isPresent() && micros.getAsLong() <= MAX_SLOTS_TTL_SECONDS * 1_000_000L ? micros
        : java.util.OptionalLong.empty();
  }

  private static final long MAX_SLOTS_TTL_SECONDS = 366L * 86_400;

  /** This configuration with other timing (and {@link #raw()} unchanged: for tests and simulations). */
  public DynamicConfig withTiming(Duration ttl, Duration loopWait, Duration retryTimeout) {
    return new DynamicConfig(ttl, loopWait, retryTimeout, maximumLagOnFailover, primaryStartTimeout, usePgRewind,
        useSlots, parameters, pgHba, standbyCluster, raw, recoveryConf);
  }

  /** This configuration with another {@link #raw()} document (the typed values unchanged). */
  public DynamicConfig withRaw(Map<String, Object> raw) {
    return new DynamicConfig(ttl, loopWait, retryTimeout, maximumLagOnFailover, primaryStartTimeout, usePgRewind,
        useSlots, parameters, pgHba, standbyCluster, raw, recoveryConf);
  }
}
