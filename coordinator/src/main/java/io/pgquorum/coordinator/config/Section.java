package io.pgquorum.coordinator.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One mapping of the loaded document (the root, {@code postgresql}, {@code postgresql.authentication.superuser},
 * ...) with typed accessors that report problems under the full key path instead of throwing.
 *
 * <p>Every accessor remembers the key it was asked about. After a parser has asked for everything it
 * understands, {@link #warnUnknown()} reports the rest: those keys are typos or settings pgquorum has never heard
 * of, and silently ignoring them is how a cluster ends up running with a setting its operator believes is on.
 * A YAML {@code null} ({@code key:} with nothing after it) counts as absent, as in Patroni.
 */
final class Section {
  private final String path;
  private final Map<String, Object> map;
  private final Problems problems;
  private final Set<String> asked = new LinkedHashSet<>();

  Section(String path, Map<String, Object> map, Problems problems) {
    this.path = path;
    this.map = map;
    this.problems = problems;
  }

  String path() {
    return path;
  }

  String keyPath(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** The full path of {@code key} as written in this section. */
  String keyPath(ConfigKey key) {
    return keyPath(key.name());
  }

  Problems problems() {
    return problems;
  }

  /** The keys present, in document order. */
  Set<String> keys() {
    return map.keySet();
  }

  /** Keys present that no accessor has asked for yet, in document order. */
  List<String> unasked() {
    List<String> out = new ArrayList<>();
    for (String key : map.keySet()) {
      if (!asked.contains(key)) {
        out.add(key);
      }
    }
    return out;
  }

  /** Whether {@code key} is present with a non-null value (and marks it as understood). */
  boolean has(String key) {
    asked.add(key);
    return map.get(key) != null;
  }

  /** The raw value without marking the key as understood. */
  Object peek(String key) {
    return map.get(key);
  }

  /** The raw value (null when absent), marking the key as understood. */
  Object value(String key) {
    asked.add(key);
    return map.get(key);
  }

  /** A nested mapping; empty when absent; an error (and empty) when present but not a mapping. */
  Optional<Section> section(String key) {
    Object v = value(key);
    if (v == null) {
      return Optional.empty();
    }
    if (!(v instanceof Map)) {
      problems.error(keyPath(key), "must be a mapping (a section of keys), got " + problems.show(v));
      return Optional.empty();
    }
    return Optional.of(new Section(keyPath(key), stringKeys(v), problems));
  }

  // Accessors of declared keys: each reads a key under its declared name (or an older alias, see spelled) and
  // reports a problem under the key's full path instead of throwing.

  /** Whether {@code key} is present with a non-null value (and marks it as understood). */
  boolean has(ConfigKey key) {
    return has(key.name());
  }

  /** The raw value of {@code key} (null when absent), marking it as understood. */
  Object value(ConfigKey key) {
    return value(key.name());
  }

  Optional<Section> section(ConfigKey key) {
    return section(key.name());
  }

  /**
   * The name under which {@code key} is written here: its own, or an older alias when only that is present.
   * Every spelling counts as understood, so an alias next to the key is not reported as unknown.
   */
  String spelled(ConfigKey key) {
    String chosen = key.name();
    boolean present = has(chosen);
    for (String alias : key.aliases()) {
      if (has(alias) && !present) {
        chosen = alias;
        present = true;
      }
    }
    return chosen;
  }

  /** A text value. Numbers are accepted as their text; booleans are not, see {@link #booleanAsText}. */
  Optional<String> string(ConfigKey key) {
    return string(spelled(key));
  }

  String requiredString(ConfigKey key) {
    return has(key) ? string(key.name()).orElse(null) : missing(key);
  }

  /**
   * A password or similar. Must be a YAML string: a number would be read through YAML 1.1's rules (0123 is
   * octal 83, 1_000 is 1000) and silently become a different password. The value is never echoed.
   */
  Optional<String> secret(ConfigKey key) {
    Object v = value(key);
    if (v == null) {
      return Optional.empty();
    }
    if (!(v instanceof String)) {
      problems.error(keyPath(key), "must be a quoted string (YAML reads unquoted numbers, yes/no and on/off "
          + "as other types, which would change the value)");
      return Optional.empty();
    }
    return Optional.of((String) v);
  }

  /** A boolean in any of Patroni's spellings (on/off, yes/no, true/false, 1/0, also quoted). */
  Optional<Boolean> bool(ConfigKey key) {
    Object v = value(key);
    if (v == null) {
      return Optional.empty();
    }
    Boolean b = Scalars.toBool(v);
    if (b == null) {
      problems.error(keyPath(key), "must be a boolean (true/false, on/off, yes/no), got " + problems.show(v));
      return Optional.empty();
    }
    return Optional.of(b);
  }

  /** {@link #bool(ConfigKey)}, with the key's default when absent or invalid. */
  boolean boolOrDefault(ConfigKey key) {
    return bool(key).orElse(key.defaultBool());
  }

  /**
   * A {@link ConfigKey.Kind#CHOICE} key's value, trimmed and lower-cased, when it is one of its choices; its
   * default when absent; also its default, after an error naming the key and the choices, when it is none.
   */
  String choiceOrDefault(ConfigKey key) {
    if (!has(key)) {
      return key.defaultString();
    }
    Object v = value(key);
    String text = v instanceof String ? ((String) v).trim().toLowerCase(Locale.ROOT) : "";
    if (key.choices().contains(text)) {
      return text;
    }
    problems.error(keyPath(key), "must be one of " + String.join(", ", key.choices()) + ", got " + problems.show(v));
    return key.defaultString();
  }

  /**
   * A whole number in the key's range; the key's {@link ConfigKey#what()} completes "must be ..." for a value
   * that is not one, and its reason (if any) explains the minimum. Empty when absent or invalid.
   */
  Optional<Long> number(ConfigKey key) {
    String name = spelled(key);
    Object v = value(name);
    if (v == null) {
      return Optional.empty();
    }
    Long l = v instanceof Boolean ? null : Scalars.toLong(v);
    if (l == null) {
      problems.error(keyPath(name), "must be " + key.what() + ", got " + problems.show(v));
      return Optional.empty();
    }
    if (l < key.min()) {
      String unit = key.kind() == ConfigKey.Kind.SECONDS ? " seconds" : "";
      problems.error(keyPath(name), "must be at least " + key.min() + key.belowMinReason()
          .map(reason -> unit + ", got " + l + " (" + reason + ")").orElse(", got " + l));
      return Optional.empty();
    }
    if (l > key.max()) {
      problems.error(keyPath(name), "must be at most " + key.max() + ", got " + l);
      return Optional.empty();
    }
    return Optional.of(l);
  }

  /**
   * A {@link ConfigKey.Kind#FRACTIONAL_SECONDS} key: seconds, fractions to the millisecond, within its range; its
   * default when absent or invalid (the error is reported).
   */
  java.time.Duration duration(ConfigKey key) {
    String name = spelled(key);
    Object v = value(name);
    if (v == null) {
      return key.defaultDuration();
    }
    java.util.OptionalLong ms = TimeUnits.millisOfSeconds(v);
    if (ms.isEmpty()) {
      problems.error(keyPath(name), "must be " + key.what() + ", got " + problems.show(v));
      return key.defaultDuration();
    }
    java.time.Duration d = java.time.Duration.ofMillis(ms.getAsLong());
    if (ms.getAsLong() < key.min()) {
      String least = TimeUnits.seconds(java.time.Duration.ofMillis(key.min()));
      problems.error(keyPath(name), "must be at least " + least + " seconds, got " + TimeUnits.seconds(d)
          + key.belowMinReason().map(reason -> " (" + reason + ")").orElse(""));
      return key.defaultDuration();
    }
    if (ms.getAsLong() > key.max()) {
      problems.error(keyPath(name), "must be at most " + TimeUnits.seconds(java.time.Duration.ofMillis(key.max()))
          + " seconds, got " + TimeUnits.seconds(d));
      return key.defaultDuration();
    }
    return d;
  }

  /** {@link #number(ConfigKey)} for an int-sized key, with its default when absent or invalid. */
  int integer(ConfigKey key) {
    return number(key).map(Long::intValue).orElse(key.defaultInt());
  }

  /** {@link #number(ConfigKey)} with its default when absent or invalid. */
  long longValue(ConfigKey key) {
    return number(key).orElse(key.defaultLong());
  }

  /** A filesystem path. {@code ~} is not expanded (there is no shell), so it is refused rather than misread. */
  Optional<Path> path(ConfigKey key) {
    Optional<String> s = string(key.name());
    if (s.isEmpty()) {
      return Optional.empty();
    }
    String text = s.get().trim();
    if (text.startsWith("~")) {
      problems.error(keyPath(key), "\"~\" is not expanded; write the full path, got " + problems.show(text));
      return Optional.empty();
    }
    try {
      return Optional.of(Path.of(text).normalize());
    } catch (InvalidPathException e) {
      problems.error(keyPath(key), "is not a valid path (" + e.getReason() + ")");
      return Optional.empty();
    }
  }

  Path requiredPath(ConfigKey key) {
    return has(key) ? path(key).orElse(null) : missing(key);
  }

  /** A list of strings (numbers accepted as text); absent means empty. Items are reported as {@code key[i]}. */
  List<String> stringList(ConfigKey key) {
    Object v = value(key);
    List<String> out = new ArrayList<>();
    if (v == null) {
      return out;
    }
    if (!(v instanceof List)) {
      problems.error(keyPath(key), "must be a list, got " + problems.show(v));
      return out;
    }
    List<?> items = (List<?>) v;
    for (int i = 0; i < items.size(); i++) {
      Object item = items.get(i);
      String s = item instanceof Boolean ? null : Scalars.renderPlain(item);
      if (s == null || s.isBlank()) {
        problems.error(keyPath(key) + "[" + i + "]", "must be a non-empty string, got " + problems.show(item));
      } else {
        out.add(s);
      }
    }
    return out;
  }

  /**
   * Patroni keys pgquorum does not implement: each one present (even without a value) is accepted, reported with
   * what ignoring it means (the key's reason), and ignored.
   */
  void unsupported(List<ConfigKey> keys) {
    for (ConfigKey key : keys) {
      if (value(key) != null || map.containsKey(key.name())) {
        problems.warn(keyPath(key), "is not supported by pgquorum and is ignored"
            + (key.why().isEmpty() ? "" : " (" + key.why() + ")"));
      }
    }
  }

  /** A refused key that is present: an error, {@code is not supported: <the key's reason>}. */
  void refuse(ConfigKey key) {
    if (has(key)) {
      problems.error(keyPath(key), "is not supported: " + key.why());
    }
  }

  /** Warns about every key no accessor asked for, with a spelling suggestion when one is close. */
  void warnUnknown() {
    for (String key : map.keySet()) {
      if (!asked.contains(key)) {
        String hint = closest(key, asked);
        problems.warn(keyPath(key), "unknown key, ignored" + (hint == null ? "" : " (did you mean " + hint + "?)"));
      }
    }
  }

  private Optional<String> string(String key) {
    Object v = value(key);
    if (v == null) {
      return Optional.empty();
    }
    if (v instanceof Boolean) {
      booleanAsText(key, v);
      return Optional.empty();
    }
    String s = Scalars.renderPlain(v);
    if (s == null) {
      problems.error(keyPath(key), "must be a string, got " + problems.show(v));
      return Optional.empty();
    }
    if (s.isBlank()) {
      problems.error(keyPath(key), "must not be empty");
      return Optional.empty();
    }
    return Optional.of(s);
  }

  private <T> T missing(ConfigKey key) {
    problems.error(keyPath(key), "is required");
    return null;
  }

  private void booleanAsText(String key, Object v) {
    problems.error(keyPath(key), "must be a string, got " + problems.show(v)
        + " (YAML 1.1 reads unquoted yes/no/on/off/true/false as booleans; quote the value)");
  }

  /** A copy of a loaded mapping with every key as text (YAML allows numbers and booleans as keys). */
  static Map<String, Object> stringKeys(Object mapping) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : ((Map<?, ?>) mapping).entrySet()) {
      out.put(String.valueOf(e.getKey()), e.getValue());
    }
    return out;
  }

  /**
   * The asked-for key closest to {@code key}: at most two edits (a swap of neighbours counts as one), and fewer
   * than half the key's length, so that short keys do not attract random suggestions.
   */
  static String closest(String key, Collection<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    String k = key.toLowerCase(Locale.ROOT);
    for (String c : candidates) {
      int d = distance(k, c.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        bestDistance = d;
        best = c;
      }
    }
    return bestDistance <= 2 && bestDistance * 2 < key.length() ? best : null;
  }

  /** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
  private static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
