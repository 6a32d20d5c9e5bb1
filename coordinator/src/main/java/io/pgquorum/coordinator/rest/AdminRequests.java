package io.pgquorum.coordinator.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgquorum.coordinator.ha.NodeStatus;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The HTTP side of the admin endpoints: parse and validate a request body, then hand the call to
 * {@link AdminActions}. Unknown fields are refused rather than ignored, so a typo such as {@code canidate} cannot
 * silently turn a targeted switchover into "any member".
 */
final class AdminRequests {
  private final AdminActions admin;
  private final Supplier<NodeStatus> status;

  AdminRequests(AdminActions admin, Supplier<NodeStatus> status) {
    this.admin = admin;
    this.status = status;
  }

  /** Whether {@code method path} is an admin endpoint this server implements. */
  static boolean handles(String method, String path) {
    switch (method + " " + path) {
      case "POST /switchover":
      case "POST /failover":
      case "PATCH /config":
      case "POST /restart":
      case "POST /reload":
      case "POST /reinitialize":
      case "DELETE /switchover":
      case "PUT /config":
      case "DELETE /restart":
        return true;
      default:
        return false;
    }
  }

  /** Runs the request; blocking is allowed (the caller runs this off the event loop). */
  HttpReply handle(String method, String path, byte[] body) {
    try {
      AdminActions.Result r = dispatch(method + " " + path, body);
      if (path.equals("/config") && r.status() == 200) {
        // Patroni answers a config change with the new configuration, as JSON; secrets as GET /config shows them.
        Optional<Object> config = jsonOf(r.body());
        if (config.isPresent()) {
          return HttpReply.json(200, ClusterJson.redacted(config.get()));
        }
      }
      return HttpReply.text(r.status(), r.body());
    } catch (BadRequest e) {
      return HttpReply.text(400, e.getMessage());
    }
  }

  private static Optional<Object> jsonOf(String text) {
    try {
      return Optional.ofNullable(Json.MAPPER.readValue(text, Object.class));
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
  }

  private AdminActions.Result dispatch(String route, byte[] body) throws BadRequest {
    switch (route) {
      case "POST /switchover":
        return switchover(object(body, false));
      case "POST /failover":
        return failover(object(body, false));
      case "PATCH /config":
        return patchConfig(object(body, true));
      case "POST /restart":
        return restart(object(body, false));
      case "POST /reload":
        // Patroni ignores any body here; so do we.
        return admin.reload();
      case "POST /reinitialize":
        return reinitialize(object(body, false));
      case "DELETE /switchover":
        return admin.cancelSwitchover();
      case "PUT /config":
        return admin.putConfig(Json.MAPPER.convertValue(object(body, true),
            new TypeReference<Map<String, Object>>() {}));
      case "DELETE /restart":
        return admin.cancelRestart();
      default:
        throw new IllegalArgumentException("not an admin route: " + route);
    }
  }

  private AdminActions.Result switchover(ObjectNode o) throws BadRequest {
    onlyFields(o, Set.of("leader", "primary", "candidate", "scheduled_at"));
    Optional<String> leader = string(o, "leader");
    if (leader.isEmpty()) {
      // Patroni 4 also accepts "primary" for the same thing.
      leader = string(o, "primary");
    }
    if (leader.isEmpty()) {
      throw new BadRequest("leader", "required: a switchover must name the current leader");
    }
    Optional<String> candidate = string(o, "candidate");
    Optional<String> at = string(o, "scheduled_at");
    if (at.isPresent()) {
      at = Optional.of(isoTimestamp("scheduled_at", at.get()));
    }
    return admin.switchover(leader.get(), candidate, at);
  }

  private AdminActions.Result failover(ObjectNode o) throws BadRequest {
    onlyFields(o, Set.of("candidate"));
    Optional<String> candidate = string(o, "candidate");
    if (candidate.isEmpty()) {
      throw new BadRequest("candidate", "Failover could be performed only to a specific candidate");
    }
    return admin.failover(candidate);
  }

  private AdminActions.Result patchConfig(ObjectNode o) {
    Map<String, Object> patch = Json.MAPPER.convertValue(o, new TypeReference<Map<String, Object>>() {});
    return admin.patchConfig(patch);
  }

  /**
   * Patroni's restart conditions are checked here against the published status: {@code role} (only restart a
   * node in that role), {@code postgres_version} (only when running an older server), {@code restart_pending}
   * (only when a parameter change waits). Unmet conditions answer 503 as Patroni does.
   */
  private AdminActions.Result restart(ObjectNode o) throws BadRequest {
    onlyFields(o, Set.of("schedule", "role", "postgres_version", "timeout", "restart_pending"));
    if (string(o, "schedule").isPresent()) {
      throw new BadRequest("schedule", "scheduled restarts are not supported; omit it to restart now");
    }
    if (o.hasNonNull("timeout")) {
      throw new BadRequest("timeout", "a per-request restart timeout is not supported; omit it");
    }
    Optional<String> role = string(o, "role");
    if (role.isPresent() && !Set.of("primary", "master", "replica", "any").contains(role.get())) {
      throw new BadRequest("role", "expected primary, replica or any");
    }
    Optional<Integer> version = string(o, "postgres_version").isPresent()
        ? Optional.of(serverVersionNum(string(o, "postgres_version").get())) : Optional.empty();
    boolean onlyIfPending = bool(o, "restart_pending").orElse(false);

    NodeStatus s = status.get();
    if (s != null) {
      boolean roleOk = role.isEmpty() || role.get().equals("any")
          || (role.get().equals("replica") ? "replica".equals(s.role()) : "primary".equals(s.role()));
      boolean versionOk = version.isEmpty() || (s.pg().serverVersion() > 0 && s.pg().serverVersion() < version.get());
      boolean pendingOk = !onlyIfPending || s.pg().pendingRestart();
      if (!roleOk || !versionOk || !pendingOk) {
        return new AdminActions.Result(503, "restart conditions are not satisfied");
      }
    }
    return admin.restart();
  }

  private AdminActions.Result reinitialize(ObjectNode o) throws BadRequest {
    onlyFields(o, Set.of("force", "from_leader"));
    if (bool(o, "from_leader").orElse(false)) {
      throw new BadRequest("from_leader", "not supported: replicas are cloned by the configured methods");
    }
    return admin.reinitialize(bool(o, "force").orElse(false));
  }

  /** The body as a JSON object; an empty body is {@code {}} unless {@code required}. */
  static ObjectNode object(byte[] body, boolean required) throws BadRequest {
    String text = new String(body, StandardCharsets.UTF_8);
    if (text.isBlank()) {
      if (required) {
        throw new BadRequest("request body", "required: a JSON object");
      }
      return Json.MAPPER.createObjectNode();
    }
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      // Only the position: Jackson's message would quote the body back, and a body may hold a secret.
      String where = e.getLocation() == null ? ""
          : " at line " + e.getLocation().getLineNr() + " column " + e.getLocation().getColumnNr();
      throw new BadRequest("request body", "not valid JSON" + where);
    }
    if (!(node instanceof ObjectNode o)) {
      throw new BadRequest("request body", "expected a JSON object");
    }
    return o;
  }

