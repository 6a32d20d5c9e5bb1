package io.pgquorum.coordinator.config;

import io.pgquorum.backrest.run.RestoreRequest;
import io.pgquorum.backrest.run.RestoreType;
import io.pgquorum.backrest.run.TargetAction;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** Reads {@code bootstrap.backrest}, the built-in bootstrap from the pgBackRest repository. */
final class BackrestBootstrapSection {
  /** The built-in method's name in {@code bootstrap.method}. */
  static final String METHOD = "backrest";
  private static final Set<String> NEED_TARGET = Set.of("time", "lsn", "xid", "name");
  private static final Set<String> EXCLUSIVE = Set.of("time", "lsn", "xid");

  private BackrestBootstrapSection() {}

  /** Whether {@code bootstrap.backrest} is a Patroni-style custom method (it has a command) rather than ours. */
  static boolean isCustom(Section bootstrap) {
    Object v = bootstrap.peek(METHOD);
    return v instanceof java.util.Map<?, ?> m && m.containsKey(BootstrapKeys.METHOD_COMMAND.name());
  }

  /** The section (defaults when absent); null after reporting a problem. */
  static BackrestBootstrap parse(Section bootstrap) {
    Problems problems = bootstrap.problems();
    int before = problems.errorCount();
    Optional<Section> found = bootstrap.section(BootstrapKeys.BACKREST);
    if (found.isEmpty()) {
      return problems.errorCount() > before ? null : BackrestBootstrap.latest();
    }
    Section s = found.get();
    String type = s.string(BootstrapKeys.BACKREST_TYPE).map(t -> t.trim().toLowerCase(Locale.ROOT))
        .orElse(BootstrapKeys.BACKREST_TYPE.defaultString());
    if (!BootstrapKeys.BACKREST_TYPE.choices().contains(type)) {
      problems.error(s.keyPath(BootstrapKeys.BACKREST_TYPE), "must be one of "
          + String.join(", ", BootstrapKeys.BACKREST_TYPE.choices()) + ", got " + problems.show(type));
    }
    Optional<String> target = s.string(BootstrapKeys.BACKREST_TARGET).map(String::trim);
    boolean exclusive = s.boolOrDefault(BootstrapKeys.BACKREST_TARGET_EXCLUSIVE);
    Optional<String> set = s.string(BootstrapKeys.BACKREST_SET).map(String::trim);
    s.warnUnknown();
    if (problems.errorCount() > before) {
      return null;
    }
    String targetPath = s.keyPath(BootstrapKeys.BACKREST_TARGET);
    if (NEED_TARGET.contains(type) && target.isEmpty()) {
      problems.error(targetPath, "is required with type " + type);
    } else if (!NEED_TARGET.contains(type) && target.isPresent()) {
      problems.error(targetPath, "is not allowed with type " + type + " (it has no target)");
    } else if (exclusive && !EXCLUSIVE.contains(type)) {
      problems.error(s.keyPath(BootstrapKeys.BACKREST_TARGET_EXCLUSIVE), "applies only to the types time, lsn "
          + "and xid, not " + type);
    } else {
      // The target's and the label's form, checked as the restore will check them.
      try {
        RestoreType restoreType = new BackrestBootstrap(type, target, exclusive, set).restoreType();
        new RestoreRequest(Optional.of(Path.of("/")), false, restoreType, target, set,
            Optional.of(TargetAction.PROMOTE).filter(a -> !type.equals("latest")), false);
      } catch (IllegalArgumentException e) {
        String key = e.getMessage().startsWith("--set") ? s.keyPath(BootstrapKeys.BACKREST_SET) : targetPath;
        problems.error(key, "is not valid: " + e.getMessage());
      }
    }
    if (problems.errorCount() > before) {
      return null;
    }
    return new BackrestBootstrap(type, target, exclusive, set);
  }
}
