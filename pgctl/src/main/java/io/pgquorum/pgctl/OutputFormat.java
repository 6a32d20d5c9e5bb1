package io.pgquorum.pgctl;

import java.util.Locale;
import java.util.Optional;

/** The {@code --format} choices of {@code pgctl list}, as in patronictl. */
enum OutputFormat {
  PRETTY, TSV, JSON, YAML;

  static final String CHOICES = "pretty, tsv, json, yaml";

  /** Parses a {@code --format} value ({@code yml} is accepted for yaml, as patronictl does). */
  static Optional<OutputFormat> parse(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "pretty" -> Optional.of(PRETTY);
      case "tsv" -> Optional.of(TSV);
      case "json" -> Optional.of(JSON);
      case "yaml", "yml" -> Optional.of(YAML);
      default -> Optional.empty();
    };
  }

  /** The command's {@code --format}, else {@code fallback}; a value that is not a choice is a usage error. */
  static OutputFormat option(Invocation a, OutputFormat fallback) {
    Optional<String> value = a.value("--format");
    return value.isEmpty() ? fallback : parse(value.get()).orElseThrow(() -> CtlException.usage(
        "invalid value for --format: '" + value.get() + "' (choose from " + CHOICES + ")"));
  }
}
