package io.pgquorum.coordinator.postgres;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * Settings that older PostgreSQL releases spelled differently, converted for PostgreSQL 15 the way Patroni
 * converts them for the running major version. Patroni configurations are often written for PostgreSQL 12 or
 * older; passed on unchanged, PostgreSQL 15 refuses to start ("unrecognized configuration parameter"), on every
 * node at once.
 *
 * <ul>
 *   <li>{@code wal_keep_segments} (removed in 13) becomes {@code wal_keep_size} of that many 16 MB segments,
 *       unless {@code wal_keep_size} is set too (then it wins, and the old name is dropped). Patroni assumes the
 *       default segment size as well: the goal is a configuration that starts, the operator should still write the
 *       new name.
 *   <li>{@code wal_level: hot_standby} (an alias of {@code replica} until 9.6) becomes {@code replica}.
 * </ul>
 */
final class RenamedParameters {
  /** The segment size Patroni's conversion assumes (initdb's default). */
  static final long SEGMENT_MB = 16;

  private RenamedParameters() {}

  /**
   * {@code source} with the renamed settings converted (keys already lower case); {@code said} receives each
   * conversion made (the old setting as written, and what replaced it) so the caller can log it once.
   */
  static Map<String, String> convert(Map<String, String> source, BiConsumer<String, String> said) {
    Map<String, String> out = new LinkedHashMap<>(source);
    String segments = out.get("wal_keep_segments");
    if (segments != null) {
      Optional<Long> count = count(segments);
      if (out.containsKey("wal_keep_size")) {
        out.remove("wal_keep_segments");
        said.accept("wal_keep_segments = '" + segments + "'", "dropped: wal_keep_size is set");
      } else if (count.isPresent()) {
        String size = count.get() * SEGMENT_MB + "MB";
        out = replace(out, "wal_keep_segments", "wal_keep_size", size);
        said.accept("wal_keep_segments = '" + segments + "'", "wal_keep_size = '" + size + "' (" + segments
            + " segments of " + SEGMENT_MB + "MB)");
      }
      // Not a count: left as written; ConfigWriter then leaves it out as a setting PostgreSQL 15 does not know.
    }
    if ("hot_standby".equalsIgnoreCase(String.valueOf(out.get("wal_level")).trim())) {
      out.put("wal_level", "replica");
      said.accept("wal_level = 'hot_standby'", "wal_level = 'replica'");
    }
    return out;
  }

  /** {@code map} with {@code oldKey} replaced by {@code newKey} = {@code value} in the same position. */
  private static Map<String, String> replace(Map<String, String> map, String oldKey, String newKey, String value) {
    Map<String, String> out = new LinkedHashMap<>();
    map.forEach((k, v) -> {
      if (k.equals(oldKey)) {
        out.put(newKey, value);
      } else {
        out.put(k, v);
      }
    });
    return out;
  }

  private static Optional<Long> count(String value) {
    try {
      long n = Long.parseLong(value.trim());
      return n >= 0 && n < Long.MAX_VALUE / SEGMENT_MB ? Optional.of(n) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
