package io.pgquorum.coordinator.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * JSON merge patch (RFC 7386), what {@code PATCH /config} and {@code pgctl edit-config --apply} use: an object in
 * the patch merges into the object at the same place (created when absent or not an object), {@code null}
 * deletes a key, any other value replaces. Pure: the inputs are never changed.
 */
public final class MergePatch {
  private MergePatch() {}

  /** {@code target} with {@code patch} applied; a fresh, ordered map (the target's key order, new keys last). */
  public static Map<String, Object> apply(Map<String, ?> target, Map<String, ?> patch) {
    Map<String, Object> out = new LinkedHashMap<>(target);
    for (Map.Entry<String, ?> e : patch.entrySet()) {
      Object value = e.getValue();
      if (value == null) {
        out.remove(e.getKey());
      } else if (value instanceof Map<?, ?> child) {
        Object current = out.get(e.getKey());
        out.put(e.getKey(), apply(current instanceof Map<?, ?> m ? strings(m) : Map.of(), strings(child)));
      } else {
        out.put(e.getKey(), value);
      }
    }
    return out;
  }

  private static Map<String, Object> strings(Map<?, ?> m) {
    Map<String, Object> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(String.valueOf(k), v));
    return out;
  }
}
