package io.pgquorum.coordinator.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The {@code log} section.
 *
 * @param level root level (Patroni: DEBUG, INFO, WARNING, ERROR, CRITICAL)
 * @param dir write {@code pgquorum.log} there instead of standard error
 * @param format unused by pgquorum beyond validation (Patroni's Python format string)
 */
public record LogConfig(String level, Optional<Path> dir, Optional<String> format) {
  public static LogConfig defaults() {
    return new LogConfig(LogKeys.LEVEL.defaultString(), Optional.empty(), Optional.empty());
  }
}
