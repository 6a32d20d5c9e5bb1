package io.pgquorum.jepsen.fault;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Schedules as JSON: the regression-file format, written by people and by the shrinker, replayed exactly.
 *
 * <pre>{@code
 * {
 *   "name" : "seed-42",
 *   "seed" : 42,
 *   "nodes" : 3,
 *   "quietMillis" : 5000,
 *   "steps" : [ {
 *     "atMillis" : 1000,
 *     "durationMillis" : 4000,
 *     "fault" : { "kind" : "partition", "shape" : "isolate", "target" : "primary" }
 *   } ]
 * }
 * }</pre>
 *
 * <p>Fault fields per kind are each kind's {@link FaultKind#fields()} (the registry is {@link FaultKinds#ALL}):
 * {@code partition} (shape, target), {@code kill} and {@code pause} (target, component), {@code clock-skew}
 * (target, rate), {@code packet-loss} (probability), {@code delay} (millis), {@code dcs-config} (key, value).
 * Shapes and components are written in lower case with hyphens ({@code majorities-ring}, {@code dcs-member}).
 *
 * <p>Reading is strict, because a silently ignored field would replay a different experiment than the one that
 * failed: unknown or missing fields, unknown kinds, shapes and components, out-of-range values and targets that do
 * not exist in a cluster of {@code nodes} are rejected with an {@link IllegalArgumentException} naming the file
 * (or other source) and the field path, e.g. {@code "x.json: steps[1].fault.target: ..."}.
 */
public final class ScheduleJson {
  // Duplicate keys and trailing garbage are errors too: either would silently replay another schedule.
  private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
      .enable(SerializationFeature.INDENT_OUTPUT)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private ScheduleJson() {
  }

  /** Every fault kind the format knows ({@link Fault#kind()} values; {@link FaultKinds#ALL}). */
  public static Set<String> kinds() {
    return Set.copyOf(FaultKinds.names());
  }

  /**
   * The kinds the seeded generator draws: those with a generator weight (all but {@code dcs-config}, which is for
   * hand-written schedules; its {@link FaultKind} says why).
   */
  public static Set<String> generatedKinds() {
    return Set.copyOf(FaultKinds.generatedNames());
  }

  /** The schedule as pretty-printed JSON. */
  public static String write(Schedule s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", s.name());
    m.put("seed", s.seed());
    m.put("nodes", s.nodes());
    m.put("quietMillis", s.quietMillis());
    List<Object> steps = new ArrayList<>();
    for (Step step : s.steps()) {
      Map<String, Object> sm = new LinkedHashMap<>();
      sm.put("atMillis", step.atMillis());
      sm.put("durationMillis", step.durationMillis());
      sm.put("fault", faultMap(step.fault()));
      steps.add(sm);
    }
    m.put("steps", steps);
    try {
      return JSON.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode schedule " + s.name(), e);
    }
  }

