package io.pgquorum.coordinator.config;

import io.pgquorum.coordinator.config.ConfigKey.Kind;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Every key registry, in the order of a node's file (the README's tables follow it). What is derived from all of
 * them at once lives here: the names whose values are secrets, and the dynamic keys a node's file may hold by
 * mistake at its top level.
 */
final class ConfigKeys {
  /** The node's file, section by section, with the dynamic configuration after {@code bootstrap}. */
  static final List<KeyTable> TABLES = List.of(NodeKeys.TABLE, RestApiKeys.TABLE, CtlKeys.TABLE, RaftKeys.TABLE,
      BootstrapKeys.TABLE, DynamicKeys.TABLE, PostgresKeys.TABLE, WatchdogKeys.TABLE, LogKeys.TABLE,
      TagsKeys.TABLE);

  /** The tables of a node's file (all but the dynamic configuration's, whose paths are relative to its own). */
  static final List<KeyTable> NODE_TABLES = TABLES.stream().filter(t -> t != DynamicKeys.TABLE).toList();

  private ConfigKeys() {}

  /**
   * The names of keys whose values are secrets ({@code password}, {@code keyfile_password}, ...), wherever they
   * appear: their values are never echoed in a message.
   */
  static Set<String> secretNames() {
    Set<String> out = new LinkedHashSet<>();
    for (KeyTable table : TABLES) {
      table.keys().stream().filter(k -> k.kind() == Kind.SECRET).forEach(k -> out.add(k.name()));
    }
    return out;
  }

  /**
   * The dynamic configuration's top-level keys (ttl, loop_wait, synchronous_mode, ...): at the top level of a
   * node's file they do nothing, in Patroni too, which deserves a clearer warning than "unknown key".
   */
  static List<String> dynamicTopLevelNames() {
    // Not postgresql: a node's file has a section of that name of its own. standby_cluster is a section too, and
    // does nothing at the top level of a node's file.
    return DynamicKeys.TABLE.keys().stream().filter(k -> !k.path().contains(".") && k != DynamicKeys.POSTGRESQL)
        .flatMap(k -> java.util.stream.Stream.concat(java.util.stream.Stream.of(k.name()), k.aliases().stream()))
        .toList();
  }
}
