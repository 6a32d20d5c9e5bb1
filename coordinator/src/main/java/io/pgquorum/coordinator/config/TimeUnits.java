package io.pgquorum.coordinator.config;

import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A whole number of some time unit, with PostgreSQL's unit names ({@code us}, {@code ms}, {@code s}, {@code min},
 * {@code h}, {@code d}, case-sensitive as PostgreSQL's) as PostgreSQL and Patroni spell durations ({@code 30min},
 * {@code 500ms}, {@code 10}): one reader for every such key, so that they all accept the same spellings. Pure;
 * never throws on a value.
 */
public final class TimeUnits {
  private static final Pattern TIME = Pattern.compile("\\s*(\\d+)\\s*(us|ms|s|min|h|d)?\\s*");

  private TimeUnits() {}

  /**
   * The duration in microseconds, {@code defaultUnit} when the text names none; empty when the text is not spelt
   * this way (negative, a fraction, an unknown unit) or does not fit a long.
   */
  public static OptionalLong micros(String text, String defaultUnit) {
    Matcher m = TIME.matcher(text);
    if (!m.matches()) {
      return OptionalLong.empty();
    }
    long factor = switch (m.group(2) == null ? defaultUnit : m.group(2)) {
      case "us" -> 1L;
      case "ms" -> 1_000L;
      case "s" -> 1_000_000L;
      case "min" -> 60_000_000L;
      case "h" -> 3_600_000_000L;
      case "d" -> 86_400_000_000L;
      default -> throw new IllegalArgumentException("unknown default unit " + defaultUnit);
    };
    try {
      return OptionalLong.of(Math.multiplyExact(Long.parseLong(m.group(1)), factor));
    } catch (NumberFormatException | ArithmeticException e) {
      return OptionalLong.empty();
    }
  }
}
