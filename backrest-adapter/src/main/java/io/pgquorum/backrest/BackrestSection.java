package io.pgquorum.backrest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Parses the {@code backrest} section as a YAML parser hands it over (maps, lists, scalars), so that the
 * coordinator can pass its node file's section without this module knowing its configuration classes. Every
 * problem is collected (not only the first) and names its key; unknown keys are errors, because a mistyped
 * schedule silently ignored means backups silently not taken.
 */
public final class BackrestSection {
  private static final Pattern STANZA = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Pattern OPTION_NAME = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");

  /** The outcome: settings when there are no errors; every error as {@code key: message}. */
  public record Parsed(Optional<BackrestSettings> settings, List<String> errors) {}

  private final List<String> errors = new ArrayList<>();

  private BackrestSection() {}

  /**
   * @param section the value under {@code backrest} (a mapping; an empty one means "all defaults")
   * @param scope the cluster's scope, the stanza's default
   */
  public static Parsed parse(Object section, String scope) {
    return new BackrestSection().read(section == null ? Map.of() : section, scope);
  }

  private Parsed read(Object section, String scope) {
    Map<String, Object> s = map(BackrestKeys.SECTION, section);
    unknown(BackrestKeys.SECTION, s);
    String stanza = text(s, BackrestKeys.STANZA, scope);
    if (stanza != null && !STANZA.matcher(stanza).matches()) {
      error(BackrestKeys.STANZA, "must be " + BackrestKeys.STANZA.accepts().replace("`", "") + ", got \""
          + stanza + "\"");
    }
    String command = text(s, BackrestKeys.COMMAND, BackrestKeys.COMMAND.defaultString());
    if (command != null && (command.isBlank() || command.contains("/") && !command.startsWith("/"))) {
      error(BackrestKeys.COMMAND, "must be an absolute path or a program name, got \"" + command + "\"");
    }
    Map<String, Object> repo = map(BackrestKeys.SECTION + ".repo1", s.get("repo1"));
    unknown(BackrestKeys.SECTION + ".repo1", repo);
    String type = text(repo, BackrestKeys.REPO1_TYPE, BackrestKeys.REPO1_TYPE.defaultString());
    if (type != null && !type.equals("posix")) {
      error(BackrestKeys.REPO1_TYPE, "must be posix (the only repository type pgquorum tests so far), got \""
          + type + "\"");
    }
    String repoPath = text(repo, BackrestKeys.REPO1_PATH, BackrestKeys.REPO1_PATH.defaultString());
    if (repoPath != null && !repoPath.startsWith("/")) {
      error(BackrestKeys.REPO1_PATH, "must be an absolute path (every node must name the same place), got \""
          + repoPath + "\"");
    }
    long retention = number(repo, BackrestKeys.REPO1_RETENTION_FULL);
    long processMax = number(s, BackrestKeys.PROCESS_MAX);
    Map<String, List<String>> options = options(s.get("options"));
    Map<String, Object> sched = map(BackrestKeys.SECTION + ".schedule", s.get("schedule"));
    unknown(BackrestKeys.SECTION + ".schedule", sched);
    BackupSchedules schedules = new BackupSchedules(schedule(sched, BackrestKeys.SCHEDULE_FULL),
        schedule(sched, BackrestKeys.SCHEDULE_DIFF), schedule(sched, BackrestKeys.SCHEDULE_INCR));
    long catchUp = number(sched, BackrestKeys.SCHEDULE_CATCH_UP);
    Map<String, Object> after = map(BackrestKeys.SECTION + ".after_promotion", s.get("after_promotion"));
    unknown(BackrestKeys.SECTION + ".after_promotion", after);
    BackrestSettings.AfterPromotion afterPromotion = afterPromotion(after);
    long commandTimeout = number(s, BackrestKeys.COMMAND_TIMEOUT);
    long backupTimeout = number(s, BackrestKeys.BACKUP_TIMEOUT);
    long restoreTimeout = number(s, BackrestKeys.RESTORE_TIMEOUT);
    long infoInterval = number(s, BackrestKeys.INFO_INTERVAL);
    if (!errors.isEmpty()) {
      return new Parsed(Optional.empty(), List.copyOf(errors));
    }
    return new Parsed(Optional.of(new BackrestSettings(stanza, command,
        new BackrestSettings.Repo(BackrestSettings.RepoType.POSIX, Path.of(repoPath), (int) retention),
        (int) processMax, options, schedules, Duration.ofSeconds(commandTimeout), Duration.ofSeconds(backupTimeout),
        Duration.ofSeconds(restoreTimeout), Duration.ofSeconds(catchUp), afterPromotion,
        Duration.ofSeconds(infoInterval))), List.of());
  }

