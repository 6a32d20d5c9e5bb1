package io.pgquorum.coordinator.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** TEMPORARY stub, replaced by the real loader. */
public final class ConfigLoader {
  private ConfigLoader() {}

  public static NodeConfig load(java.nio.file.Path file, Map<String, String> env) {
    throw new UnsupportedOperationException("stub");
  }

  public static NodeConfig parse(String yaml, String sourceName, Map<String, String> env) {
    throw new UnsupportedOperationException("stub");
  }

  public static DynamicConfig parseDynamic(Map<String, Object> raw, String prefix, List<String> warnings) {
    return new DynamicConfig(num(raw.get("ttl"), TimingDefaults.TTL), num(raw.get("loop_wait"),
        TimingDefaults.LOOP_WAIT), num(raw.get("retry_timeout"), TimingDefaults.RETRY_TIMEOUT),
        TimingDefaults.MAXIMUM_LAG_ON_FAILOVER, TimingDefaults.PRIMARY_START_TIMEOUT, true, true, Map.of(),
        List.of(), raw);
  }

  public static Map<String, Object> toMap(DynamicConfig c) {
    Map<String, Object> m = new LinkedHashMap<>(c.raw());
    m.put("ttl", c.ttl());
    m.put("loop_wait", c.loopWait());
    m.put("retry_timeout", c.retryTimeout());
    m.put("maximum_lag_on_failover", c.maximumLagOnFailover());
    return m;
  }

  private static int num(Object o, int d) {
    return o instanceof Number n ? n.intValue() : d;
  }
}
