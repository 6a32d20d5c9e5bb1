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
    Optional<Section> section = root.section("log");
    if (section.isEmpty()) {
      return problems.errorCount() > before ? null : LogConfig.defaults();
    }
    Section s = section.get();
    String level = "INFO";
    Optional<String> given = s.string("level");
    if (given.isPresent()) {
      level = LEVELS.get(given.get().trim().toUpperCase(Locale.ROOT));
      if (level == null) {
        problems.error(s.keyPath("level"), "must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got "
            + problems.show(given.get()));
      }
    }
    Optional<Path> dir = s.path("dir");
    Optional<String> format = Optional.empty();
    Object f = s.value("format");
    if (f instanceof String) {
      format = Optional.of((String) f);
    } else if (f != null) {
      problems.warn(s.keyPath("format"), "only a format string is understood; ignored");
    }
    for (String key : new String[] {"type", "dateformat", "traceback_level", "max_queue_size", "file_num",
        "file_size", "loggers", "static_fields", "mode"}) {
      s.unsupported(key, null);
    }
    s.warnUnknown();
    if (problems.errorCount() > before) {
      return null;
    }
    return new LogConfig(level, dir, format);
  }
}
