package io.pgquorum.coordinator.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Collects everything wrong (errors) and everything noteworthy (warnings) while a configuration is read, so that
 * the user sees every problem at once instead of fixing the file one error per start.
 *
 * <p>It also owns the two rules that keep messages honest and safe: a key set from the environment is labelled
 * with the variable it came from (the user would otherwise search the file in vain), and a value is only ever
 * echoed through {@link #show(Object)}, which refuses to print anything that contains a known secret.
 */
final class Problems {
  private static final int MAX_SHOWN = 80;

  private final List<String> errors = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();
  private final Set<String> secrets = new HashSet<>();
  private final Map<String, String> envOrigins = new HashMap<>();

  void error(String path, String reason) {
    errors.add(label(path) + ": " + reason);
  }

  /** A warning about a key: {@code <path>: <text>}. */
  void warn(String path, String text) {
    warnings.add(label(path) + ": " + text);
  }

  /** A warning that is a sentence on its own. */
  void note(String text) {
    warnings.add(text);
  }

  void addSecret(String value) {
    if (value != null && !value.isEmpty()) {
      secrets.add(value);
    }
  }

  void recordEnvOrigin(String path, String variable) {
    envOrigins.put(path, variable);
  }

  int errorCount() {
    return errors.size();
  }

  List<String> errors() {
    return List.copyOf(errors);
  }

  List<String> warnings() {
    return List.copyOf(warnings);
  }

  void throwIfErrors() {
    if (!errors.isEmpty()) {
      throw new ConfigException(errors);
    }
  }

  /**
   * A value as it may appear in a message: strings quoted (and shortened), other scalars with their YAML type so
   * that a user sees why {@code on} is not a string, collections by kind. Anything containing a secret is
   * replaced by {@code <redacted>}.
   */
  String show(Object value) {
    if (value == null) {
      return "nothing";
    }
    if (value instanceof Map) {
      return "a mapping";
    }
    if (value instanceof List) {
      return "a list";
    }
    String text = String.valueOf(value);
    for (String secret : secrets) {
      if (text.contains(secret)) {
        return "<redacted>";
      }
    }
    if (value instanceof Boolean) {
      return "boolean " + text;
    }
    if (value instanceof Number) {
      return text;
    }
    if (text.length() > MAX_SHOWN) {
      text = text.substring(0, MAX_SHOWN) + "...";
    }
    return "\"" + text.replace("\n", "\\n") + "\"";
  }

  /** The key path, followed by the environment variable that set it (or one of its parents), if any. */
  private String label(String path) {
    String origin = null;
    int best = -1;
    for (Map.Entry<String, String> e : envOrigins.entrySet()) {
      String p = e.getKey();
      boolean covers = path.equals(p) || path.startsWith(p + ".") || path.startsWith(p + "[");
      if (covers && p.length() > best) {
        best = p.length();
        origin = e.getValue();
      }
    }
    return origin == null ? path : path + " (from " + origin + ")";
  }
}
