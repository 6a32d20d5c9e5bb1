package io.pgquorum.jepsen.history;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Histories as JSON Lines, one event per line:
 * {@code {"index":0,"time":1234,"process":"c1","type":"invoke","f":"write","key":"k1","value":3}}. Absent fields
 * are omitted. Reading is strict: a malformed line is reported with its line number.
 */
public final class HistoryJson {
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.USE_LONG_FOR_INTS);

  private HistoryJson() {
  }

  /** One event as a JSON line (no newline). */
  public static String toLine(Op op) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("index", op.index());
    m.put("time", op.timeNanos());
    m.put("process", op.process());
    m.put("type", op.type().name().toLowerCase(Locale.ROOT));
    m.put("f", op.f());
    putIfPresent(m, "key", op.key());
    putIfPresent(m, "value", op.value());
    putIfPresent(m, "node", op.node());
    putIfPresent(m, "error", op.error());
    try {
      return JSON.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode op " + op.index(), e);
    }
  }

  /** Parses one line; {@code where} names it in errors (for example {@code "history.jsonl:12"}). */
  public static Op fromLine(String line, String where) {
    try {
      @SuppressWarnings("unchecked")
      Map<String, Object> m = JSON.readValue(line, Map.class);
      return new Op(
          number(m, "index", where), number(m, "time", where), text(m, "process", where, true),
          type(text(m, "type", where, true), where), text(m, "f", where, true), text(m, "key", where, false),
          m.get("value"), text(m, "node", where, false), text(m, "error", where, false));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(where + ": not a JSON object: " + e.getOriginalMessage());
    }
  }

  public static void write(History h, Path file) {
    List<String> lines = new ArrayList<>();
    h.ops().forEach(op -> lines.add(toLine(op)));
    try {
      Files.write(file, lines, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  public static History read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    List<Op> ops = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (!lines.get(i).isBlank()) {
        ops.add(fromLine(lines.get(i), file.getFileName() + ":" + (i + 1)));
      }
    }
    return new History(ops);
  }

  private static void putIfPresent(Map<String, Object> m, String k, Object v) {
    if (v != null) {
      m.put(k, v);
    }
  }

  private static long number(Map<String, Object> m, String k, String where) {
    Object v = m.get(k);
    if (v instanceof Number n) {
      return n.longValue();
    }
    throw new IllegalArgumentException(where + ": field \"" + k + "\" must be a number, got " + v);
  }

  private static String text(Map<String, Object> m, String k, String where, boolean required) {
    Object v = m.get(k);
    if (v == null && !required) {
      return null;
    }
    if (v instanceof String s) {
      return s;
    }
    throw new IllegalArgumentException(where + ": field \"" + k + "\" must be a string, got " + v);
  }

  private static OpType type(String t, String where) {
    try {
      return OpType.valueOf(t.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": field \"type\" must be invoke, ok, fail or info, got " + t);
    }
  }
}
