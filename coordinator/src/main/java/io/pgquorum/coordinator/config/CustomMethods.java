package io.pgquorum.coordinator.config;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Sections describing a custom bootstrap method ({@code bootstrap.<method>}) or replica-creation method
 * ({@code postgresql.<method>}), Patroni's contract: {@code command} plus the method's own flags; every other key
 * is handed to the command as {@code --key=value}.
 */
final class CustomMethods {
  private CustomMethods() {}

  /** A bootstrap method section; null (after reporting) when it is missing or broken. */
  static CustomMethod bootstrap(Section parent, String name) {
    return parse(parent, name, true);
  }

  /** A replica method section; null (after reporting) when it is missing or broken. */
  static CustomMethod replica(Section parent, String name) {
    return parse(parent, name, false);
  }

  private static CustomMethod parse(Section parent, String name, boolean bootstrap) {
    Problems problems = parent.problems();
    int before = problems.errorCount();
    Optional<Section> section = parent.section(name);
    if (section.isEmpty()) {
      if (problems.errorCount() == before) {
        problems.error(parent.keyPath(name), "is required: the method " + name + " is selected in "
            + (bootstrap ? parent.keyPath(BootstrapKeys.METHOD)
                : parent.keyPath(PostgresKeys.CREATE_REPLICA_METHODS))
            + " and needs a section with at least a command");
      }
      return null;
    }
    Section s = section.get();
    String command = s.requiredString(bootstrap ? BootstrapKeys.METHOD_COMMAND : PostgresKeys.METHOD_COMMAND);
    boolean noParams = s.boolOrDefault(bootstrap ? BootstrapKeys.METHOD_NO_PARAMS : PostgresKeys.METHOD_NO_PARAMS);
    boolean keepData = false;
    boolean noLeader = false;
    boolean keepRecovery = false;
    Map<String, String> recoveryConf = Map.of();
    if (bootstrap) {
      keepRecovery = s.boolOrDefault(BootstrapKeys.METHOD_KEEP_EXISTING_RECOVERY_CONF);
      recoveryConf = Parameters.parse(s, BootstrapKeys.METHOD_RECOVERY_CONF);
    } else {
      keepData = s.boolOrDefault(PostgresKeys.METHOD_KEEP_DATA);
      noLeader = s.boolOrDefault(PostgresKeys.METHOD_NO_LEADER);
    }
    Set<String> own = new HashSet<>();
    (bootstrap ? BootstrapKeys.METHOD_KEYS : PostgresKeys.METHOD_KEYS).forEach(k -> own.add(k.name()));
    Map<String, String> extra = new LinkedHashMap<>();
    for (String key : s.keys()) {
      if (own.contains(key)) {
        continue;
      }
      Object v = s.value(key);
      if (v == null) {
        continue;
      }
      String text = Scalars.renderPlain(v);
      if (text == null) {
        problems.error(s.keyPath(key), "is passed to the command as --" + key + "=<value> and must be a single "
            + "value, got " + problems.show(v));
      } else {
        extra.put(key, text);
      }
    }
    if (problems.errorCount() > before) {
      return null;
    }
    return new CustomMethod(name, command, keepData, noParams, noLeader, keepRecovery, recoveryConf, extra);
  }
}
