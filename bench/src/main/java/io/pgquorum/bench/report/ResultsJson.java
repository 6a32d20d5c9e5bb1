package io.pgquorum.bench.report;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;

/** Reads a results.json written by {@link Results#writeTo} back (for rendering the README from a past run). */
public final class ResultsJson {
  private ResultsJson() {}

  /**
   * Reads {@code file}.
   *
   * @throws IOException if the file cannot be read or is not a results file (the message names the file and
   *     the missing or malformed field)
   */
  public static Results read(Path file) throws IOException {
    ObjectMapper mapper = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    JsonNode root = mapper.readTree(file.toFile());
    if (root == null || !root.has("machine") || !root.has("results")) {
      throw new IOException(file + " is not a bench results file (no 'machine' or 'results' field)");
    }
    try {
      Results results = new Results(mapper.treeToValue(root.get("machine"), Machine.class),
          root.path("quick").asBoolean(false));
      int i = 0;
      for (JsonNode r : root.get("results")) {
        Result result;
        try {
          result = mapper.treeToValue(r, Result.class);
        } catch (RuntimeException e) { // a missing field reaches the record's constructor as null
          throw new IOException(file + ": result #" + i + " is malformed (missing field?): " + e);
        }
        if (result.suite() == null || result.metric() == null || result.system() == null
            || result.summary() == null) {
          throw new IOException(file + ": result #" + i + " lacks suite, metric, system or summary");
        }
        results.add(result);
        i++;
      }
      root.path("skipped").fields().forEachRemaining(e -> results.skipped(e.getKey(), e.getValue().asText()));
      return results;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IOException(file + ": malformed result: " + e.getOriginalMessage(), e);
    }
  }
}
