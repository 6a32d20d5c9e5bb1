package io.pgquorum.coordinator.config;

import io.pgquorum.coordinator.config.ConfigKey.Kind;
import io.pgquorum.coordinator.config.ConfigKey.Support;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The keys of one area (a section of the node's file, or the dynamic configuration), in declaration order, which
 * is also the order of the README's table. Each {@code *Keys} registry holds one.
 */
final class KeyTable {
  private final String prefix;
  private final String title;
  private final List<ConfigKey> keys = new ArrayList<>();

  /**
   * @param prefix the section's path in its document ({@code postgresql}), or empty for a document's top level
   * @param title how the README heads the table
   */
  KeyTable(String prefix, String title) {
    this.prefix = prefix;
    this.title = title;
  }

  /** The section's path in its document; empty for a document's top level. */
  String prefix() {
    return prefix;
  }

  String title() {
    return title;
  }

  /** Every key, in declaration order. */
  List<ConfigKey> keys() {
    return Collections.unmodifiableList(keys);
  }

  /** The keys of {@code support}, in declaration order. */
  List<ConfigKey> keys(Support support) {
    return keys.stream().filter(k -> k.support() == support).toList();
  }

  ConfigKey.Builder key(String name, Kind kind) {
    return new ConfigKey.Builder(this, prefix.isEmpty() ? name : prefix + "." + name, kind);
  }

  ConfigKey.Builder bool(String name, boolean dflt) {
    return key(name, Kind.BOOLEAN).dflt(dflt);
  }

  ConfigKey.Builder seconds(String name, int dflt, int min, int max) {
    return key(name, Kind.SECONDS).dflt(dflt).range(min, max);
  }

  /**
   * A timing key in seconds that also accepts fractions to the millisecond: a default in seconds (an int or a
   * double), the range in milliseconds ({@link ConfigKey.Kind#FRACTIONAL_SECONDS}).
   */
  ConfigKey.Builder fractionalSeconds(String name, Number dflt, long minMillis, long maxMillis) {
    return key(name, Kind.FRACTIONAL_SECONDS).dflt(dflt).range(minMillis, maxMillis);
  }

  /** A Patroni key pgquorum does not implement (see {@link Support#IGNORED}); the reason says what that means. */
  ConfigKey.Builder ignored(String name) {
    return key(name, Kind.TEXT).support(Support.IGNORED);
  }

  /** A key refused with an error; the reason completes "is not supported: ...". */
  ConfigKey.Builder refused(String name, Kind kind) {
    return key(name, kind).support(Support.REFUSED);
  }

  ConfigKey register(ConfigKey key) {
    for (ConfigKey k : keys) {
      if (k.path().equals(key.path())) {
        throw new IllegalStateException("configuration key declared twice: " + key.path());
      }
    }
    keys.add(key);
    return key;
  }
}
