package io.pgquorum.coordinator.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.ha.FailsafePromises;
import io.pgquorum.coordinator.ha.NodeStatus;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code POST /failsafe} and {@code GET /failsafe} (Patroni's). The POST is a primary on failsafe asking this node
 * to promise not to race for the lock ({@code io.pgquorum.coordinator.ha.FailsafeRules}); it is answered from memory
 * (no DCS, no PostgreSQL), so the REST handler runs it on the I/O thread rather than queue it behind a switchover on
 * the admin thread: a late answer would fail the primary's round and demote it for nothing.
 */
final class FailsafeEndpoint {
  private final AtomicReference<FailsafePromises> promises = new AtomicReference<>();

  /** The node's promises, once its HA loop exists (before that, POST answers 503). */
  void use(FailsafePromises p) {
    promises.set(p);
  }

  /**
   * The promise: 200 {@code Accepted}, 500 {@code Running as a leader} when this node holds the lock or races for
   * it, 502 when failsafe mode is off (Patroni's codes). The body is Patroni's ({@code name}, {@code conn_url},
   * {@code api_url}, {@code slots}) plus pgquorum's {@code ttl} in seconds: the promise lasts the longer of that and
   * this node's own ttl.
   */
  HttpReply post(byte[] body, NodeStatus s) {
    Optional<DynamicConfig> config = Optional.ofNullable(s).flatMap(NodeStatus::cluster)
        .flatMap(ClusterSnapshot::config).map(v -> v.value());
    if (config.isEmpty() || !config.get().failsafeMode()) {
      return HttpReply.text(502, "failsafe_mode is not enabled");
    }
    ObjectNode request;
    try {
      request = AdminRequests.object(body, true);
    } catch (BadRequest e) {
      return HttpReply.text(400, e.getMessage());
    }
    JsonNode name = request.get("name");
    if (name == null || !name.isTextual() || name.asText().isBlank()) {
      return HttpReply.text(400, "name: required, the primary's member name");
    }
    Duration ttl = config.get().ttl();
    JsonNode asked = request.get("ttl");
    if (asked != null) {
      if (!asked.isNumber() || asked.asDouble() <= 0 || asked.asDouble() > 86_400) {
        return HttpReply.text(400, "ttl: must be a number of seconds between 0 and 86400");
      }
      Duration theirs = Duration.ofMillis((long) Math.ceil(asked.asDouble() * 1000));
      ttl = theirs.compareTo(ttl) > 0 ? theirs : ttl;
    }
    java.util.Map<String, Long> slots = new java.util.TreeMap<>();
    JsonNode sent = request.get("slots");
    if (sent != null && !sent.isNull()) {
      if (!sent.isObject()) {
        return HttpReply.text(400, "slots: must be an object of slot names to WAL positions in bytes");
      }
      for (var e : (Iterable<java.util.Map.Entry<String, JsonNode>>) sent::fields) {
        if (!e.getValue().canConvertToLong() || !e.getValue().isIntegralNumber() || e.getValue().asLong() < 0) {
          return HttpReply.text(400, "slots: the position of " + e.getKey() + " must be a non-negative integer");
        }
        slots.put(e.getKey(), e.getValue().asLong());
      }
    }
    FailsafePromises p = promises.get();
    if (p == null) {
      return HttpReply.text(503, "the HA loop has not started yet");
    }
    return p.promise(name.asText(), ttl, slots) == FailsafePromises.Answer.ACCEPTED ? HttpReply.text(200, "Accepted")
        : HttpReply.text(500, "Running as a leader");
  }

  /** The {@code failsafe} key as last read (502 when there is none, as Patroni answers without failsafe mode). */
  static HttpReply get(NodeStatus s) {
    return Optional.ofNullable(s).flatMap(NodeStatus::cluster).flatMap(ClusterSnapshot::failsafe)
        .map(m -> HttpReply.json(200, m))
        .orElseGet(() -> HttpReply.text(502, "failsafe_mode is not enabled, or the failsafe key has not been "
            + "written yet"));
  }
}