  /**
   * Parses a schedule.
   *
   * @param where names the source in errors (a file name, "stdin" ...)
   */
  public static Schedule read(String json, String where) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(where + ": not valid JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(where + ": a schedule must be a JSON object");
    }
    Reader r = new Reader(where);
    r.onlyFields(root, "", Set.of("name", "seed", "nodes", "quietMillis", "steps"));
    String name = r.text(root, "", "name");
    long seed = r.integer(root, "", "seed", Long.MIN_VALUE, Long.MAX_VALUE);
    int nodes = (int) r.integer(root, "", "nodes", 1, 1000);
    long quiet = r.integer(root, "", "quietMillis", 0, Long.MAX_VALUE);
    JsonNode stepsNode = r.field(root, "", "steps");
    if (!stepsNode.isArray()) {
      throw r.error("steps", "must be an array");
    }
    List<Step> steps = new ArrayList<>();
    for (int i = 0; i < stepsNode.size(); i++) {
      steps.add(r.step(stepsNode.get(i), "steps[" + i + "]", nodes));
    }
    return new Schedule(name, seed, nodes, steps, quiet);
  }

  /** Writes the schedule to {@code file} (parent directories are created). */
  public static void save(Schedule s, Path file) {
    try {
      if (file.toAbsolutePath().getParent() != null) {
        Files.createDirectories(file.toAbsolutePath().getParent());
      }
      Files.writeString(file, write(s) + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write schedule to " + file, e);
    }
  }

  /** Reads a schedule file; errors name the file. */
  public static Schedule load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read schedule " + file, e);
    }
    return read(text, file.toString());
  }

  /** An enum constant as written in schedules: lower case, hyphens ({@code MAJORITIES_RING -> majorities-ring}). */
  public static String token(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static Map<String, Object> faultMap(Fault f) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", f.kind());
    FaultKinds.write(f, m);
    return m;
  }

  /** Field-by-field strict reading; every error carries the source and the field path. */
  record Reader(String where) {

    IllegalArgumentException error(String path, String problem) {
      return new IllegalArgumentException(where + ": " + path + ": " + problem);
    }

    static String path(String prefix, String field) {
      return prefix.isEmpty() ? field : prefix + "." + field;
    }

    void onlyFields(JsonNode obj, String prefix, Set<String> allowed) {
      Iterator<String> names = obj.fieldNames();
      while (names.hasNext()) {
        String n = names.next();
        if (!allowed.contains(n)) {
          throw error(path(prefix, n), "unknown field (allowed: "
              + allowed.stream().sorted().collect(Collectors.joining(", ")) + ")");
        }
      }
    }

    JsonNode field(JsonNode obj, String prefix, String name) {
      JsonNode v = obj.get(name);
      if (v == null || v.isNull()) {
        throw error(path(prefix, name), "missing");
      }
      return v;
    }

    String text(JsonNode obj, String prefix, String name) {
      JsonNode v = field(obj, prefix, name);
      if (!v.isTextual()) {
        throw error(path(prefix, name), "must be a string, got " + v);
      }
      return v.asText();
    }

    long integer(JsonNode obj, String prefix, String name, long min, long max) {
      JsonNode v = field(obj, prefix, name);
      if (!v.isIntegralNumber() || !v.canConvertToLong()) {
        throw error(path(prefix, name), "must be a whole number, got " + v);
      }
      long x = v.asLong();
      if (x < min || x > max) {
        throw error(path(prefix, name), "must be between " + min + " and " + max + ", got " + x);
      }
      return x;
    }

    double number(JsonNode obj, String prefix, String name) {
      JsonNode v = field(obj, prefix, name);
      if (!v.isNumber()) {
        throw error(path(prefix, name), "must be a number, got " + v);
      }
      return v.asDouble();
    }

    <E extends Enum<E>> E constant(JsonNode obj, String prefix, String name, Class<E> type) {
      String t = text(obj, prefix, name);
      for (E e : type.getEnumConstants()) {
        if (token(e).equals(t)) {
          return e;
        }
      }
      throw error(path(prefix, name), "unknown value \"" + t + "\" (allowed: "
          + Arrays.stream(type.getEnumConstants()).map(ScheduleJson::token).collect(Collectors.joining(", "))
          + ")");
    }

    Target target(JsonNode obj, String prefix, int nodes) {
      String p = path(prefix, "target");
      Target t;
      try {
        t = new Target(text(obj, prefix, "target"));
      } catch (IllegalArgumentException e) {
        throw error(p, e.getMessage());
      }
      String spec = t.spec();
      if (!spec.equals("primary")) {
        int n;
        try {
          n = Integer.parseInt(spec.substring(spec.indexOf(':') + 1));
        } catch (NumberFormatException e) {
          throw error(p, "index out of range in \"" + spec + "\"");
        }
        int limit = spec.startsWith("node:") ? nodes : nodes - 1;
        if (n >= limit) {
          throw error(p, "\"" + spec + "\" does not exist in a " + nodes + "-node cluster ("
              + (spec.startsWith("node:") ? "node:0 .. node:" + (nodes - 1)
                  : limit == 0 ? "no replicas" : "replica:0 .. replica:" + (limit - 1)) + ")");
        }
      }
      return t;
    }

    Step step(JsonNode node, String prefix, int nodes) {
      if (node == null || !node.isObject()) {
        throw error(prefix, "a step must be a JSON object");
      }
      onlyFields(node, prefix, Set.of("atMillis", "durationMillis", "fault"));
      long at = integer(node, prefix, "atMillis", 0, Long.MAX_VALUE / 4);
      long duration = integer(node, prefix, "durationMillis", 0, Long.MAX_VALUE / 4);
      return new Step(at, duration, fault(field(node, prefix, "fault"), path(prefix, "fault"), nodes));
    }

    Fault fault(JsonNode node, String prefix, int nodes) {
      if (!node.isObject()) {
        throw error(prefix, "a fault must be a JSON object");
      }
      String kind = text(node, prefix, "kind");
      FaultKind<?> k = FaultKinds.named(kind);
      if (k == null) {
        throw error(path(prefix, "kind"), "unknown fault kind \"" + kind + "\" (allowed: "
            + FaultKinds.names().stream().sorted().collect(Collectors.joining(", ")) + ")");
      }
      Set<String> fields = new HashSet<>(k.fields());
      fields.add("kind");
      onlyFields(node, prefix, fields);
      return k.read(new FaultFields(this, node, prefix, nodes));
    }
  }
}
