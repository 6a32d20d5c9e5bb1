package io.pgquorum.coordinator.config;

import io.pgquorum.coordinator.config.ConfigKey.Kind;

/** The {@code log} section. */
final class LogKeys {
  static final KeyTable TABLE = new KeyTable("log", "`log`");
  private static final KeyTable T = TABLE;

  static final ConfigKey LEVEL = T.key("level", Kind.CHOICE).dflt("INFO").env().legacyEnv("PATRONI_LOGLEVEL")
      .choices("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
      .why("the root level, in Python's names as Patroni writes them (WARN and FATAL are accepted too)");
  static final ConfigKey DIR = T.key("dir", Kind.PATH).env().defaultIs("standard error")
      .why("write pgquorum.log (and pgquorum-watchdog.log) there");
  static final ConfigKey FORMAT = T.key("format", Kind.TEXT).env().legacyEnv("PATRONI_LOGFORMAT")
      .why("Patroni's Python format string: accepted, not used");

  static {
    T.ignored("type").env().add();
    T.ignored("dateformat").env().add();
    T.ignored("traceback_level").env().add();
    T.ignored("max_queue_size").env().add();
    T.ignored("file_num").env().add();
    T.ignored("file_size").env().add();
    T.ignored("loggers").env().add();
    T.ignored("static_fields").add();
    T.ignored("mode").add();
  }

  private LogKeys() {}
}
