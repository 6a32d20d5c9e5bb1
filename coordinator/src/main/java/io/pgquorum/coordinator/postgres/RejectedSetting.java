package io.pgquorum.coordinator.postgres;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A setting PostgreSQL refused at start, found in its start-up output: {@code unrecognized configuration
 * parameter "x"}, {@code invalid value for parameter "x": "y"}, {@code parameter "x" requires a Boolean value},
 * {@code 5 is outside the valid range for parameter "x"}. PostgreSQL then stops with "configuration file ...
 * contains errors", which names the file but not the setting; this names the setting.
 *
 * @param name the setting, as PostgreSQL wrote it
 * @param message PostgreSQL's message about it, without the severity
 */
record RejectedSetting(String name, String message) {
  /** English messages only: under another lc_messages the log tail still shows PostgreSQL's own words. */
  private static final Pattern LINE = Pattern.compile(
      "(?m)^.*?(?:LOG|FATAL|ERROR):\\s+(.*?\\bparameter \"([^\"]+)\".*?)\\s*$");

  /** The first rejected setting {@code output} mentions, if any. */
  static Optional<RejectedSetting> find(String output) {
    Matcher m = LINE.matcher(output);
    if (!m.find()) {
      return Optional.empty();
    }
    return Optional.of(new RejectedSetting(m.group(2), m.group(1)));
  }
}
