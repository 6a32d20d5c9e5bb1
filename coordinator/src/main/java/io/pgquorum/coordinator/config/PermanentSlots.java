package io.pgquorum.coordinator.config;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Patroni's permanent replication slots ({@link DynamicKeys#SLOTS}): {@code slots: {name: {type: physical}}} or
 * {@code {type: logical, database: db, plugin: pgoutput}}. Checked by the parser, read from the config's raw
 * document (like {@link DynamicConfig#paused()}).
 */
public final class PermanentSlots {
  private PermanentSlots() {}

  /** One permanent slot: its name, whether it is logical, and for a logical one its database and plugin. */
  public record Slot(String name, boolean logical, Optional<String> database, Optional<String> plugin) {}

  /** The slots of a checked document (absent key: none). */
  public static Map<String, Slot> from(Map<String, Object> raw) {
    Map<String, Slot> out = new TreeMap<>();
    if (!(raw.get(DynamicKeys.SLOTS.name()) instanceof Map<?, ?> slots)) {
      return out;
    }
    slots.forEach((name, v) -> {
      Map<?, ?> m = v instanceof Map<?, ?> mm ? mm : Map.of();
      boolean logical = "logical".equals(m.get("type"));
      out.put(String.valueOf(name), new Slot(String.valueOf(name), logical,
          Optional.ofNullable(m.get("database")).map(String::valueOf),
          Optional.ofNullable(m.get("plugin")).map(String::valueOf)));
    });
    return out;
  }
}
