package io.pgquorum.coordinator.postgres;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Patroni's {@code pending_restart_reason}: for each parameter that waits for a restart, the value the server
 * runs with and the one it will run with after the restart, both as PostgreSQL shows them ({@code 128MB}, not
 * {@code 16384}). Pure: the probe hands it what it read ({@link Row}s, pg_controldata's fields).
 *
 * <p>Two sources, as in Patroni (the operations reference, A.4):
 * <ul>
 *   <li>{@code pg_settings.pending_restart}: a restart-only parameter whose value in the configuration files
 *       changed since the start, whoever changed it (pgquorum's file, {@code ALTER SYSTEM}, a hand edit of
 *       postgresql.conf). The new value is the one the files give now ({@code pg_file_settings}), which is what
 *       Patroni's {@code postgres -C} reads too.
 *   <li>A replica started with a higher value than configured for a parameter a standby may not run lower than
 *       its primary ({@link #CONTROL_DATA}): PostgreSQL refuses to start a hot standby below the values in
 *       pg_control, so the start uses those ({@link #controlDataOverrides}) and the parameter stays pending until
 *       a start that can use the configured value. No pg_settings row says so (the files hold the value it runs
 *       with), hence the second source.
 * </ul>
 */
public final class PendingRestartReason {
  private PendingRestartReason() {}

  /** One parameter's change that waits for a restart, in PostgreSQL's display form; "?" when not known. */
  public record Change(String oldValue, String newValue) {}

  /**
   * A {@code pg_settings} row with {@code pending_restart}: its current value ({@code current_setting}, display
   * form), {@code unit} and {@code vartype}, and the value the configuration files give it now (the last
   * {@code pg_file_settings} entry, raw as written; empty when no file sets it: its default then applies).
   */
  record Row(String name, String current, String unit, String vartype, Optional<String> fileValue) {}

  /**
   * pg_controldata's line for each parameter a hot standby may not run lower than its primary (PostgreSQL 15's
   * list, the one Patroni checks).
   */
  static final Map<String, String> CONTROL_DATA = Map.of(
      "max_connections", "max_connections setting",
      "max_worker_processes", "max_worker_processes setting",
      "max_wal_senders", "max_wal_senders setting",
      "max_prepared_transactions", "max_prepared_xacts setting",
      "max_locks_per_transaction", "max_locks_per_xact setting");

  /** Patroni's JSON form, {@code {param: {old_value, new_value}}}, for the member key and the REST API. */
  public static Map<String, Object> json(Map<String, Change> reason) {
    Map<String, Object> out = new LinkedHashMap<>();
    reason.forEach((k, v) -> {
      Map<String, Object> change = new LinkedHashMap<>();
      change.put("old_value", v.oldValue());
      change.put("new_value", v.newValue());
      out.put(k, change);
    });
    return out;
  }

  /** The reason for each pending row, by parameter name (sorted, so the member key does not churn). */
  static Map<String, Change> fromRows(List<Row> rows) {
    Map<String, Change> out = new TreeMap<>();
    for (Row r : rows) {
      String next = r.fileValue().map(v -> display(v, r.unit(), r.vartype())).orElse("?");
      out.put(r.name(), new Change(r.current(), next));
    }
    return out;
  }

  /**
   * The parameters of {@link #CONTROL_DATA} whose pg_control value is above the configured one, with the value a
   * replica must start with: old = pg_control's (what it will run with), new = the configured one (what a later
   * restart brings, once the primary's lower value reached pg_control). A parameter not configured, or a value
   * that is not a plain number, is left alone (PostgreSQL's default then, which pgquorum does not second-guess).
   */
  static Map<String, Change> controlDataOverrides(Map<String, String> configured, Map<String, String> controlData) {
    Map<String, Change> out = new TreeMap<>();
    for (Map.Entry<String, String> e : CONTROL_DATA.entrySet()) {
      OptionalLong want = plainNumber(configured.get(e.getKey()));
      OptionalLong pgControl = plainNumber(controlData.get(e.getValue()));
      if (want.isPresent() && pgControl.isPresent() && pgControl.getAsLong() > want.getAsLong()) {
        out.put(e.getKey(), new Change(Long.toString(pgControl.getAsLong()), Long.toString(want.getAsLong())));
      }
    }
    return out;
  }

  /** The settings a replica starts with instead of the configured ones: the old (pg_control) value of each. */
  static Map<String, String> startValues(Map<String, Change> overrides) {
    Map<String, String> out = new LinkedHashMap<>();
    overrides.forEach((k, v) -> out.put(k, v.oldValue()));
    return out;
  }

  /**
   * The reasons from pg_settings and those the last start made ({@link #controlDataOverrides}); pg_settings wins
   * for a parameter in both (a reload since the start wrote the configured value, and the row says the same).
   */
  static Map<String, Change> merge(Map<String, Change> pending, Map<String, Change> startedWith) {
    Map<String, Change> out = new TreeMap<>(startedWith);
    out.putAll(pending);
    return out;
  }

  private static OptionalLong plainNumber(String v) {
    if (v == null || !v.trim().matches("\\d{1,18}")) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(Long.parseLong(v.trim()));
  }

  private static final Pattern NUMBER_UNIT = Pattern.compile("\\s*(-?\\d+(?:\\.\\d+)?)\\s*([A-Za-z]*)\\s*");
  /** Memory units in bytes, largest first (PostgreSQL's display picks the largest that divides the value). */
  private static final List<Map.Entry<String, Long>> MEMORY = List.of(Map.entry("TB", 1L << 40),
      Map.entry("GB", 1L << 30), Map.entry("MB", 1L << 20), Map.entry("kB", 1L << 10), Map.entry("B", 1L));
  /** Time units in microseconds, largest first. */
  private static final List<Map.Entry<String, Long>> TIME = List.of(Map.entry("d", 86_400_000_000L),
      Map.entry("h", 3_600_000_000L), Map.entry("min", 60_000_000L), Map.entry("s", 1_000_000L),
      Map.entry("ms", 1_000L), Map.entry("us", 1L));

  /**
   * A value as written in a configuration file, shown the way PostgreSQL's {@code current_setting} shows it: an
   * integer with a unit in the largest unit that divides it ({@code 32768} of 8kB pages is {@code 256MB}), a
   * boolean as on/off; anything else (and anything that does not parse) as written.
   */
  static String display(String raw, String unit, String vartype) {
    String v = raw.trim();
    if ("bool".equals(vartype)) {
      String b = v.toLowerCase(Locale.ROOT);
      if (List.of("on", "true", "yes", "1", "t", "y").contains(b)) {
        return "on";
      }
      if (List.of("off", "false", "no", "0", "f", "n").contains(b)) {
        return "off";
      }
      return raw;
    }
    if (!"integer".equals(vartype) || unit == null || unit.isEmpty()) {
      return raw;
    }
    Optional<Long> base = baseSize(unit);
    List<Map.Entry<String, Long>> table = MEMORY.stream().anyMatch(e -> unit.endsWith(e.getKey())) ? MEMORY : TIME;
    Matcher m = NUMBER_UNIT.matcher(v);
    if (base.isEmpty() || !m.matches()) {
      return raw;
    }
    BigDecimal n = new BigDecimal(m.group(1));
    long perUnit;
    if (m.group(2).isEmpty()) {
      perUnit = base.get();
    } else {
      Optional<Long> given = table.stream().filter(e -> e.getKey().equals(m.group(2))).map(Map.Entry::getValue)
          .findFirst();
      if (given.isEmpty()) {
        return raw;
      }
      perUnit = given.get();
    }
    // PostgreSQL rounds a value with a unit to a whole number of base units.
    long baseUnits = n.multiply(BigDecimal.valueOf(perUnit))
        .divide(BigDecimal.valueOf(base.get()), 0, RoundingMode.HALF_EVEN).longValueExact();
    if (baseUnits <= 0) {
      return Long.toString(baseUnits); // 0 and -1 (the "default" of wal_buffers and others) are shown bare
    }
    long total = baseUnits * base.get();
    for (Map.Entry<String, Long> e : table) {
      if (e.getValue() >= 1 && total % e.getValue() == 0) {
        return (total / e.getValue()) + e.getKey();
      }
    }
    return raw;
  }

  /** The size of a pg_settings unit ({@code 8kB}, {@code kB}, {@code ms}, {@code min}) in bytes or microseconds. */
  private static Optional<Long> baseSize(String unit) {
    Matcher m = Pattern.compile("(\\d*)([A-Za-z]+)").matcher(unit);
    if (!m.matches()) {
      return Optional.empty();
    }
    long factor = m.group(1).isEmpty() ? 1 : Long.parseLong(m.group(1));
    for (List<Map.Entry<String, Long>> table : List.of(MEMORY, TIME)) {
      for (Map.Entry<String, Long> e : table) {
        if (e.getKey().equals(m.group(2))) {
          return Optional.of(factor * e.getValue());
        }
      }
    }
    return Optional.empty();
  }
}
