package io.pgquorum.coordinator.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The dynamic configuration ({@code bootstrap.dcs}, and the JSON {@code config} key in the DCS): the keys, defaults,
 * ranges and timing invariant of {@link DynamicKeys}, and the way back to a map for writing.
 */
final class DynamicConfigParser {
  private DynamicConfigParser() {}

  /** Interprets {@code raw} (null means empty); returns null after reporting errors. */
  static DynamicConfig parse(Object raw, String prefix, Problems problems) {
    if (raw == null) {
      raw = Map.of();
    }
    if (!(raw instanceof Map)) {
      problems.error(prefix, "must be a mapping, got " + problems.show(raw));
      return null;
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> map = (Map<String, Object>) YamlDocument.normalise(raw);
    int errorsBefore = problems.errorCount();
    Section s = new Section(prefix, map, problems);

    Duration ttl = s.duration(DynamicKeys.TTL);
    Duration loopWait = s.duration(DynamicKeys.LOOP_WAIT);
    Duration retryTimeout = s.duration(DynamicKeys.RETRY_TIMEOUT);
    long maxLag = s.longValue(DynamicKeys.MAXIMUM_LAG_ON_FAILOVER);
    int primaryStartTimeout = s.integer(DynamicKeys.PRIMARY_START_TIMEOUT);
    s.bool(DynamicKeys.PAUSE); // checked here, read from raw (DynamicConfig.paused)
    s.bool(DynamicKeys.FAILSAFE_MODE); // likewise (DynamicConfig.failsafeMode)
    s.bool(DynamicKeys.RAFT_LEADERSHIP_OFF_PRIMARY); // likewise (DynamicConfig.raftLeadershipOffPrimary)
    syncSettings(s); // checked here, read from raw (DynamicConfig.synchronous)
    Object slotsTtl = s.value(DynamicKeys.MEMBER_SLOTS_TTL); // checked here, read from raw (memberSlotsTtl)
    if (slotsTtl != null && DynamicConfig.memberSlotsTtlMicros(slotsTtl).isEmpty()) {
      problems.error(s.keyPath(DynamicKeys.MEMBER_SLOTS_TTL), "must be " + DynamicKeys.MEMBER_SLOTS_TTL.what()
          + ", got " + problems.show(slotsTtl));
    }

    boolean usePgRewind = DynamicKeys.USE_PG_REWIND.defaultBool();
    boolean useSlots = DynamicKeys.USE_SLOTS.defaultBool();
    Map<String, String> parameters = Map.of();
    Map<String, String> recoveryConf = Map.of();
    List<String> pgHba = List.of();
    Section pg = s.section(DynamicKeys.POSTGRESQL).orElse(null);
    if (pg != null) {
      usePgRewind = pg.boolOrDefault(DynamicKeys.USE_PG_REWIND);
      useSlots = pg.boolOrDefault(DynamicKeys.USE_SLOTS);
      parameters = Parameters.parse(pg, DynamicKeys.PARAMETERS);
      recoveryConf = RecoveryConf.parse(pg, DynamicKeys.RECOVERY_CONF);
      pgHba = pg.stringList(DynamicKeys.PG_HBA);
      pg.unsupported(ignored(true));
      pg.warnUnknown();
    }
    Optional<StandbyCluster> standbyCluster = StandbyClusterSection.parse(s);
    PermanentSlotsSection.check(s); // checked here, read from raw (PermanentSlots.from)
    // Reported only when the value would change something: Patroni's default spelled out changes nothing.
    for (ConfigKey key : ignored(false)) {
      if (s.has(key) && !isInert(s.value(key), key.defaultValue().orElse(null))) {
        s.unsupported(List.of(key));
      }
    }
    s.warnUnknown();
    if (problems.errorCount() > errorsBefore) {
      return null;
    }

    // Patroni's invariant, repaired the way Patroni repairs it: loop_wait gives way first, then retry_timeout.
    // Milliseconds: the keys accept fractions of a second (whole seconds repair to whole seconds, as Patroni's).
    long ttlMs = ttl.toMillis();
    long loopMs = loopWait.toMillis();
    long retryMs = retryTimeout.toMillis();
    if (loopMs + 2 * retryMs > ttlMs) {
      // Patroni's floor of 1 s, never raising a loop_wait that is already shorter (a fraction of a second).
      long newLoopMs = Math.max(Math.min(loopMs, 1_000), ttlMs - 2 * retryMs);
      if (newLoopMs != loopMs) {
        problems.warn(s.keyPath(DynamicKeys.LOOP_WAIT), "lowered from " + secs(loopMs) + " to " + secs(newLoopMs)
            + " so that loop_wait + 2*retry_timeout <= ttl (ttl " + secs(ttlMs) + ", retry_timeout " + secs(retryMs)
            + "): a primary must be able to retry a failed lease refresh and still demote before its lease "
            + "expires");
        loopMs = newLoopMs;
      }
      if (loopMs + 2 * retryMs > ttlMs) {
        // Whole seconds when the inputs were (Patroni's integer division), else to the millisecond.
        long half = (ttlMs - loopMs) / 2;
        long newRetryMs = Math.max(DynamicKeys.RETRY_TIMEOUT.min(),
            ttlMs % 1000 == 0 && loopMs % 1000 == 0 ? half / 1000 * 1000 : half);
        problems.warn(s.keyPath(DynamicKeys.RETRY_TIMEOUT), "lowered from " + secs(retryMs) + " to "
            + secs(newRetryMs) + " so that loop_wait + 2*retry_timeout <= ttl (ttl " + secs(ttlMs) + ", loop_wait "
            + secs(loopMs) + "): a primary must be able to retry a failed lease refresh and still demote before its "
            + "lease expires");
        retryMs = newRetryMs;
      }
    }
    loopWait = Duration.ofMillis(loopMs);
    retryTimeout = Duration.ofMillis(retryMs);
    // Failsafe mode's timing (ha.FailsafeRules): a round is sent at the latest loop_wait + retry_timeout (a DCS read
    // timing out) after the last one and may take min(2 s, retry_timeout), and it must be back before the lease's
    // ttl - retry_timeout has run out. Only a warning: failsafe mode is a bonus on top of the lease, never unsafe.
    long roundMs = Math.min(2_000, retryMs);
    if (Boolean.TRUE.equals(Scalars.toBool(s.value(DynamicKeys.FAILSAFE_MODE)))
        && loopMs + 2 * retryMs + roundMs > ttlMs) {
      problems.warn(s.keyPath(DynamicKeys.FAILSAFE_MODE), "ttl " + secs(ttlMs) + " leaves no time for a failsafe "
          + "round: loop_wait + 2*retry_timeout + " + secs(roundMs) + " s (the round's timeout) = "
          + secs(loopMs + 2 * retryMs + roundMs) + " s is more than ttl, so a primary without the DCS stops at "
          + "its lease deadline before its members' answers can extend it; raise ttl");
    }
    return new DynamicConfig(ttl, loopWait, retryTimeout, maxLag, primaryStartTimeout, usePgRewind, useSlots,
        parameters, pgHba, standbyCluster, freeze(map), recoveryConf);
  }

  private static String secs(long millis) {
    return TimeUnits.seconds(Duration.ofMillis(millis));
  }

  /** Checks the synchronous replication keys ({@link SyncSettings}); both on and quorum are enforced. */
  private static void syncSettings(Section s) {
    Object mode = s.value(DynamicKeys.SYNCHRONOUS_MODE);
    if (SyncMode.parse(mode).isEmpty()) {
      s.problems().error(s.keyPath(DynamicKeys.SYNCHRONOUS_MODE), "must be " + DynamicKeys.SYNCHRONOUS_MODE.what()
          + ", got " + s.problems().show(mode));
    }
    s.bool(DynamicKeys.SYNCHRONOUS_MODE_STRICT);
    s.number(DynamicKeys.SYNCHRONOUS_NODE_COUNT);
    s.number(DynamicKeys.MAXIMUM_LAG_ON_SYNCNODE);
  }

  /** {@code config.raw()} with the interpreted values written over it; a fresh, mutable, ordered map. */
  static Map<String, Object> toMap(DynamicConfig config) {
    @SuppressWarnings("unchecked")
    Map<String, Object> out = (Map<String, Object>) YamlDocument.normalise(config.raw());
    put(out, DynamicKeys.TTL, TimeUnits.secondsValue(config.ttl()));
    put(out, DynamicKeys.LOOP_WAIT, TimeUnits.secondsValue(config.loopWait()));
    put(out, DynamicKeys.RETRY_TIMEOUT, TimeUnits.secondsValue(config.retryTimeout()));
    put(out, DynamicKeys.MAXIMUM_LAG_ON_FAILOVER, config.maximumLagOnFailover());
    put(out, DynamicKeys.PRIMARY_START_TIMEOUT, config.primaryStartTimeout());
    put(out, DynamicKeys.USE_PG_REWIND, config.usePgRewind());
    put(out, DynamicKeys.USE_SLOTS, config.useSlots());
    // Sorted: a stable JSON text, so that an unchanged config never looks changed to a CAS writer or a diff.
    put(out, DynamicKeys.PARAMETERS, new TreeMap<>(config.parameters()));
    if (!config.recoveryConf().isEmpty()) {
      put(out, DynamicKeys.RECOVERY_CONF, new TreeMap<>(config.recoveryConf()));
    }
    if (!config.pgHba().isEmpty() || section(out, DynamicKeys.PG_HBA).containsKey(DynamicKeys.PG_HBA.name())) {
      put(out, DynamicKeys.PG_HBA, new ArrayList<>(config.pgHba()));
    }
    return out;
  }

  /** Writes {@code value} at {@code key}'s path, replacing whatever is in the way of its section. */
  private static void put(Map<String, Object> root, ConfigKey key, Object value) {
    section(root, key).put(key.name(), value);
  }

  /** The mapping that holds {@code key}, created (at the end, in document order) when absent or not a mapping. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> section(Map<String, Object> root, ConfigKey key) {
    String[] parts = key.path().split("\\.");
    Map<String, Object> node = root;
    for (int i = 0; i < parts.length - 1; i++) {
      Object child = node.get(parts[i]);
      if (!(child instanceof Map)) {
        child = new LinkedHashMap<String, Object>();
        node.put(parts[i], child);
      }
      node = (Map<String, Object>) child;
    }
    return node;
  }

  /** The ignored keys of the {@code postgresql} subsection, or of the top level. */
  private static List<ConfigKey> ignored(boolean inPostgresql) {
    String section = DynamicKeys.POSTGRESQL.path() + ".";
    return DynamicKeys.TABLE.keys(ConfigKey.Support.IGNORED).stream()
        .filter(k -> k.path().startsWith(section) == inPostgresql).toList();
  }

  private static boolean isInert(Object value, Object inertDefault) {
    if (value instanceof Map) {
      return ((Map<?, ?>) value).isEmpty();
    }
    if (value instanceof List) {
      return ((List<?>) value).isEmpty();
    }
    if (inertDefault instanceof Boolean) {
      return inertDefault.equals(Scalars.toBool(value));
    }
    if (inertDefault instanceof Long) {
      return inertDefault.equals(Scalars.toLong(value));
    }
    return false;
  }

  /** Unmodifiable all the way down, so a record holding it is really immutable. */
  static Object freezeValue(Object value) {
    if (value instanceof Map) {
      return freeze(value);
    }
    if (value instanceof List) {
      List<Object> out = new ArrayList<>();
      for (Object item : (List<?>) value) {
        out.add(freezeValue(item));
      }
      return Collections.unmodifiableList(out);
    }
    return value;
  }

  static Map<String, Object> freeze(Object mapping) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : ((Map<?, ?>) mapping).entrySet()) {
      out.put(String.valueOf(e.getKey()), freezeValue(e.getValue()));
    }
    return Collections.unmodifiableMap(out);
  }
}
