package io.pgquorum.coordinator.config;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The {@code log} section. */
final class LogSection {
  /** Python's level names (as Patroni writes them), with the aliases Python also accepts. */
  private static final Map<String, String> LEVELS = Map.of("DEBUG", "DEBUG", "INFO", "INFO", "WARNING", "WARNING",
      "WARN", "WARNING", "ERROR", "ERROR", "CRITICAL", "CRITICAL", "FATAL", "CRITICAL");

  private LogSection() {}

  static LogConfig parse(Section root) {
    Problems problems = root.problems();
    int before = problems.errorCount();
    Optional<Section> section = root.section(LogKeys.TABLE.prefix());
    if (section.isEmpty()) {
      return problems.errorCount() > before ? null : LogConfig.defaults();
    }
    Section s = section.get();
    String level = LogKeys.LEVEL.defaultString();
    Optional<String> given = s.string(LogKeys.LEVEL);
    if (given.isPresent()) {
      level = LEVELS.get(given.get().trim().toUpperCase(Locale.ROOT));
      if (level == null) {
        problems.error(s.keyPath(LogKeys.LEVEL), "must be one of " + String.join(", ", LogKeys.LEVEL.choices())
            + ", got " + problems.show(given.get()));
      }
    }
    Optional<Path> dir = s.path(LogKeys.DIR);
    Optional<String> format = Optional.empty();
    Object f = s.value(LogKeys.FORMAT);
    if (f instanceof String) {
      format = Optional.of((String) f);
    } else if (f != null) {
      problems.warn(s.keyPath(LogKeys.FORMAT), "only a format string is understood; ignored");
    }
    s.unsupported(LogKeys.TABLE.keys(ConfigKey.Support.IGNORED));
    s.warnUnknown();
    if (problems.errorCount() > before) {
      return null;
    }
    return new LogConfig(level, dir, format);
  }
}
