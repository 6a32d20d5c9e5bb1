package io.pgquorum.coordinator.config;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Locale;

/**
 * Conversions of loaded YAML/JSON scalars with Patroni's leniency: numbers may be written as strings
 * ({@code ttl: "30"}), booleans as any of YAML 1.1's words ({@code on}, {@code yes}, {@code true}, also as
 * strings, because values arriving from the environment or a JSON PATCH are strings).
 */
final class Scalars {
  private Scalars() {}

  /** A whole number, or null when {@code value} is not one. */
  static Long toLong(Object value) {
    if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof BigInteger) {
      BigInteger b = (BigInteger) value;
      return b.bitLength() < 64 ? b.longValue() : null;
    }
    if (value instanceof Double || value instanceof Float) {
      // JSON writers sometimes emit 30.0 for 30.
      double d = ((Number) value).doubleValue();
      return d == Math.rint(d) && Math.abs(d) < 9.0e15 ? (long) d : null;
    }
    if (value instanceof String) {
      String s = ((String) value).trim();
      if (s.matches("[-+]?\\d{1,18}")) {
        return Long.parseLong(s);
      }
    }
    return null;
  }

  /** A boolean in any of the spellings Patroni accepts, or null when {@code value} is not one. */
  static Boolean toBool(Object value) {
    if (value instanceof Boolean) {
      return (Boolean) value;
    }
    if (value instanceof Integer || value instanceof Long) {
      long l = ((Number) value).longValue();
      return l == 1 ? Boolean.TRUE : l == 0 ? Boolean.FALSE : null;
    }
    if (value instanceof String) {
      switch (((String) value).trim().toLowerCase(Locale.ROOT)) {
        case "on": case "true": case "yes": case "1":
          return Boolean.TRUE;
        case "off": case "false": case "no": case "0":
          return Boolean.FALSE;
        default:
          return null;
      }
    }
    return null;
  }

  /**
   * A PostgreSQL setting as text: booleans become {@code on}/{@code off} (so {@code hot_standby: on}, which YAML
   * 1.1 reads as a boolean, reaches PostgreSQL as written), numbers their plain decimal text. Null when the value
   * is not a scalar.
   */
  static String renderSetting(Object value) {
    if (value instanceof Boolean) {
      return (Boolean) value ? "on" : "off";
    }
    return renderPlain(value);
  }

  /**
   * A scalar as text for a command-line option ({@code --key=value}): booleans {@code true}/{@code false},
   * numbers their plain decimal text. Null when the value is not a scalar.
   */
  static String renderPlain(Object value) {
    if (value instanceof String) {
      return (String) value;
    }
    if (value instanceof Boolean || value instanceof Integer || value instanceof Long
        || value instanceof BigInteger || value instanceof Short || value instanceof Byte) {
      return value.toString();
    }
    if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        return null;
      }
      // Plain notation (0.00001, not 1.0E-5: shell scripts do not all read exponents), keeping one decimal so
      // that a value written as 1.0 stays recognisably fractional.
      BigDecimal b = BigDecimal.valueOf(d).stripTrailingZeros();
      return (b.scale() <= 0 ? b.setScale(1) : b).toPlainString();
    }
    if (value instanceof BigDecimal) {
      return ((BigDecimal) value).toPlainString();
    }
    return null;
  }
}
