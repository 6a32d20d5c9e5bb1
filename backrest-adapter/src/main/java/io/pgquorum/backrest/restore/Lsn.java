package io.pgquorum.backrest.restore;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A WAL location written as PostgreSQL and pgBackRest write it ({@code 0/3000060}). The coordinator has its own
 * Lsn, but the adapter may not depend on the coordinator; this one only parses, compares and prints.
 */
public record Lsn(long value) implements Comparable<Lsn> {
  private static final Pattern FORM = Pattern.compile("([0-9A-Fa-f]{1,8})/([0-9A-Fa-f]{1,8})");

  /**
   * @param option the argument the text came from, named in the error ({@code --target-lsn})
   * @throws IllegalArgumentException naming {@code option} when the text is not an LSN
   */
  public static Lsn parse(String text, String option) {
    Matcher m = FORM.matcher(text == null ? "" : text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(option + " must be an LSN written like 0/3000060, got \"" + text + "\"");
    }
    return new Lsn(Long.parseLong(m.group(1), 16) << 32 | Long.parseLong(m.group(2), 16));
  }

  @Override
  public int compareTo(Lsn o) {
    return Long.compareUnsigned(value, o.value);
  }

  @Override
  public String toString() {
    return String.format("%X/%X", value >>> 32, value & 0xFFFFFFFFL);
  }
}
