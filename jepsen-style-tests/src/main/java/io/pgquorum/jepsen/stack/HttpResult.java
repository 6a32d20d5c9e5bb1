package io.pgquorum.jepsen.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/** A REST answer of a daemon: status (0 = no answer) and body. */
public record HttpResult(int status, String body) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** No answer (unreachable, timed out, refused). */
  static HttpResult none() {
    return new HttpResult(0, "");
  }

  /** The body as JSON, or a missing node when it is not JSON. */
  public JsonNode json() {
    try {
      return body.isEmpty() ? JSON.missingNode() : JSON.readTree(body);
    } catch (IOException e) {
      return JSON.missingNode();
    }
  }
}
