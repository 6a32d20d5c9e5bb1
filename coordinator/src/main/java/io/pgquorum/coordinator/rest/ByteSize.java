package io.pgquorum.coordinator.rest;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses sizes as health-check queries write them ({@code ?lag=1048576}, {@code 16kB}, {@code 64MB},
 * {@code 1GB}): PostgreSQL's memory units, powers of 1024. Units are accepted in any case because "mb" can only
 * mean megabytes here.
 */
final class ByteSize {
  private static final Pattern SIZE = Pattern.compile("\\s*(\\d+)\\s*([a-zA-Z]*)\\s*");

  private ByteSize() {}

  static long parse(String field, String text) throws BadRequest {
    Matcher m = SIZE.matcher(text);
    if (!m.matches()) {
      throw new BadRequest(field, "expected a number of bytes or a size such as 16kB, 64MB, 1GB");
    }
    long multiplier;
    switch (m.group(2).toLowerCase(Locale.ROOT)) {
      case "":
      case "b":
        multiplier = 1;
        break;
      case "kb":
        multiplier = 1L << 10;
        break;
      case "mb":
        multiplier = 1L << 20;
        break;
      case "gb":
        multiplier = 1L << 30;
        break;
      case "tb":
        multiplier = 1L << 40;
        break;
      default:
        throw new BadRequest(field, "unknown unit '" + m.group(2) + "' (use B, kB, MB, GB or TB)");
    }
    try {
      return Math.multiplyExact(Long.parseLong(m.group(1)), multiplier);
    } catch (ArithmeticException | NumberFormatException e) {
      throw new BadRequest(field, "size too large");
    }
  }
}
