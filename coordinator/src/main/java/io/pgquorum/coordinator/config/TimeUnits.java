package io.pgquorum.coordinator.config;

import java.math.BigDecimal;
import java.time.Duration;
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

  /**
   * A number of seconds as the timing keys accept it ({@code ttl: 8}, {@code loop_wait: 0.5}; also as text, the way
   * values from the environment or a JSON PATCH arrive), in milliseconds; empty when it is not a number, has more
   * than three decimals, or does not fit (a negative number is returned, for the caller's range check).
   */
  static OptionalLong millisOfSeconds(Object value) {
    BigDecimal seconds;
    try {
      if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
        seconds = BigDecimal.valueOf(((Number) value).longValue());
      } else if (value instanceof java.math.BigInteger b) {
        seconds = new BigDecimal(b);
      } else if (value instanceof BigDecimal b) {
        seconds = b;
      } else if (value instanceof Double || value instanceof Float) {
        double d = ((Number) value).doubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
          return OptionalLong.empty();
        }
        // Double.toString's shortest decimal: 0.1 stays 0.1, not 0.1000000000000000055...
        seconds = new BigDecimal(Double.toString(d));
      } else if (value instanceof String text && text.trim().matches("[-+]?\\d{1,12}(\\.\\d+)?")) {
        seconds = new BigDecimal(text.trim());
      } else {
        return OptionalLong.empty();
      }
      // Negative values come back negative: the key's range check refuses them with its reason.
      return OptionalLong.of(seconds.movePointRight(3).longValueExact());
    } catch (ArithmeticException | NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** Seconds as the configuration spells them: whole ones as an integer ({@code 8}), else a decimal ({@code 2.5}). */
  public static String seconds(Duration d) {
    return BigDecimal.valueOf(d.toMillis(), 3).stripTrailingZeros().toPlainString();
  }

  /** The longer of two durations. */
  public static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /** The shorter of two durations. */
  public static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** What the configuration stores for {@code d}: whole seconds as an Integer (or Long), else a Double (2.5). */
  static Number secondsValue(Duration d) {
    long ms = d.toMillis();
    long whole = ms / 1000;
    if (ms % 1000 != 0) {
      return Double.valueOf(ms / 1000.0);
    }
    // An Integer when it fits, as YAML and JSON readers give Patroni's values: an unchanged document stays equal.
    return whole == (int) whole ? (Number) Integer.valueOf((int) whole) : (Number) Long.valueOf(whole);
  }
}
