package io.pgquorum.coordinator.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The dynamic configuration ({@code bootstrap.dcs}, and the JSON {@code config} key in the DCS): Patroni's keys,
 * our defaults from {@link TimingDefaults}, the timing invariant, and the way back to a map for writing.
 */
final class DynamicConfigParser {
  private static final String SECONDS = "an integer number of seconds";
  private static final int MAX_SECONDS = 86_400;

  /**
   * Patroni dynamic keys pgquorum does not implement, with the Patroni default that makes them inert (no warning
   * when a file spells out the default) and what ignoring them means.
   */
  private static final Map<String, Object[]> UNSUPPORTED = unsupported();

  private DynamicConfigParser() {}

  private static Map<String, Object[]> unsupported() {
    Map<String, Object[]> m = new LinkedHashMap<>();
    String async = "replication stays asynchronous; a failover can lose the last transactions a primary committed";
    m.put("synchronous_mode", new Object[] {false, async});
    m.put("synchronous_mode_strict", new Object[] {false, async});
    m.put("synchronous_node_count", new Object[] {1L, async});
    m.put("maximum_lag_on_syncnode", new Object[] {-1L, async});
    m.put("failsafe_mode", new Object[] {false, "a primary that loses the DCS majority always demotes"});
    m.put("check_timeline", new Object[] {false, null});
    m.put("max_timelines_history", new Object[] {0L, null});
    m.put("primary_stop_timeout", new Object[] {0L, null});
    m.put("master_stop_timeout", new Object[] {0L, null});
    m.put("standby_cluster", new Object[] {null, "this cluster does not follow a remote primary"});
    m.put("slots", new Object[] {null, "no permanent replication slots are created"});
    m.put("ignore_slots", new Object[] {null, null});
    m.put("member_slots_ttl", new Object[] {null, null});
    return m;
  }

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

    int ttl = s.integer("ttl", SECONDS, 0, MAX_SECONDS, TimingDefaults.TTL);
    if (ttl < TimingDefaults.MIN_TTL) {
      problems.error(s.keyPath("ttl"), "must be at least " + TimingDefaults.MIN_TTL + " seconds, got " + ttl
          + " (a shorter lease cannot be refreshed reliably on a busy machine, and every hiccup would become a "
          + "failover)");
    }
    int loopWait = s.integer("loop_wait", SECONDS, TimingDefaults.MIN_LOOP_WAIT, MAX_SECONDS,
        TimingDefaults.LOOP_WAIT);
    int retryTimeout = s.integer("retry_timeout", SECONDS, TimingDefaults.MIN_RETRY_TIMEOUT, MAX_SECONDS,
        TimingDefaults.RETRY_TIMEOUT);
    long maxLag = s.number("maximum_lag_on_failover", "an integer number of bytes", 0, Long.MAX_VALUE)
        .orElse(TimingDefaults.MAXIMUM_LAG_ON_FAILOVER);
    // Patroni 3 renamed master_start_timeout; the old name still counts when the new one is absent.
    String startKey = s.has("primary_start_timeout") || !s.has("master_start_timeout")
        ? "primary_start_timeout" : "master_start_timeout";
    int primaryStartTimeout = s.integer(startKey, SECONDS, 0, MAX_SECONDS, TimingDefaults.PRIMARY_START_TIMEOUT);
    s.value("pause"); // maintenance mode, written by the REST API and pgctl; kept in raw

    boolean usePgRewind = false;
    boolean useSlots = true;
    Map<String, String> parameters = Map.of();
    List<String> pgHba = List.of();
    Section pg = s.section("postgresql").orElse(null);
    if (pg != null) {
      usePgRewind = pg.bool("use_pg_rewind", false);
      useSlots = pg.bool("use_slots", true);
      parameters = Parameters.parse(pg, "parameters");
      pgHba = pg.stringList("pg_hba");
      pg.unsupported("pg_ident", null);
      pg.unsupported("recovery_conf", null);
      pg.warnUnknown();
    }
    for (Map.Entry<String, Object[]> e : UNSUPPORTED.entrySet()) {
      if (s.has(e.getKey()) && !isInert(s.value(e.getKey()), e.getValue()[0])) {
        s.unsupported(e.getKey(), (String) e.getValue()[1]);
      }
    }
    s.warnUnknown();
    if (problems.errorCount() > errorsBefore) {
      return null;
    }

    // Patroni's invariant, repaired the way Patroni repairs it: loop_wait gives way first, then retry_timeout.
    if (loopWait + 2L * retryTimeout > ttl) {
      int newLoopWait = (int) Math.max(TimingDefaults.MIN_LOOP_WAIT, ttl - 2L * retryTimeout);
      if (newLoopWait != loopWait) {
        problems.warn(s.keyPath("loop_wait"), "lowered from " + loopWait + " to " + newLoopWait
            + " so that loop_wait + 2*retry_timeout <= ttl (ttl " + ttl + ", retry_timeout " + retryTimeout
            + "): a primary must be able to retry a failed lease refresh and still demote before its lease "
            + "expires");
        loopWait = newLoopWait;
      }
      if (loopWait + 2L * retryTimeout > ttl) {
        int newRetry = (int) Math.max(TimingDefaults.MIN_RETRY_TIMEOUT, (ttl - loopWait) / 2);
        problems.warn(s.keyPath("retry_timeout"), "lowered from " + retryTimeout + " to " + newRetry
            + " so that loop_wait + 2*retry_timeout <= ttl (ttl " + ttl + ", loop_wait " + loopWait
            + "): a primary must be able to retry a failed lease refresh and still demote before its lease "
            + "expires");
        retryTimeout = newRetry;
      }
    }
    return new DynamicConfig(ttl, loopWait, retryTimeout, maxLag, primaryStartTimeout, usePgRewind, useSlots,
        parameters, pgHba, freeze(map));
  }

  /** {@code config.raw()} with the interpreted values written over it; a fresh, mutable, ordered map. */
  static Map<String, Object> toMap(DynamicConfig config) {
    @SuppressWarnings("unchecked")
    Map<String, Object> out = (Map<String, Object>) YamlDocument.normalise(config.raw());
    out.put("ttl", config.ttl());
    out.put("loop_wait", config.loopWait());
    out.put("retry_timeout", config.retryTimeout());
    out.put("maximum_lag_on_failover", config.maximumLagOnFailover());
    out.put("primary_start_timeout", config.primaryStartTimeout());
    Object existing = out.get("postgresql");
    @SuppressWarnings("unchecked")
    Map<String, Object> pg = existing instanceof Map ? (Map<String, Object>) existing : new LinkedHashMap<>();
    pg.put("use_pg_rewind", config.usePgRewind());
    pg.put("use_slots", config.useSlots());
    // Sorted: a stable JSON text, so that an unchanged config never looks changed to a CAS writer or a diff.
    pg.put("parameters", new TreeMap<>(config.parameters()));
    if (!config.pgHba().isEmpty() || pg.containsKey("pg_hba")) {
      pg.put("pg_hba", new ArrayList<>(config.pgHba()));
    }
    out.put("postgresql", pg);
    return out;
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
