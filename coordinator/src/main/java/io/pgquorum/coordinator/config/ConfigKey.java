package io.pgquorum.coordinator.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One configuration key, declared once (in a {@code *Keys} registry, as Ratis' {@code *ConfigKeys} do): where it
 * lives, what it accepts, its default, the {@code PATRONI_*} variable that overrides it, and why.
 *
 * <p>The section parsers read keys through these declarations ({@link Section}'s key-taking accessors), the
 * dynamic configuration is written back to the DCS under their names, the environment overlay takes its variable
 * names from them, and the README's reference tables are rendered from them ({@code ConfigReadmeTest} fails when
 * the README differs). A default, range or name therefore cannot differ between the parser and the documentation.
 *
 * <p>Paths are relative to the document the key belongs to ({@code postgresql.pg_ctl_timeout} in a node's file,
 * {@code ttl} in the dynamic configuration). A path may hold one placeholder segment, {@code <role>} or
 * {@code <method>}, for keys that repeat under several names (the roles of {@code postgresql.authentication}, the
 * sections of custom methods).
 */
final class ConfigKey {
  /** What a key holds: how it is read and how the README describes it. */
  enum Kind {
    BOOLEAN("boolean", null),
    SECONDS("seconds", "an integer number of seconds"),
    /**
     * Seconds with up to three decimals (Patroni's integer seconds stay valid); {@link #min()} and {@link #max()}
     * are in milliseconds. A duration everywhere past the parser.
     */
    FRACTIONAL_SECONDS("seconds", "a number of seconds (at most 3 decimals)"),
    BYTES("bytes", "an integer number of bytes"),
    INTEGER("whole number", "a whole number"),
    TEXT("text", null),
    /** One of {@link #choices()}. */
    CHOICE(null, null),
    /** Text that is never echoed; must be a quoted YAML string. */
    SECRET("quoted string", null),
    PATH("path", null),
    ADDRESS("host:port", null),
    ADDRESSES("list of host:port", null),
    LIST("list of text", null),
    /** initdb/pg_basebackup options: names, or one-key mappings {@code name: value}. */
    OPTIONS("list of options", null),
    /** A mapping of PostgreSQL settings. */
    SETTINGS("mapping of PostgreSQL settings", null),
    COMMAND("command line", null),
    SECTION("mapping", null);

    private final String accepts;
    private final String what;

    Kind(String accepts, String what) {
      this.accepts = accepts;
      this.what = what;
    }
  }

  /** Whether pgquorum implements a key. */
  enum Support {
    SUPPORTED,
    /** A Patroni key pgquorum does not implement: accepted, reported as a warning, ignored. */
    IGNORED,
    /** A key that would silently weaken what the operator configured: an error. */
    REFUSED
  }

  private final String path;
  private final Kind kind;
  private final Object defaultValue;
  private final String defaultNote;
  private final boolean required;
  private final long min;
  private final long max;
  private final String belowMin;
  private final String what;
  private final String accepts;
  private final List<String> choices;
  private final List<String> aliases;
  private final String env;
  private final String legacyEnv;
  private final Support support;
  private final String why;

  private ConfigKey(Builder b) {
    this.path = b.path;
    this.kind = b.kind;
    this.defaultValue = b.defaultValue;
    this.defaultNote = b.defaultNote;
    this.required = b.required;
    this.min = b.min;
    this.max = b.max;
    this.belowMin = b.belowMin;
    this.what = b.what != null ? b.what : b.kind.what;
    this.accepts = b.accepts;
    this.choices = List.copyOf(b.choices);
    this.aliases = List.copyOf(b.aliases);
    this.env = b.env;
    this.legacyEnv = b.legacyEnv;
    this.support = b.support;
    this.why = b.why == null ? "" : b.why;
  }

  /** The dotted path within its document, e.g. {@code postgresql.pg_ctl_timeout}. */
  String path() {
    return path;
  }

  /** The last segment of the path: the key as written in its section. */
  String name() {
    return path.substring(path.lastIndexOf('.') + 1);
  }

  Kind kind() {
    return kind;
  }

  Support support() {
    return support;
  }

  /** The value used when the key is absent, if it is a plain value (see {@link #defaultText()} otherwise). */
  Optional<Object> defaultValue() {
    return Optional.ofNullable(defaultValue);
  }

  boolean defaultBool() {
    return (Boolean) defaultValue;
  }

  int defaultInt() {
    return Math.toIntExact(((Number) defaultValue).longValue());
  }

  /** The default of a {@link Kind#FRACTIONAL_SECONDS} key (declared in seconds, to the millisecond). */
  java.time.Duration defaultDuration() {
    return java.time.Duration.ofMillis(Math.round(((Number) defaultValue).doubleValue() * 1000));
  }

  long defaultLong() {
    return ((Number) defaultValue).longValue();
  }

  String defaultString() {
    return (String) defaultValue;
  }

  /** The default as the documentation states it: the value, "required", a description, or "not set". */
  String defaultText() {
    if (required) {
      return "required";
    }
    if (defaultNote != null) {
      return defaultNote;
    }
    if (defaultValue != null) {
      return "`" + defaultValue + "`";
    }
    return "not set";
  }

  long min() {
    return min;
  }

  long max() {
    return max;
  }

  /** Why values below {@link #min()} are refused, when that needs saying in the error. */
  Optional<String> belowMinReason() {
    return Optional.ofNullable(belowMin);
  }

  /** Completes "must be ..." in an error about a value of the wrong type, e.g. "an integer number of seconds". */
  String what() {
    return what;
  }

  /** The allowed spellings of a {@link Kind#CHOICE} key, canonical first-class names only. */
  List<String> choices() {
    return choices;
  }

  /** Older names read when the key itself is absent (Patroni renamed some keys). */
  List<String> aliases() {
    return aliases;
  }

  /** The {@code PATRONI_*} variable that overrides the key (with {@code <ROLE>} for role templates). */
  Optional<String> env() {
    return Optional.ofNullable(env);
  }

  /** A pre-2.0 Patroni variable name, honoured when {@link #env()} is not set. */
  Optional<String> legacyEnv() {
    return Optional.ofNullable(legacyEnv);
  }

  /** One line: why the key exists and why its default is what it is; for ignored keys, what ignoring means. */
  String why() {
    return why;
  }

  /** What the key accepts, as the documentation says it. */
  String accepts() {
    if (accepts != null) {
      return accepts;
    }
    if (kind == Kind.CHOICE) {
      List<String> quoted = new ArrayList<>();
      choices.forEach(c -> quoted.add("`" + c + "`"));
      return String.join(", ", quoted);
    }
    if (kind == Kind.FRACTIONAL_SECONDS) {
      return "seconds, to the millisecond, " + TimeUnits.seconds(java.time.Duration.ofMillis(min)) + " to "
          + TimeUnits.seconds(java.time.Duration.ofMillis(max));
    }
    if (kind == Kind.SECONDS || kind == Kind.BYTES || kind == Kind.INTEGER) {
      String lower = min == Long.MIN_VALUE ? null : Long.toString(min);
      boolean unbounded = max == Long.MAX_VALUE || max == Integer.MAX_VALUE;
      return kind.accepts + (unbounded ? ", at least " + lower : ", " + lower + " to " + max);
    }
    return kind.accepts;
  }

  /** This key with a placeholder segment ({@code <role>}, {@code <method>}) replaced. */
  String pathFor(String placeholder, String value) {
    return path.replace(placeholder, value);
  }

  @Override
  public String toString() {
    return path;
  }

  /** Declares a key; {@link KeyTable} creates builders and registers what they build. */
  static final class Builder {
    private final KeyTable table;
    private final String path;
    private final Kind kind;
    private Object defaultValue;
    private String defaultNote;
    private boolean required;
    private long min = Long.MIN_VALUE;
    private long max = Long.MAX_VALUE;
    private String belowMin;
    private String what;
    private String accepts;
    private final List<String> choices = new ArrayList<>();
    private final List<String> aliases = new ArrayList<>();
    private String env;
    private String legacyEnv;
    private Support support = Support.SUPPORTED;
    private String why;

    Builder(KeyTable table, String path, Kind kind) {
      this.table = table;
      this.path = path;
      this.kind = kind;
    }

    Builder dflt(Object value) {
      this.defaultValue = value;
      return this;
    }

    /** A default that is not a plain value (derived from another key, or "none"), as the documentation says it. */
    Builder defaultIs(String note) {
      this.defaultNote = note;
      return this;
    }

    Builder required() {
      this.required = true;
      return this;
    }

    Builder range(long min, long max) {
      this.min = min;
      this.max = max;
      return this;
    }

    /** Values below {@code min} are refused with this reason in the message. */
    Builder atLeast(long min, String reason) {
      this.min = min;
      this.belowMin = reason;
      return this;
    }

    Builder what(String what) {
      this.what = what;
      return this;
    }

    Builder accepts(String accepts) {
      this.accepts = accepts;
      return this;
    }

    Builder choices(String... choices) {
      this.choices.addAll(List.of(choices));
      return this;
    }

    Builder alias(String olderName) {
      this.aliases.add(olderName);
      return this;
    }

    /** Overridden by {@code PATRONI_<PATH>} (dots become underscores), Patroni's rule for most keys. */
    Builder env() {
      return env("PATRONI_" + path.toUpperCase(Locale.ROOT).replace('.', '_'));
    }

    Builder env(String variable) {
      this.env = variable;
      return this;
    }

    Builder legacyEnv(String variable) {
      this.legacyEnv = variable;
      return this;
    }

    Builder support(Support support) {
      this.support = support;
      return this;
    }

    /** Finishes the declaration with its reason and registers it in its table. */
    ConfigKey why(String why) {
      this.why = why;
      return table.register(new ConfigKey(this));
    }

    /** Finishes a declaration that needs no reason (an ignored Patroni key whose absence changes nothing). */
    ConfigKey add() {
      return why(null);
    }
  }
}
