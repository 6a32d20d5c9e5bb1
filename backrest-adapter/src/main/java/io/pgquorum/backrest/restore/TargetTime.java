package io.pgquorum.backrest.restore;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A recovery target time, which must carry its time zone: PostgreSQL reads a time without one in the server's
 * zone, and pgBackRest chooses the backup in its own, so "restore to 10:15" silently means a different moment on
 * each side. That is a classic way to restore to the wrong point, so a time without a zone is refused.
 */
public record TargetTime(Instant instant) {
  private static final Pattern FORM = Pattern.compile(
      "(\\d{4}-\\d{2}-\\d{2})[ T](\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,9})?)?)\\s*(Z|z|UTC|[+-]\\d{2}(?::?\\d{2})?)?");
  private static final DateTimeFormatter OUT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  /**
   * Accepts {@code 2026-12-04 10:15:00+00}, {@code 2026-12-04T10:15:00Z}, {@code 2026-12-04 10:15:00.25+01:00},
   * {@code 2026-12-04 10:15+0100}, {@code 2026-12-04 10:15:00 UTC}.
   *
   * @param option the argument the text came from, named in the error ({@code --target-time})
   * @throws IllegalArgumentException naming {@code option}
   */
  public static TargetTime parse(String text, String option) {
    String t = text == null ? "" : text.trim();
    Matcher m = FORM.matcher(t);
    if (!m.matches()) {
      throw new IllegalArgumentException(option + " must be a time with its zone such as 2026-12-04 10:15:00+00"
          + " or 2026-12-04T10:15:00Z, got \"" + text + "\"");
    }
    if (m.group(3) == null) {
      throw new IllegalArgumentException(option + " \"" + text + "\" has no time zone: write it with one, such as "
          + t + "+00 (a time without a zone is read in the server's zone, a classic way to restore to the wrong"
          + " moment)");
    }
    try {
      LocalDateTime local = LocalDateTime.parse(m.group(1) + "T" + m.group(2));
      return new TargetTime(local.toInstant(offset(m.group(3))));
    } catch (DateTimeException e) {
      throw new IllegalArgumentException(option + " \"" + text + "\" is not a valid time: " + e.getMessage());
    }
  }

  private static ZoneOffset offset(String zone) {
    if (zone.equalsIgnoreCase("Z") || zone.equals("UTC")) {
      return ZoneOffset.UTC;
    }
    String z = zone.length() == 3 ? zone + ":00" : zone.length() == 5 ? zone.substring(0, 3) + ":"
        + zone.substring(3) : zone;
    return ZoneOffset.of(z);
  }

  /** The form PostgreSQL's recovery_target_time and pgBackRest's --target accept: UTC with an explicit +00. */
  public String render() {
    LocalDateTime utc = LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
    int nanos = utc.getNano();
    String fraction = "";
    if (nanos != 0) {
      // PostgreSQL keeps microseconds; finer digits would be rounded by it anyway.
      fraction = String.format(".%06d", nanos / 1000).replaceAll("0+$", "");
      fraction = fraction.equals(".") ? "" : fraction;
    }
    return OUT.format(utc) + fraction + "+00";
  }

  @Override
  public String toString() {
    return render();
  }
}
