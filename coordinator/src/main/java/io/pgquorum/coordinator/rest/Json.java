package io.pgquorum.coordinator.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The JSON mapper and timestamp format shared by the REST endpoints and the peer client. */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper();

  /** Patroni prints PostgreSQL timestamps like {@code 2024-05-06 07:08:09.123456+00:00}; tools parse that. */
  private static final DateTimeFormatter PG_TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSxxx").withZone(ZoneOffset.UTC);

  private Json() {}

  static byte[] bytes(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      // Only maps, lists, strings, numbers and booleans are written: failing here is a programming error.
      throw new IllegalStateException("cannot serialise response: " + e.getOriginalMessage(), e);
    }
  }

  static String pgTimestamp(Instant t) {
    return PG_TIMESTAMP.format(t);
  }
}
