package io.pgquorum.coordinator.config;

import java.util.Map;

/**
 * Checks the {@code slots} key ({@link PermanentSlots}) while parsing; kept apart from {@link PermanentSlots} so
 * that the pure decision, which reads the slots, does not depend on the parser's {@link Section}.
 */
final class PermanentSlotsSection {
  private PermanentSlotsSection() {}

  /** Reports every malformed entry under its own path. */
  static void check(Section s) {
    Object v = s.value(DynamicKeys.SLOTS);
    if (v == null) {
      return;
    }
    String path = s.keyPath(DynamicKeys.SLOTS);
    Problems p = s.problems();
    if (!(v instanceof Map<?, ?> slots)) {
      p.error(path, "must be a mapping of slot names to {type: physical} or {type: logical, database, plugin}, got "
          + p.show(v));
      return;
    }
    slots.forEach((name, entry) -> {
      String at = path + "." + name;
      String n = String.valueOf(name);
      if (!n.matches("[a-z0-9_]{1,63}")) {
        p.error(at, "is not a replication slot name: lower-case letters, digits and _, at most 63");
      }
      if (!(entry instanceof Map<?, ?> m)) {
        p.error(at, "must be a mapping such as {type: physical}, got " + p.show(entry));
        return;
      }
      Object type = m.get("type");
      if ("logical".equals(type)) {
        if (m.get("database") == null || m.get("plugin") == null) {
          p.error(at, "a logical slot needs database and plugin");
        }
      } else if (!"physical".equals(type)) {
        p.error(at + ".type", "must be physical or logical, got " + p.show(type));
      }
    });
  }
}
