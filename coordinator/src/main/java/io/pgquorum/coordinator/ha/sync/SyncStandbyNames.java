package io.pgquorum.coordinator.ha.sync;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A value of PostgreSQL's {@code synchronous_standby_names} as pgquorum sets it: nothing (asynchronous), {@code *}
 * (any standby), {@code FIRST n (a, b)} (the first n connected of the list, by list order) or {@code ANY n (a, b, c)}
 * (any n of them: quorum commit). pgquorum always writes {@code FIRST} with n equal to the number of names, so that
 * every listed standby must acknowledge each commit: that is what lets the {@code sync} key name them as holding
 * every acknowledged commit.
 *
 * @param kind which form
 * @param count n ({@code FIRST}/{@code ANY}); 0 for {@link Kind#NONE}, 1 for {@link Kind#ANY_STANDBY}
 * @param names the standby names, sorted case-insensitively and without duplicates (PostgreSQL compares
 *     {@code application_name} case-insensitively)
 */
public record SyncStandbyNames(Kind kind, int count, List<String> names) {
  /** The forms pgquorum writes. */
  public enum Kind {
    NONE, ANY_STANDBY, FIRST, ANY
  }

  /** A name PostgreSQL's syncrep parser reads bare: a lower-case identifier that is not one of its keywords. */
  private static final Pattern BARE = Pattern.compile("[a-z_][a-z0-9_$]*");
  private static final Set<String> KEYWORDS = Set.of("any", "first");
  private static final Comparator<String> ORDER = Comparator.comparing((String s) -> s.toLowerCase(Locale.ROOT))
      .thenComparing(Comparator.naturalOrder());

  public SyncStandbyNames {
    names = sortedUnique(names);
    switch (kind) {
      case NONE -> require(count == 0 && names.isEmpty(), "NONE has no count and no names");
      case ANY_STANDBY -> require(count == 1 && names.isEmpty(), "'*' has count 1 and no names");
      case FIRST, ANY -> require(!names.isEmpty() && count >= 1 && count <= names.size(),
          kind + " needs 1 <= count <= names, got " + count + " of " + names);
      default -> throw new IllegalStateException(kind.toString());
    }
  }

  /** Asynchronous replication: commits wait for no standby. */
  public static SyncStandbyNames none() {
    return new SyncStandbyNames(Kind.NONE, 0, List.of());
  }

  /** {@code *}: any one connected standby acknowledges (strict mode with no candidate: commits wait). */
  public static SyncStandbyNames anyStandby() {
    return new SyncStandbyNames(Kind.ANY_STANDBY, 1, List.of());
  }

  /** {@code FIRST n (names)} with n = all of them: every listed standby acknowledges each commit. */
  public static SyncStandbyNames all(List<String> names) {
    return names.isEmpty() ? none() : new SyncStandbyNames(Kind.FIRST, sortedUnique(names).size(), names);
  }

  /** {@code ANY n (names)}: quorum commit. */
  public static SyncStandbyNames any(int count, List<String> names) {
    return new SyncStandbyNames(Kind.ANY, count, names);
  }

  /**
   * The value PostgreSQL runs with ({@code SHOW synchronous_standby_names}), read with its grammar: "" (none),
   * {@code *}, {@code [FIRST|ANY] n (a, b)}, {@code n (a, b)} (FIRST) or a bare list (FIRST 1). Names keep their
   * case (PostgreSQL compares them case-insensitively). A value none of these forms can hold (a count above the
   * names, a syntax PostgreSQL would refuse) reads as {@code ANY 1} over the whole text as one name: it waits on no
   * member by name, so it confirms nobody, and differs from every value pgquorum writes, so it is replaced.
   */
  public static SyncStandbyNames parse(String raw) {
    String text = raw == null ? "" : raw.trim();
    if (text.isEmpty()) {
      return none();
    }
    if (text.equals("*")) {
      return anyStandby();
    }
    try {
      java.util.regex.Matcher m = Pattern.compile("(?is)(?:(first|any)\\s+)?(\\d+)\\s*\\((.*)\\)").matcher(text);
      if (m.matches()) {
        Kind kind = m.group(1) != null && m.group(1).equalsIgnoreCase("any") ? Kind.ANY : Kind.FIRST;
        List<String> names = splitNames(m.group(3));
        return new SyncStandbyNames(kind, Integer.parseInt(m.group(2)), names);
      }
      List<String> names = splitNames(text);
      return names.equals(List.of("*")) ? anyStandby() : new SyncStandbyNames(Kind.FIRST, 1, names);
    } catch (IllegalArgumentException e) {
      return new SyncStandbyNames(Kind.ANY, 1, List.of(text));
    }
  }

  /** A comma-separated list of names, each bare or double-quoted (inner quotes doubled). */
  private static List<String> splitNames(String list) {
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < list.length()) {
      while (i < list.length() && Character.isWhitespace(list.charAt(i))) {
        i++;
      }
      StringBuilder name = new StringBuilder();
      if (i < list.length() && list.charAt(i) == '"') {
        i++;
        while (true) {
          if (i >= list.length()) {
            throw new IllegalArgumentException("unterminated quoted name");
          }
          char ch = list.charAt(i++);
          if (ch == '"') {
            if (i < list.length() && list.charAt(i) == '"') {
              name.append('"');
              i++;
              continue;
            }
            break;
          }
          name.append(ch);
        }
      } else {
        while (i < list.length() && list.charAt(i) != ',' && !Character.isWhitespace(list.charAt(i))) {
          char ch = list.charAt(i++);
          if (ch == '"' || ch == '(' || ch == ')') {
            throw new IllegalArgumentException("unexpected " + ch);
          }
          name.append(ch);
        }
      }
      while (i < list.length() && Character.isWhitespace(list.charAt(i))) {
        i++;
      }
      if (i < list.length() && list.charAt(i) != ',') {
        throw new IllegalArgumentException("expected a comma");
      }
      i++;
      if (name.length() == 0) {
        throw new IllegalArgumentException("empty name");
      }
      out.add(name.toString());
    }
    return out;
  }

  /** Whether {@code name} is listed by name (not through {@code *}); case-insensitive, as PostgreSQL compares. */
  public boolean lists(String name) {
    return names.stream().anyMatch(n -> n.equalsIgnoreCase(name));
  }

  /**
   * Whether every commit waits for {@code name}'s acknowledgement: listed in a {@code FIRST} that takes all its
   * names (the form pgquorum writes). Never true for {@code ANY} (n of them, not a given one) or {@code *}.
   */
  public boolean waitsOn(String name) {
    return kind == Kind.FIRST && count == names.size() && lists(name);
  }

  /** The setting's text, names quoted where PostgreSQL needs it; "" for {@link Kind#NONE}. */
  public String render() {
    return switch (kind) {
      case NONE -> "";
      case ANY_STANDBY -> "*";
      case FIRST, ANY -> kind.name() + " " + count + " (" + String.join(", ",
          names.stream().map(SyncStandbyNames::quote).toList()) + ")";
    };
  }

  /**
   * A standby name as PostgreSQL's syncrep grammar reads it: bare when it is a lower-case identifier and not a
   * keyword ({@code ANY}, {@code FIRST}), else double-quoted with inner quotes doubled. A bare name would be
   * case-folded and a keyword or {@code *} would change the meaning, so anything else is quoted.
   */
  static String quote(String name) {
    if (BARE.matcher(name).matches() && !KEYWORDS.contains(name)) {
      return name;
    }
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  @Override
  public String toString() {
    return kind == Kind.NONE ? "''" : render();
  }

  private static List<String> sortedUnique(List<String> names) {
    Set<String> seen = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    List<String> out = new ArrayList<>();
    for (String n : names.stream().sorted(ORDER).toList()) {
      if (n.isEmpty()) {
        throw new IllegalArgumentException("a standby name must not be empty");
      }
      if (seen.add(n)) {
        out.add(n);
      }
    }
    return List.copyOf(out);
  }

  private static void require(boolean ok, String what) {
    if (!ok) {
      throw new IllegalArgumentException(what);
    }
  }
}
