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
import java.util.OptionalInt;
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
      case "POST /backup":
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
      case "POST /backup":
        return backup(object(body, false));
      case "DELETE /restart":
        return admin.cancelRestart();
      default:
        throw new IllegalArgumentException("not an admin route: " + route);
    }
  }

  private AdminActions.Result switchover(ObjectNode o) throws BadRequest {
    return manual(o, false);
  }

  private AdminActions.Result failover(ObjectNode o) throws BadRequest {
    return manual(o, true);
  }

  /**
   * {@code POST /switchover} and {@code POST /failover}, validated in Patroni's order with its status codes and
   * texts (the first rule that fails answers): a failover needs a candidate, a switchover a leader; a failover
   * cannot be scheduled; a scheduled time needs a zone, must not be in the past and must parse; leader and
   * candidate must differ. A failover that names a leader is a switchover (Patroni 4). Whether the switchover is
   * possible at all (412) is the node's to check, against a fresh read of the DCS. {@code member} is Patroni's
   * alias of {@code candidate}, {@code primary} pgquorum's of {@code leader}.
   */
  private AdminActions.Result manual(ObjectNode o, boolean failover) throws BadRequest {
    onlyFields(o, Set.of("leader", "primary", "candidate", "member", "scheduled_at"));
    Optional<String> leader = string(o, "leader");
    if (leader.isEmpty()) {
      leader = string(o, "primary");
    }
    Optional<String> candidate = string(o, "candidate");
    if (candidate.isEmpty()) {
      candidate = string(o, "member");
    }
    Optional<String> at = string(o, "scheduled_at");
    if (failover && candidate.isEmpty()) {
      return new AdminActions.Result(400, "Failover could be performed only to a specific candidate");
    }
    if (!failover && leader.isEmpty()) {
      return new AdminActions.Result(400, "Switchover could be performed only from a specific leader");
    }
    if (failover && at.isPresent()) {
      return new AdminActions.Result(400, "Failover can't be scheduled");
    }
    boolean paused = paused();
    if (paused && at.isPresent()) {
      return new AdminActions.Result(400, "Can't schedule switchover in the paused state");
    }
    if (at.isPresent()) {
      Optional<OffsetDateTime> when = withZone(at.get());
      if (when.isEmpty() && withoutZone(at.get())) {
        return new AdminActions.Result(400, "Timezone information is mandatory for the scheduled switchover");
      }
      if (when.isEmpty()) {
        return new AdminActions.Result(422,
            "Unable to parse scheduled timestamp. It should be in an unambiguous format, e.g. ISO 8601");
      }
      if (when.get().toInstant().isBefore(java.time.Instant.now())) {
        return new AdminActions.Result(422, "Cannot schedule switchover in the past");
      }
      at = Optional.of(when.get().toString());
    }
    if (paused && candidate.isEmpty()) {
      return new AdminActions.Result(400, "Switchover is possible only to a specific candidate in a paused state");
    }
    if (leader.isPresent() && leader.equals(candidate)) {
      return new AdminActions.Result(400, "Switchover target and source are the same");
    }
    if (leader.isPresent()) {
      // Patroni 4 turns a failover that names the leader into a switchover (and logs a warning).
      return admin.switchover(leader.get(), candidate, at);
    }
    return admin.failover(candidate);
  }

  /** Whether the dynamic configuration this node last read says maintenance mode ({@code pause: true}). */
  private boolean paused() {
    return Optional.ofNullable(status.get()).flatMap(NodeStatus::cluster)
        .flatMap(io.pgquorum.coordinator.cluster.ClusterSnapshot::config).map(v -> v.value().paused())
        .orElse(false);
  }

  private static Optional<OffsetDateTime> withZone(String text) {
    try {
      return Optional.of(OffsetDateTime.parse(text.trim().replace(' ', 'T')));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static boolean withoutZone(String text) {
    try {
      java.time.LocalDateTime.parse(text.trim().replace(' ', 'T'));
      return true;
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  private AdminActions.Result patchConfig(ObjectNode o) {
    Map<String, Object> patch = Json.MAPPER.convertValue(o, new TypeReference<Map<String, Object>>() {});
    return admin.patchConfig(patch);
  }

  /**
   * {@code POST /restart}, validated as Patroni does (A.3 of the operations reference): unknown keys, the schedule
   * (a zone is required; past or unparsable: 422), the role, the version, the timeout. For an immediate restart the
   * conditions are also checked here against the published status, so an unmet one answers 503 at once; the HA
   * loop checks them again when it restarts (for a scheduled restart, only then). {@code restart_pending} enables
   * its filter by being there, whatever its value, as in Patroni ({@code 'restart_pending' in restart_data}): a
   * script written for Patroni that sends {@code false} gets the restart Patroni would give it, no other; pgctl
   * sends the key only with {@code --pending}. The value must still be a boolean (400 otherwise).
   */
  private AdminActions.Result restart(ObjectNode o) throws BadRequest {
    for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!Set.of("schedule", "role", "postgres_version", "timeout", "restart_pending").contains(f)) {
        throw BadRequest.patroni("Unknown filter for the scheduled restart: " + f);
      }
    }
    Optional<String> schedule = Optional.empty();
    if (string(o, "schedule").isPresent()) {
      Optional<AdminActions.Result> refused = scheduleProblem(string(o, "schedule").get(), "restart");
      if (refused.isPresent()) {
        return refused.get();
      }
      schedule = Optional.of(OffsetDateTime.parse(string(o, "schedule").get().replace(' ', 'T')).toString());
    }
    Optional<String> role = string(o, "role");
    if (role.isPresent() && !Set.of("primary", "master", "standby_leader", "replica").contains(role.get())) {
      throw BadRequest.patroni("PostgreSQL role should be either primary, standby_leader, or replica");
    }
    // Patroni 3's name for the primary, still sent by older scripts.
    role = role.map(r -> r.equals("master") ? "primary" : r);
    OptionalInt version = string(o, "postgres_version").isPresent()
        ? OptionalInt.of(serverVersionNum(string(o, "postgres_version").get())) : OptionalInt.empty();
    OptionalInt timeout = o.hasNonNull("timeout") ? OptionalInt.of(timeoutSeconds(o.get("timeout")))
        : OptionalInt.empty();
    boolean onlyIfPending = bool(o, "restart_pending").isPresent();

    NodeStatus s = status.get();
    if (s != null && schedule.isEmpty()) {
      boolean roleOk = role.isEmpty() || role.get().equals(s.role());
      boolean versionOk = version.isEmpty()
          || (s.pg().serverVersion() > 0 && s.pg().serverVersion() < version.getAsInt());
      boolean pendingOk = !onlyIfPending || s.pg().pendingRestart();
      if (!roleOk || !versionOk || !pendingOk) {
        return new AdminActions.Result(503, "restart conditions are not satisfied");
      }
    }
    return admin.restart(new AdminActions.RestartRequest(schedule, role, version, onlyIfPending, timeout));
  }

  /**
   * Patroni's schedule checks, in its order: a zone is mandatory (400), the time must parse (422) and be in the
   * future (422). Empty when the schedule is good.
   */
  static Optional<AdminActions.Result> scheduleProblem(String text, String action) {
    String t = text.replace(' ', 'T');
    try {
      OffsetDateTime at = OffsetDateTime.parse(t);
      if (!at.toInstant().isAfter(java.time.Instant.now())) {
        return Optional.of(new AdminActions.Result(422, "Cannot schedule " + action + " in the past"));
      }
      return Optional.empty();
    } catch (DateTimeParseException e) {
      try {
        java.time.LocalDateTime.parse(t);
        return Optional.of(new AdminActions.Result(400,
            "Timezone information is mandatory for the scheduled " + action));
      } catch (DateTimeParseException notLocal) {
        return Optional.of(new AdminActions.Result(422,
            "Unable to parse scheduled timestamp. It should be in an unambiguous format, e.g. ISO 8601"));
      }
    }
  }

  /** Patroni's {@code timeout}: a positive number of seconds, or a string with a unit ({@code 30s}, {@code 2min}). */
  static int timeoutSeconds(JsonNode v) throws BadRequest {
    BadRequest bad = BadRequest.patroni("Timeout should be a positive number of seconds");
    double seconds;
    if (v.isNumber()) {
      seconds = v.asDouble();
    } else if (v.isTextual()) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\s*(\\d+(?:\\.\\d+)?)\\s*(ms|s|min|h|d)?\\s*")
          .matcher(v.asText());
      if (!m.matches()) {
        throw bad;
      }
      double n = Double.parseDouble(m.group(1));
      String unit = m.group(2) == null ? "s" : m.group(2);
      seconds = switch (unit) {
        case "ms" -> n / 1000;
        case "min" -> n * 60;
        case "h" -> n * 3600;
        case "d" -> n * 86400;
        default -> n;
      };
    } else {
      throw bad;
    }
    if (!(seconds > 0) || seconds > Integer.MAX_VALUE) {
      throw bad;
    }
    return (int) Math.ceil(seconds);
  }

  /** Whether {@code GET path} is a read this class answers on the admin thread (it runs a command). */
  static boolean slowRead(String path) {
    return path.equals("/backup") || path.equals("/backups");
  }

  /** {@code GET /backup} or {@code GET /backups}, as JSON (or the refusal's text). */
  HttpReply read(String path) {
    AdminActions.Result r = path.equals("/backup") ? admin.backupState() : admin.backups();
    return r.status() == 200 ? new HttpReply(200, "application/json",
        r.body().getBytes(java.nio.charset.StandardCharsets.UTF_8), java.util.Map.of())
        : HttpReply.text(r.status(), r.body());
  }

  /** {@code POST /backup}: {@code {"type": "full"|"diff"|"incr"}} (optional; incr, pgBackRest's default). */
  private AdminActions.Result backup(ObjectNode o) throws BadRequest {
    Optional<String> type = string(o, "type");
    java.util.Iterator<String> names = o.fieldNames();
    while (names.hasNext()) {
      String n = names.next();
      if (!n.equals("type")) {
        throw new BadRequest(n, "unknown field (expected one of [type])");
      }
    }
    if (type.isPresent() && !java.util.List.of("full", "diff", "incr").contains(type.get())) {
      throw new BadRequest("type", "must be full, diff or incr, got '" + type.get() + "'");
    }
    return admin.backup(type);
  }

  private AdminActions.Result reinitialize(ObjectNode o) throws BadRequest {
    onlyFields(o, Set.of("force", "from_leader"));
    return admin.reinitialize(bool(o, "force").orElse(false), bool(o, "from_leader").orElse(false));
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