  private static void onlyFields(ObjectNode o, Set<String> allowed) throws BadRequest {
    for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!allowed.contains(f)) {
        throw new BadRequest(f, "unknown field (expected one of " + new java.util.TreeSet<>(allowed) + ")");
      }
    }
  }

  /** A string field; absent, null and "" all mean "not given" (patronictl sends "" for no candidate). */
  private static Optional<String> string(ObjectNode o, String field) throws BadRequest {
    JsonNode v = o.get(field);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (!v.isTextual()) {
      throw new BadRequest(field, "expected a string");
    }
    return v.asText().isBlank() ? Optional.empty() : Optional.of(v.asText().trim());
  }

  private static Optional<Boolean> bool(ObjectNode o, String field) throws BadRequest {
    JsonNode v = o.get(field);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (!v.isBoolean()) {
      throw new BadRequest(field, "expected true or false");
    }
    return Optional.of(v.booleanValue());
  }

  /** An ISO-8601 time with an offset, normalised; a time without a zone is ambiguous across nodes. */
  static String isoTimestamp(String field, String text) throws BadRequest {
    try {
      return OffsetDateTime.parse(text.replace(' ', 'T')).toString();
    } catch (DateTimeParseException e) {
      throw new BadRequest(field, "expected an ISO-8601 time with a zone, e.g. 2030-01-02T03:04:05+00:00");
    }
  }

  /** {@code 15.4} → 150004, {@code 15} → 150000, {@code 9.6.3} → 90603, {@code 150004} as is. */
  static int serverVersionNum(String text) throws BadRequest {
    String[] parts = text.split("\\.");
    try {
      if (parts.length == 1 && text.length() >= 5) {
        return Integer.parseInt(text);
      }
      int major = Integer.parseInt(parts[0]);
      if (major >= 10) {
        if (parts.length > 2) {
          throw new NumberFormatException();
        }
        return major * 10000 + (parts.length > 1 ? Integer.parseInt(parts[1]) : 0);
      }
      if (parts.length > 3) {
        throw new NumberFormatException();
      }
      int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
      int patch = parts.length > 2 ? Integer.parseInt(parts[2]) : 0;
      return major * 10000 + minor * 100 + patch;
    } catch (NumberFormatException e) {
      throw new BadRequest("postgres_version", "expected a version such as 15.4 or 150004");
    }
  }
}
