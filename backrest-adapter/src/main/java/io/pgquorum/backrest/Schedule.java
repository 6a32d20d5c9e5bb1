package io.pgquorum.backrest;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When one type of backup is due: {@code off}, {@code every <n>m|h|d}, {@code daily HH:MM} or
 * {@code weekly <mon..sun> HH:MM}, all in UTC.
 *
 * <p>Why not cron: five fields are easy to get subtly wrong and the published pgBackRest schedules (weekly full,
 * daily diff, incremental every few hours) need only these three forms. Why UTC and slots: the node holding the lock
 * when a slot passes runs it, and the slot is recorded so a failover does not run it twice; every node must compute
 * the same slot instants, whatever its time zone. Intervals are aligned to the epoch for the same reason.
 */
public final class Schedule {
  /** What the parser accepts, for errors and the README. */
  public static final String SYNTAX = "`off`, `every <n>m\\|h\\|d`, `daily HH:MM` or `weekly <mon..sun> HH:MM` (UTC)";

  private static final Pattern EVERY = Pattern.compile("every\\s+(\\d{1,6})\\s*([mhd])");
  private static final Pattern DAILY = Pattern.compile("daily\\s+(\\d{1,2}):(\\d{2})");
  private static final Pattern WEEKLY =
      Pattern.compile("weekly\\s+(mon|tue|wed|thu|fri|sat|sun)\\s+(\\d{1,2}):(\\d{2})");
  private static final Schedule OFF = new Schedule("off", null, null, null);

  private final String text;
  private final Duration every;
  private final LocalTime at;
  private final DayOfWeek day;

  private Schedule(String text, Duration every, LocalTime at, DayOfWeek day) {
    this.text = text;
    this.every = every;
    this.at = at;
    this.day = day;
  }

  /**
   * Parses one schedule.
   *
   * @throws IllegalArgumentException saying what is accepted (without the key: the caller names it)
   */
  public static Schedule parse(String raw) {
    String s = raw.trim().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
    if (s.equals("off")) {
      return OFF;
    }
    Matcher m = EVERY.matcher(s);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      Duration d = switch (m.group(2)) {
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
      // A backup every few seconds would hold the stanza lock permanently; a minute is already absurd but legal.
      if (d.compareTo(Duration.ofMinutes(1)) < 0 || d.compareTo(Duration.ofDays(366)) > 0) {
        throw new IllegalArgumentException("must be an interval from 1 minute to 366 days, got \"" + raw + "\"");
      }
      return new Schedule(s, d, null, null);
    }
    m = DAILY.matcher(s);
    if (m.matches()) {
      return new Schedule(s, null, time(raw, m.group(1), m.group(2)), null);
    }
    m = WEEKLY.matcher(s);
    if (m.matches()) {
      return new Schedule(s, null, time(raw, m.group(2), m.group(3)), day(m.group(1)));
    }
    throw new IllegalArgumentException("must be " + SYNTAX.replace("\\|", "|").replace("`", "") + ", got \""
        + raw + "\"");
  }

  private static LocalTime time(String raw, String hh, String mm) {
    int h = Integer.parseInt(hh);
    int m = Integer.parseInt(mm);
    if (h > 23 || m > 59) {
      throw new IllegalArgumentException("has no such time of day (00:00 to 23:59): \"" + raw + "\"");
    }
    return LocalTime.of(h, m);
  }

  private static DayOfWeek day(String abbrev) {
    for (DayOfWeek d : DayOfWeek.values()) {
      if (d.name().toLowerCase(Locale.ROOT).startsWith(abbrev)) {
        return d;
      }
    }
    throw new IllegalStateException(abbrev); // unreachable: the pattern admits only the seven abbreviations
  }

  public boolean isOff() {
    return every == null && at == null;
  }

  /** The latest slot at or before {@code t}; empty when off. Slots are instants every node agrees on. */
  public Optional<Instant> slotAtOrBefore(Instant t) {
    if (isOff()) {
      return Optional.empty();
    }
    if (every != null) {
      long step = every.getSeconds();
      return Optional.of(Instant.ofEpochSecond(Math.floorDiv(t.getEpochSecond(), step) * step));
    }
    ZonedDateTime now = t.atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES);
    ZonedDateTime slot = now.with(at);
    if (day == null) {
      return Optional.of((slot.isAfter(now) ? slot.minusDays(1) : slot).toInstant());
    }
    slot = slot.with(TemporalAdjusters.previousOrSame(day));
    return Optional.of((slot.isAfter(now) ? slot.minusWeeks(1) : slot).toInstant());
  }

  /** The normalised text, as written back into configuration and shown to operators. */
  @Override
  public String toString() {
    return text;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Schedule other && other.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }
}
