package io.pgquorum.coordinator.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A {@code parameters:} mapping of PostgreSQL settings, rendered to the text PostgreSQL reads: {@code on/off} for
 * booleans, plain decimals for numbers, strings as written. A setting with no value ({@code name:} or
 * {@code null}) means "not set", as a JSON merge patch's null does for the DCS config.
 */
final class Parameters {
  private Parameters() {}

  static Map<String, String> parse(Section parent, ConfigKey key) {
    Map<String, String> out = new LinkedHashMap<>();
    Optional<Section> section = parent.section(key);
    if (section.isEmpty()) {
      return out;
    }
    Section s = section.get();
    for (String name : s.keys()) {
      Object v = s.value(name);
      if (v == null) {
        continue;
      }
      String text = Scalars.renderSetting(v);
      if (text == null) {
        s.problems().error(s.keyPath(name), "must be a single value (text, number or on/off), got "
            + s.problems().show(v));
      } else {
        out.put(name, text);
      }
    }
    return out;
  }
}
