package io.pgquorum.coordinator.config;

import java.util.Map;

/**
 * The synchronous replication settings of the dynamic configuration ({@link DynamicKeys#SYNCHRONOUS_MODE} and the
 * keys after it), with Patroni's meanings. Not enforced yet: the pure rules in {@code coordinator.ha.sync} use it,
 * the HA loop does not apply them.
 *
 * @param mode {@code synchronous_mode}
 * @param strict {@code synchronous_mode_strict}: with no synchronous standby, commits wait rather than the
 *     primary falling back to asynchronous replication
 * @param nodeCount {@code synchronous_node_count}, at least 1: how many standbys a commit waits for (capped by
 *     the eligible ones)
 * @param maximumLag {@code maximum_lag_on_syncnode} in bytes; 0 or less never checks
 */
public record SyncSettings(SyncMode mode, boolean strict, int nodeCount, long maximumLag) {
  public SyncSettings {
    if (nodeCount < 1) {
      throw new IllegalArgumentException("synchronous_node_count must be at least 1, got " + nodeCount);
    }
  }

  /** Patroni's defaults: asynchronous. */
  public static SyncSettings off() {
    return new SyncSettings(SyncMode.OFF, false, 1, -1);
  }

  public boolean enabled() {
    return mode != SyncMode.OFF;
  }

  /** Whether the lag check is on ({@code maximum_lag_on_syncnode} above 0). */
  public boolean checksLag() {
    return maximumLag > 0;
  }

  /** Read from a dynamic configuration's raw map whose values the parser already checked. */
  static SyncSettings from(Map<String, Object> raw) {
    SyncMode mode = SyncMode.parse(raw.get(DynamicKeys.SYNCHRONOUS_MODE.name())).orElse(SyncMode.OFF);
    Boolean strict = Scalars.toBool(raw.get(DynamicKeys.SYNCHRONOUS_MODE_STRICT.name()));
    Long count = Scalars.toLong(raw.get(DynamicKeys.SYNCHRONOUS_NODE_COUNT.name()));
    Long lag = Scalars.toLong(raw.get(DynamicKeys.MAXIMUM_LAG_ON_SYNCNODE.name()));
    return new SyncSettings(mode, Boolean.TRUE.equals(strict),
        count == null || count < 1 ? DynamicKeys.SYNCHRONOUS_NODE_COUNT.defaultInt() : Math.toIntExact(count),
        lag == null ? DynamicKeys.MAXIMUM_LAG_ON_SYNCNODE.defaultLong() : lag);
  }
}
