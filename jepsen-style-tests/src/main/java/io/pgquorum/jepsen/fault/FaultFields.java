package io.pgquorum.jepsen.fault;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The fields of one fault object in a schedule, for {@link FaultKind#read}: strict typed getters whose errors name
 * the source and the field path ({@code "x.json: steps[1].fault.target: ..."}).
 */
public final class FaultFields {
  private final ScheduleJson.Reader reader;
  private final JsonNode node;
  private final String prefix;
  private final int nodes;

  FaultFields(ScheduleJson.Reader reader, JsonNode node, String prefix, int nodes) {
    this.reader = reader;
    this.node = node;
    this.prefix = prefix;
    this.nodes = nodes;
  }

  /** The {@code target} field, which must exist in the schedule's cluster. */
  public Target target() {
    return reader.target(node, prefix, nodes);
  }

  /** An enum constant written in lower case with hyphens. */
  public <E extends Enum<E>> E constant(String name, Class<E> type) {
    return reader.constant(node, prefix, name, type);
  }

  public String text(String name) {
    return reader.text(node, prefix, name);
  }

  public double number(String name) {
    return reader.number(node, prefix, name);
  }

  public long integer(String name, long min, long max) {
    return reader.integer(node, prefix, name, min, max);
  }

  /** An error naming the source and {@code field}'s path. */
  public IllegalArgumentException error(String field, String problem) {
    return reader.error(ScheduleJson.Reader.path(prefix, field), problem);
  }
}
