package io.pgquorum.coordinator.rest;

import java.util.Map;
import java.util.Optional;

/**
 * What the admin endpoints ask the node to do. The REST layer parses and validates the request, then delegates
 * here; the node turns each call into a DCS write or a request to its HA loop and says how it went.
 *
 * <p>Calls run on a dedicated thread, never on the HTTP event loop, so they may block for a bounded time (a DCS
 * write with its retry timeout).
 */
public interface AdminActions {

  /**
   * The HTTP answer to an admin request.
   *
   * @param status HTTP status code (Patroni's: 200 done, 202 accepted/scheduled, 400 invalid, 409 conflict,
   *     412 not possible, 503 failed)
   * @param body plain-text message for the caller; must never contain a secret
   */
  record Result(int status, String body) {}

  /**
   * {@code POST /switchover}: hand the leader role over gracefully.
   *
   * @param leader the leader the caller believes is current (the request is refused when it is not)
   * @param candidate the member to promote; empty lets the cluster pick the healthiest
   * @param scheduledAt ISO-8601 time with a zone, for a scheduled switchover
   */
  Result switchover(String leader, Optional<String> candidate, Optional<String> scheduledAt);

  /** {@code POST /failover}: promote {@code candidate} even when the leader is not healthy. */
  Result failover(Optional<String> candidate);

  /** {@code PATCH /config}: apply a JSON merge patch (RFC 7386: null deletes a key) to the dynamic config. */
  Result patchConfig(Map<String, Object> mergePatch);

  /**
   * The fields of a {@code POST /restart} (Patroni's), validated.
   *
   * @param schedule ISO-8601 time with a zone, in the future: a scheduled restart; empty: now
   * @param role restart only in this role ({@code primary}, {@code standby_leader}, {@code replica})
   * @param postgresVersion restart only while the server's version number is lower (150004 for 15.4)
   * @param restartPending restart only when the pending-restart flag is set
   * @param timeoutSeconds how long PostgreSQL may take to start
   */
  record RestartRequest(Optional<String> schedule, Optional<String> role, java.util.OptionalInt postgresVersion,
      boolean restartPending, java.util.OptionalInt timeoutSeconds) {
    /** A plain immediate restart. */
    public static final RestartRequest NOW = new RestartRequest(Optional.empty(), Optional.empty(),
        java.util.OptionalInt.empty(), false, java.util.OptionalInt.empty());
  }

  /** {@code POST /restart}: restart this node's PostgreSQL, now or at {@code request.schedule()}. */
  Result restart(RestartRequest request);

  /** {@code POST /reload}: reload the local configuration and PostgreSQL's. */
  Result reload();

  /**
   * {@code POST /reinitialize}: move this replica's data directory aside and clone it again; {@code force} cancels a
   * running action; {@code fromLeader}: clone from the leader with pg_basebackup.
   */
  Result reinitialize(boolean force, boolean fromLeader);

  /** {@code DELETE /switchover}: cancel a scheduled switchover. */
  default Result cancelSwitchover() {
    return Unsupported.no("cancelling a switchover");
  }

  /** {@code PUT /config}: replace the dynamic config with {@code config} as a whole. */
  default Result putConfig(Map<String, Object> config) {
    return Unsupported.no("config change");
  }

  /** {@code DELETE /restart}: cancel a scheduled restart. */
  default Result cancelRestart() {
    return Unsupported.no("cancelling a restart");
  }

  /**
   * {@code POST /backup}: a pgBackRest backup of {@code type} ({@code full}, {@code diff}, {@code incr}; empty:
   * incr, pgBackRest's default) on this node, which must be the leader; started in the background (202).
   */
  default Result backup(Optional<String> type) {
    return Unsupported.no("backup");
  }

  /** {@code GET /backup}: this node's backup job, as JSON (running, or how the last run went). */
  default Result backupState() {
    return Unsupported.no("backup");
  }

  /** {@code GET /backups}: the repository's backups ({@code pgbackrest info --output=json} of the stanza). */
  default Result backups() {
    return Unsupported.no("backups");
  }

  /** Actions for a server that cannot act (tests, tooling): every call answers 503 with a clear reason. */
  static AdminActions unsupported() {
    return new Unsupported();
  }

  /**
   * Every call answers 503 naming what is not available. A base for implementations of a part of the endpoints
   * (the node composes one per area, see {@code NodeAdmin}).
   */
  class Unsupported implements AdminActions {
    static Result no(String what) {
      return new Result(503, what + " is not available on this server");
    }

    @Override
    public Result switchover(String leader, Optional<String> candidate, Optional<String> scheduledAt) {
      return no("switchover");
    }

    @Override
    public Result failover(Optional<String> candidate) {
      return no("failover");
    }

    @Override
    public Result patchConfig(Map<String, Object> mergePatch) {
      return no("config change");
    }

    @Override
    public Result restart(RestartRequest request) {
      return no("restart");
    }

    @Override
    public Result reload() {
      return no("reload");
    }

    @Override
    public Result reinitialize(boolean force, boolean fromLeader) {
      return no("reinitialize");
    }
  }
}
