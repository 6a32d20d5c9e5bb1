package io.pgquorum.coordinator.ha;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * An operator's request for this node's PostgreSQL (REST {@code /restart}, {@code /reinitialize}, {@code /reload},
 * SIGHUP), as the HA loop hands it to the decision: a value, so the rules that answer it stay pure and
 * table-testable. The REST thread only posts it ({@link OperatorRequests}); the loop takes one per cycle into
 * {@link LocalState#request()}, the decision plans it and answers through {@link Action.AnswerRequest} or with the
 * outcome of the task it starts.
 */
public sealed interface LocalRequest {
  /** Identifies the request's answer in {@link OperatorRequests}; 0: nobody waits for one. */
  long id();

  /**
   * Patroni's restart filters, evaluated when the restart happens (at once, or when a scheduled one fires).
   *
   * @param role only in this role: {@code primary}, {@code standby_leader} or {@code replica}
   * @param postgresVersion only while the running server's version number is lower (150004 for 15.4)
   * @param onlyIfPending only when the pending-restart flag is set
   * @param timeoutSeconds how long PostgreSQL may take to start (Patroni's {@code timeout}); carried, see
   *     {@link Action.RestartPostgres}
   */
  record RestartConditions(Optional<String> role, OptionalInt postgresVersion, boolean onlyIfPending,
      OptionalInt timeoutSeconds) {
    public static final RestartConditions NONE =
        new RestartConditions(Optional.empty(), OptionalInt.empty(), false, OptionalInt.empty());
  }

  /**
   * A restart that fires at {@code at} (ISO-8601 with a zone, as the operator gave it and as the member key shows
   * it), that is when the loop's monotonic clock reaches {@code dueNanos}.
   */
  record ScheduledRestart(String at, long dueNanos, RestartConditions conditions) {}

  /** Restart now ({@code schedule} empty) or schedule one. */
  record Restart(long id, RestartConditions conditions, Optional<ScheduledRestart> schedule)
      implements LocalRequest {}

  /** {@code DELETE /restart}: forget the scheduled restart. */
  record CancelRestart(long id) implements LocalRequest {}

  /** Rebuild this replica; {@code fromLeader}: with pg_basebackup from the leader, whatever the methods say. */
  record Reinitialize(long id, boolean force, boolean fromLeader) implements LocalRequest {}

  /**
   * Rewrite PostgreSQL's configuration and reload it (the node's YAML was re-read already, or the dynamic
   * configuration changed: {@code id} 0).
   */
  record Reload(long id) implements LocalRequest {}
}
