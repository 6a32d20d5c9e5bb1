package io.pgquorum.coordinator.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Patroni's option lists for initdb and pg_basebackup, normalised to command-line arguments: a plain name
 * ({@code data-checksums}) becomes {@code --data-checksums}, a one-key mapping ({@code {encoding: UTF8}}) becomes
 * {@code --encoding=UTF8}; a whole mapping ({@code {max-rate: 100M, checkpoint: fast}}) is read as a list of
 * such pairs. Leading dashes the user already wrote are tolerated. Options pgquorum sets itself (the data
 * directory, the output format) are refused: a second value would fight ours.
 */
final class CommandOptions {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*");

  static final Set<String> INITDB_RESERVED = Set.of("pgdata", "D", "nosync", "N", "pwfile", "sync-only", "S",
      "version", "V");
  static final Set<String> BASEBACKUP_RESERVED = Set.of("pgdata", "D", "format", "F", "wal-method", "X",
      "write-recovery-conf", "R");

  private CommandOptions() {}

  static List<String> parse(Section parent, ConfigKey key, Set<String> reserved) {
    Object v = parent.value(key);
    String path = parent.keyPath(key);
    Problems problems = parent.problems();
    List<String> out = new ArrayList<>();
    if (v == null) {
      return out;
    }
    if (v instanceof Map) {
      for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
        String k = String.valueOf(e.getKey());
        add(out, path + "." + k, k, e.getValue(), true, reserved, problems);
      }
      return out;
    }
    if (!(v instanceof List)) {
      problems.error(path, "must be a list of options (names, or one-key mappings name: value), got "
          + problems.show(v));
      return out;
    }
    List<?> items = (List<?>) v;
    for (int i = 0; i < items.size(); i++) {
      Object item = items.get(i);
      String itemPath = path + "[" + i + "]";
      if (item instanceof String) {
        add(out, itemPath, (String) item, null, false, reserved, problems);
      } else if (item instanceof Map && ((Map<?, ?>) item).size() == 1) {
        Map.Entry<?, ?> e = ((Map<?, ?>) item).entrySet().iterator().next();
        add(out, itemPath, String.valueOf(e.getKey()), e.getValue(), true, reserved, problems);
      } else {
        problems.error(itemPath, "must be an option name or a one-key mapping {name: value}, got "
            + problems.show(item));
      }
    }
    return out;
  }

  private static void add(List<String> out, String path, String rawName, Object value, boolean hasValue,
      Set<String> reserved, Problems problems) {
    String name = rawName.trim().replaceFirst("^-{1,2}", "");
    String inlineValue = null;
    int eq = name.indexOf('=');
    if (!hasValue && eq > 0) {
      inlineValue = name.substring(eq + 1);
      name = name.substring(0, eq);
    }
    if (!NAME.matcher(name).matches()) {
      problems.error(path, "option names may only contain letters, digits, '_' and '-', got "
          + problems.show(rawName));
      return;
    }
    if (reserved.contains(name)) {
      problems.error(path, "option " + name + " is set by pgquorum and must not be given here");
      return;
    }
    if (!hasValue) {
      out.add(inlineValue == null ? "--" + name : "--" + name + "=" + inlineValue);
      return;
    }
    String text = Scalars.renderPlain(value);
    if (text == null) {
      problems.error(path, "the value of " + name + " must be a single value, got " + problems.show(value));
      return;
    }
    out.add("--" + name + "=" + text);
  }
}
