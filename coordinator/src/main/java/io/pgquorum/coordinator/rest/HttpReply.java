package io.pgquorum.coordinator.rest;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** A response before it becomes Netty objects: status, content type, body and extra headers. */
record HttpReply(int status, String contentType, byte[] body, Map<String, String> headers) {
  static final String JSON = "application/json";
  static final String TEXT = "text/plain; charset=utf-8";

  static HttpReply json(int status, Object value) {
    return new HttpReply(status, JSON, Json.bytes(value), Map.of());
  }

  static HttpReply text(int status, String message) {
    return new HttpReply(status, TEXT, message.getBytes(StandardCharsets.UTF_8), Map.of());
  }

  HttpReply withHeader(String name, String value) {
    Map<String, String> h = new java.util.LinkedHashMap<>(headers);
    h.put(name, value);
    return new HttpReply(status, contentType, body, h);
  }
}
