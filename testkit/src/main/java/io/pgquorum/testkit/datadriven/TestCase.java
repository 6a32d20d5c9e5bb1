package io.pgquorum.testkit.datadriven;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One directive of a transcript: {@code command arg key=value key=(a,b)}, optional input lines, then the expected
 * output after {@code ----}.
 *
 * @param file the transcript's name, for messages
 * @param line the directive's line number (1-based)
 * @param command the first word
 * @param args the remaining words, in order: {@code key=value} pairs and bare words (value empty)
 * @param input the lines between the directive and {@code ----}, joined by newlines
 * @param expected the expected output as written in the file
 */
public record TestCase(String file, int line, String command, List<Arg> args, String input, String expected) {
  /** {@code key} alone (values empty), {@code key=value}, or {@code key=(v1,v2)}. */
  public record Arg(String key, List<String> values) {
    public String value() {
      return values.isEmpty() ? "" : values.get(0);
    }

    @Override
    public String toString() {
      if (values.isEmpty()) {
        return key;
      }
      return values.size() == 1 ? key + "=" + values.get(0) : key + "=(" + String.join(",", values) + ")";
    }
  }

  public TestCase {
    args = List.copyOf(args);
  }

  public boolean has(String key) {
    return args.stream().anyMatch(a -> a.key().equals(key));
  }

  public Optional<String> opt(String key) {
    return args.stream().filter(a -> a.key().equals(key)).findFirst().map(Arg::value);
  }

  /** The value of {@code key}; fails naming the directive when it is missing. */
  public String get(String key) {
    return opt(key).orElseThrow(() -> fail("missing argument '" + key + "'"));
  }

  public String get(String key, String otherwise) {
    return opt(key).orElse(otherwise);
  }

  public List<String> values(String key) {
    return args.stream().filter(a -> a.key().equals(key)).findFirst().map(Arg::values).orElse(List.of());
  }

  public long getLong(String key, long otherwise) {
    String v = get(key, Long.toString(otherwise));
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw fail("argument '" + key + "' must be an integer, got '" + v + "'");
    }
  }

  /** The bare words (arguments without '='), in order. */
  public List<String> words() {
    List<String> out = new ArrayList<>();
    for (Arg a : args) {
      if (a.values().isEmpty()) {
        out.add(a.key());
      }
    }
    return out;
  }

  /** Keys as a map (last wins), for handlers that take many optional settings. */
  public Map<String, String> asMap() {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    args.forEach(a -> m.put(a.key(), a.value()));
    return m;
  }

  /** An error for a badly written directive, naming file and line. */
  public IllegalArgumentException fail(String why) {
    return new IllegalArgumentException(file + ":" + line + ": " + command + ": " + why);
  }

  /** The directive line as written (normalised spacing). */
  public String directive() {
    StringBuilder b = new StringBuilder(command);
    args.forEach(a -> b.append(' ').append(a));
    return b.toString();
  }
}
