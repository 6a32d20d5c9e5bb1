package io.pgquorum.coordinator.config;

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
  private static final Set<String> BOOTSTRAP_KEYS =
      Set.of("command", "no_params", "keep_existing_recovery_conf", "recovery_conf");
  private static final Set<String> REPLICA_KEYS = Set.of("command", "no_params", "keep_data", "no_leader");

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
            + (bootstrap ? parent.keyPath("method") : parent.keyPath("create_replica_methods"))
            + " and needs a section with at least a command");
      }
      return null;
    }
    Section s = section.get();
    String command = s.requiredString("command");
    boolean noParams = s.bool("no_params", false);
    boolean keepData = false;
    boolean noLeader = false;
    boolean keepRecovery = false;
    Map<String, String> recoveryConf = Map.of();
    if (bootstrap) {
      keepRecovery = s.bool("keep_existing_recovery_conf", false);
      recoveryConf = Parameters.parse(s, "recovery_conf");
    } else {
      keepData = s.bool("keep_data", false);
      noLeader = s.bool("no_leader", false);
    }
    Set<String> own = bootstrap ? BOOTSTRAP_KEYS : REPLICA_KEYS;
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