  private Map<String, List<String>> options(Object raw) {
    String where = BackrestKeys.OPTIONS.path();
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : map(where, raw).entrySet()) {
      String name = e.getKey();
      String key = where + "." + name;
      if (!OPTION_NAME.matcher(name).matches()) {
        errors.add(key + ": is not a pgBackRest option name (lower case words joined by '-', e.g. compress-type)");
        continue;
      }
      Optional<String> owned = OwnedOptions.instead(name);
      if (owned.isPresent()) {
        errors.add(key + ": is written by pgquorum itself; " + owned.get());
        continue;
      }
      List<String> values = new ArrayList<>();
      List<?> items = e.getValue() instanceof List<?> l ? l : Collections.singletonList(e.getValue());
      for (Object v : items) {
        String scalar = scalar(v);
        if (scalar == null) {
          // A secret's value is never echoed, not even a malformed one.
          errors.add(key + ": must be a scalar without line breaks or a list of them, got "
              + (OwnedOptions.isSecret(name) ? "a hidden value" : kind(v)));
        } else {
          values.add(scalar);
        }
      }
      out.put(name, values);
    }
    return out;
  }

  /** pgBackRest spells booleans y/n; a YAML {@code true} must not reach it as "true". */
  private static String scalar(Object v) {
    if (v instanceof Boolean b) {
      return b ? "y" : "n";
    }
    if (v instanceof String || v instanceof Number) {
      String s = String.valueOf(v);
      // A line break would start a new option line in pgbackrest.conf: refused, not escaped.
      return s.contains("\n") || s.contains("\r") ? null : s;
    }
    return null;
  }

  private BackrestSettings.AfterPromotion afterPromotion(Map<String, Object> after) {
    BackrestKey checkKey = BackrestKeys.AFTER_PROMOTION_CHECK;
    Object c = after.get(checkKey.leaf());
    // YAML 1.1 reads unquoted on/off as booleans; both spellings mean the same.
    String ct = c == null ? checkKey.defaultString() : c instanceof Boolean b ? (b ? "on" : "off")
        : c instanceof String str ? str.trim().toLowerCase(java.util.Locale.ROOT) : null;
    if (ct == null || !ct.equals("on") && !ct.equals("off")) {
      error(checkKey, "must be on or off, got " + kind(c));
      ct = "on";
    }
    BackrestKey backupKey = BackrestKeys.AFTER_PROMOTION_BACKUP;
    Object b = after.get(backupKey.leaf());
    String bt = b == null ? backupKey.defaultString() : Boolean.FALSE.equals(b) ? "off"
        : b instanceof String str ? str.trim().toLowerCase(java.util.Locale.ROOT) : null;
    Optional<BackupType> type = Optional.empty();
    if (bt != null && !bt.equals("off")) {
      try {
        type = Optional.of(BackupType.of(bt));
      } catch (IllegalArgumentException e) {
        bt = null;
      }
    }
    if (bt == null) {
      error(backupKey, "must be incr, diff, full or off, got " + kind(b));
    }
    return new BackrestSettings.AfterPromotion(ct.equals("on"), type);
  }

  private Schedule schedule(Map<String, Object> sched, BackrestKey key) {
    String dflt = key.defaultString();
    Object v = sched.get(key.leaf());
    // YAML 1.1 reads an unquoted off as false.
    if (Boolean.FALSE.equals(v)) {
      return Schedule.parse("off");
    }
    String text = v == null ? dflt : v instanceof String s ? s : null;
    if (text == null) {
      error(key, "must be " + Schedule.SYNTAX.replace("\\|", "|").replace("`", "") + ", got " + kind(v));
      return null;
    }
    try {
      return Schedule.parse(text);
    } catch (IllegalArgumentException e) {
      error(key, e.getMessage());
      return null;
    }
  }

  private String text(Map<String, Object> s, BackrestKey key, String dflt) {
    Object v = s.get(key.leaf());
    if (v == null) {
      return dflt;
    }
    if (v instanceof String str) {
      return str.trim();
    }
    error(key, "must be text, got " + kind(v));
    return null;
  }

  private long number(Map<String, Object> s, BackrestKey key) {
    Object v = s.get(key.leaf());
    if (v == null) {
      return key.defaultLong();
    }
    if (v instanceof Integer || v instanceof Long) {
      long n = ((Number) v).longValue();
      if (n >= key.min() && n <= key.max()) {
        return n;
      }
    }
    error(key, "must be a whole number from " + key.min() + " to " + key.max()
        + (key.unit().equals("-") ? "" : " (" + key.unit() + ")") + ", got " + show(v));
    return key.defaultLong();
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> map(String where, Object v) {
    if (v == null) {
      return Map.of();
    }
    if (v instanceof Map<?, ?> m) {
      for (Object k : m.keySet()) {
        if (!(k instanceof String)) {
          errors.add(where + ": keys must be text, got " + show(k));
          return Map.of();
        }
      }
      return (Map<String, Object>) m;
    }
    errors.add(where + ": must be a mapping, got " + kind(v));
    return Map.of();
  }

  /** Keys of the mapping at {@code where} that the registry does not declare (directly or as a parent). */
  private void unknown(String where, Map<String, Object> m) {
    Set<String> known = new TreeSet<>();
    for (BackrestKey key : BackrestKeys.all()) {
      if (key.path().startsWith(where + ".")) {
        known.add(key.path().substring(where.length() + 1).split("\\.")[0]);
      }
    }
    for (String k : m.keySet()) {
      if (!known.contains(k)) {
        errors.add(where + "." + k + ": unknown key (known: " + String.join(", ", known)
            + ")");
      }
    }
  }

  private void error(BackrestKey key, String message) {
    errors.add(key.path() + ": " + message);
  }

  private static String show(Object v) {
    return v instanceof String s ? "\"" + s + "\"" : String.valueOf(v);
  }

  private static String kind(Object v) {
    if (v instanceof Map<?, ?>) {
      return "a mapping";
    }
    if (v instanceof List<?>) {
      return "a list";
    }
    return show(v);
  }
}
