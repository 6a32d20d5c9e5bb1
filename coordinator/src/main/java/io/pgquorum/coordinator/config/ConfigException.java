package io.pgquorum.coordinator.config;

import java.util.List;

/**
 * A configuration that cannot be used. Each problem names the full key path (e.g. {@code postgresql.listen})
 * and the reason; {@link #getMessage()} lists them all so a user fixes the file in one go.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final List<String> problems;

  public ConfigException(List<String> problems) {
    super(String.join("\n", problems));
    this.problems = List.copyOf(problems);
  }

  public ConfigException(String keyPath, String reason) {
    this(List.of(keyPath + ": " + reason));
  }

  /** Each problem as {@code key.path: reason}. */
  public List<String> problems() {
    return problems;
  }
}
