package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.config.Tags;
import io.pgquorum.coordinator.ha.sync.CommitWait;
import io.pgquorum.coordinator.ha.sync.StandbyReport;
import io.pgquorum.coordinator.ha.sync.SyncStandbyNames;
import io.pgquorum.coordinator.postgres.PgState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a node knows about itself and the cluster after its last HA cycle: an immutable value the loop publishes
 * at the end of every cycle. The REST API, metrics and the embedding API answer from it and never wait on the
 * loop.
 *
 * @param scope cluster name
 * @param name this member
 * @param pg the last PostgreSQL probe
 * @param state Patroni's state string: running, stopped, starting, creating replica, running custom bootstrap
 *     script, initializing new cluster, rewinding, ...
 * @param role Patroni's role string: primary, replica, standby_leader, uninitialized, demoted
 * @param holdsLock this node held the leader lock at the end of the cycle
 * @param cluster the last snapshot read from the DCS, when any was read
 * @param dcsLastSeen wall time of the last successful DCS read
 * @param message the cycle's decision, as logged
 * @param tags this node's tags
 * @param cycleAt wall time the cycle finished
 * @param cycleNanos {@link System#nanoTime()} the cycle finished (for liveness, immune to wall-clock steps)
 * @param cycles number of completed cycles
 * @param leaseDeadlineNanos the leader lease's deadline on the {@link System#nanoTime()} clock, when held
 * @param leaseToken the fencing token of the held lease
 * @param watchdog the watchdog process's state (off, starting, running, down), or empty when unknown
 * @param plantedBugs the ids of the planted bugs active in this node (fault-injection harness only; empty in
 *     normal operation), shown in {@code /patroni} and {@code /metrics} so an unsafe node is never silent
 * @param backrest pgBackRest's state ({@code pgquorum.backrest}), empty without a backrest section
 * @param waitingForOperator what this node's PostgreSQL waits for an operator to do, and how (empty: nothing)
 * @param stoppedDiverged why PostgreSQL stays stopped when its rejoin found a divergence it may not repair
 *     ({@link Divergence#stoppedBecause}), shown as {@code pgquorum.diverged} in {@code /patroni}
 * @param replicaCreation the last replica creation (method, result, attempts), empty before one
 * @param repository the repository's health from the last {@code pgbackrest info} a repository probe ran off the
 *     loop (see {@code RepositoryProbe}); empty without a backrest section or before the first run
 * @param failsafeActive this node runs as the primary on failsafe: the DCS cannot be read and its last round was
 *     accepted by every member ({@link FailsafeRules}); Patroni's {@code failsafe_mode_is_active}
 */
public record NodeStatus(
    String scope,
    String name,
    PgState pg,
    String state,
    String role,
    boolean holdsLock,
    Optional<ClusterSnapshot> cluster,
    Optional<Instant> dcsLastSeen,
    String message,
    Tags tags,
    Instant cycleAt,
    long cycleNanos,
    long cycles,
    OptionalLong leaseDeadlineNanos,
    OptionalLong leaseToken,
    String watchdog,
    List<String> plantedBugs,
    Map<String, Object> backrest,
    String waitingForOperator,
    Optional<String> stoppedDiverged,
    Map<String, Object> replicaCreation,
    Optional<io.pgquorum.backrest.info.RepoHealth> repository,
    boolean failsafeActive) {

  /** A status of a node not running on failsafe. */
  public NodeStatus(String scope, String name, PgState pg, String state, String role, boolean holdsLock,
      Optional<ClusterSnapshot> cluster, Optional<Instant> dcsLastSeen, String message, Tags tags,
      Instant cycleAt, long cycleNanos, long cycles, OptionalLong leaseDeadlineNanos, OptionalLong leaseToken,
      String watchdog, List<String> plantedBugs, Map<String, Object> backrest, String waitingForOperator,
      Optional<String> stoppedDiverged, Map<String, Object> replicaCreation,
      Optional<io.pgquorum.backrest.info.RepoHealth> repository) {
    this(scope, name, pg, state, role, holdsLock, cluster, dcsLastSeen, message, tags, cycleAt, cycleNanos,
        cycles, leaseDeadlineNanos, leaseToken, watchdog, plantedBugs, backrest, waitingForOperator, stoppedDiverged,
        replicaCreation, repository, false);
  }

  /** This status with whether the node runs as the primary on failsafe. */
  public NodeStatus withFailsafeActive(boolean active) {
    return new NodeStatus(scope, name, pg, state, role, holdsLock, cluster, dcsLastSeen, message, tags, cycleAt,
        cycleNanos, cycles, leaseDeadlineNanos, leaseToken, watchdog, plantedBugs, backrest, waitingForOperator,
        stoppedDiverged, replicaCreation, repository, active);
  }

  public NodeStatus {
    plantedBugs = List.copyOf(plantedBugs);
    backrest = Map.copyOf(backrest);
    waitingForOperator = waitingForOperator == null ? "" : waitingForOperator;
    replicaCreation = Map.copyOf(replicaCreation);
  }

  /** A status without a repository health (no backrest section, or none probed yet). */
  public NodeStatus(String scope, String name, PgState pg, String state, String role, boolean holdsLock,
      Optional<ClusterSnapshot> cluster, Optional<Instant> dcsLastSeen, String message, Tags tags,
      Instant cycleAt, long cycleNanos, long cycles, OptionalLong leaseDeadlineNanos, OptionalLong leaseToken,
      String watchdog, List<String> plantedBugs, Map<String, Object> backrest, String waitingForOperator,
      Optional<String> stoppedDiverged, Map<String, Object> replicaCreation) {
    this(scope, name, pg, state, role, holdsLock, cluster, dcsLastSeen, message, tags, cycleAt, cycleNanos,
        cycles, leaseDeadlineNanos, leaseToken, watchdog, plantedBugs, backrest, waitingForOperator, stoppedDiverged,
        replicaCreation, Optional.empty());
  }

  /** This status with the repository's last known health ({@code pgquorum.repository}, the backup metrics). */
  public NodeStatus withRepository(Optional<io.pgquorum.backrest.info.RepoHealth> health) {
    return new NodeStatus(scope, name, pg, state, role, holdsLock, cluster, dcsLastSeen, message, tags, cycleAt,
        cycleNanos, cycles, leaseDeadlineNanos, leaseToken, watchdog, plantedBugs, backrest, waitingForOperator,
        stoppedDiverged, replicaCreation, health, failsafeActive);
  }

  /** A status with nothing waiting for an operator, not stopped for a divergence, no replica creation yet. */
  public NodeStatus(String scope, String name, PgState pg, String state, String role, boolean holdsLock,
      Optional<ClusterSnapshot> cluster, Optional<Instant> dcsLastSeen, String message, Tags tags,
      Instant cycleAt, long cycleNanos, long cycles, OptionalLong leaseDeadlineNanos, OptionalLong leaseToken,
      String watchdog, List<String> plantedBugs, Map<String, Object> backrest) {
    this(scope, name, pg, state, role, holdsLock, cluster, dcsLastSeen, message, tags, cycleAt, cycleNanos,
        cycles, leaseDeadlineNanos, leaseToken, watchdog, plantedBugs, backrest, "", Optional.empty(), Map.of());
  }

  /** A status without pgBackRest details (no backrest section). */
  public NodeStatus(String scope, String name, PgState pg, String state, String role, boolean holdsLock,
      Optional<ClusterSnapshot> cluster, Optional<Instant> dcsLastSeen, String message, Tags tags,
      Instant cycleAt, long cycleNanos, long cycles, OptionalLong leaseDeadlineNanos, OptionalLong leaseToken,
      String watchdog, List<String> plantedBugs) {
    this(scope, name, pg, state, role, holdsLock, cluster, dcsLastSeen, message, tags, cycleAt, cycleNanos,
        cycles, leaseDeadlineNanos, leaseToken, watchdog, plantedBugs, Map.of());
  }

  /** A status without planted bugs (normal operation). */
  public NodeStatus(String scope, String name, PgState pg, String state, String role, boolean holdsLock,
      Optional<ClusterSnapshot> cluster, Optional<Instant> dcsLastSeen, String message, Tags tags,
      Instant cycleAt, long cycleNanos, long cycles, OptionalLong leaseDeadlineNanos, OptionalLong leaseToken,
      String watchdog) {
    this(scope, name, pg, state, role, holdsLock, cluster, dcsLastSeen, message, tags, cycleAt, cycleNanos,
        cycles, leaseDeadlineNanos, leaseToken, watchdog, List.of());
  }

  /** A status without lease or watchdog details (tests, the status before the first cycle). */
  public NodeStatus(String scope, String name, PgState pg, String state, String role, boolean holdsLock,
      Optional<ClusterSnapshot> cluster, Optional<Instant> dcsLastSeen, String message, Tags tags,
      Instant cycleAt, long cycleNanos, long cycles) {
    this(scope, name, pg, state, role, holdsLock, cluster, dcsLastSeen, message, tags, cycleAt, cycleNanos,
        cycles, OptionalLong.empty(), OptionalLong.empty(), "", List.of());
  }

  /** This status with the watchdog state filled in. */
  public NodeStatus withWatchdog(String watchdogState) {
    return new NodeStatus(scope, name, pg, state, role, holdsLock, cluster, dcsLastSeen, message, tags, cycleAt,
        cycleNanos, cycles, leaseDeadlineNanos, leaseToken, watchdogState, plantedBugs, backrest, waitingForOperator,
        stoppedDiverged, replicaCreation, repository, failsafeActive);
  }

  /** This status with pgBackRest's state filled in ({@code pgquorum.backrest} in {@code /patroni}). */
  public NodeStatus withBackrest(Map<String, Object> backrestState) {
    return new NodeStatus(scope, name, pg, state, role, holdsLock, cluster, dcsLastSeen, message, tags, cycleAt,
        cycleNanos, cycles, leaseDeadlineNanos, leaseToken, watchdog, plantedBugs, backrestState, waitingForOperator,
        stoppedDiverged, replicaCreation, repository, failsafeActive);
  }

  /**
   * This status with what PostgreSQL waits for an operator to do (empty: nothing), e.g. a custom bootstrap paused
   * at its recovery target ({@code pgquorum.waiting_for_operator} in {@code /patroni}).
   */
  public NodeStatus withWaitingForOperator(String what) {
    return new NodeStatus(scope, name, pg, state, role, holdsLock, cluster, dcsLastSeen, message, tags, cycleAt,
        cycleNanos, cycles, leaseDeadlineNanos, leaseToken, watchdog, plantedBugs, backrest, what, stoppedDiverged,
        replicaCreation, repository, failsafeActive);
  }

  /** This status with the divergence that keeps PostgreSQL stopped, if any. */
  public NodeStatus withStoppedDiverged(Optional<String> why) {
    return new NodeStatus(scope, name, pg, state, role, holdsLock, cluster, dcsLastSeen, message, tags, cycleAt,
        cycleNanos, cycles, leaseDeadlineNanos, leaseToken, watchdog, plantedBugs, backrest, waitingForOperator, why,
        replicaCreation, repository, failsafeActive);
  }

  /**
   * This status with the last replica creation filled in ({@code pgquorum.replica_creation} in {@code /patroni}):
   * which method built this node's copy, or that all failed, and each attempt's outcome.
   */
  public NodeStatus withReplicaCreation(Map<String, Object> creation) {
    return new NodeStatus(scope, name, pg, state, role, holdsLock, cluster, dcsLastSeen, message, tags, cycleAt,
        cycleNanos, cycles, leaseDeadlineNanos, leaseToken, watchdog, plantedBugs, backrest, waitingForOperator,
        stoppedDiverged, creation, repository, failsafeActive);
  }

  /**
   * This status with the lease deadline {@code deadlineNanos} when it holds the lease with fencing token
   * {@code token} and that deadline is later than the published one; otherwise unchanged. Why: the lease keeper
   * confirms refreshes between the HA loop's cycles (during a DCS outage, every attempt it can), and the health
   * checks judge "primary" against the deadline at request time; with the cycle's deadline only, a primary whose
   * keeper had saved the lease answered 503 until the loop's next cycle published it (bench's replica-loss suite,
   * 0.1-0.5 s). Only ever later, and only for the same lease: a confirmed refresh of it is what moved it.
   */
  public NodeStatus withLaterLeaseDeadline(long token, long deadlineNanos) {
    if (!holdsLock || leaseToken.isEmpty() || leaseToken.getAsLong() != token || leaseDeadlineNanos.isEmpty()
        || deadlineNanos - leaseDeadlineNanos.getAsLong() <= 0) {
      return this;
    }
    return new NodeStatus(scope, name, pg, state, role, holdsLock, cluster, dcsLastSeen, message, tags, cycleAt,
        cycleNanos, cycles, OptionalLong.of(deadlineNanos), leaseToken, watchdog, plantedBugs, backrest,
        waitingForOperator, stoppedDiverged, replicaCreation, repository, failsafeActive);
  }

  /** This status as seen once its lease has run out: the lock is no longer held. */
  public NodeStatus withoutLock() {
    return new NodeStatus(scope, name, pg, state, role, false, cluster, dcsLastSeen, message, tags, cycleAt,
        cycleNanos, cycles, OptionalLong.empty(), OptionalLong.empty(), watchdog, plantedBugs, backrest,
        waitingForOperator, stoppedDiverged, replicaCreation, repository, failsafeActive);
  }

  /** Milliseconds left on the lease at {@code nowNanos}, when one is held and has not run out. */
  public OptionalLong leaseRemainingMillis(long nowNanos) {
    if (leaseDeadlineNanos.isEmpty() || leaseDeadlineNanos.getAsLong() - nowNanos <= 0) {
      return OptionalLong.empty();
    }
    return OptionalLong.of((leaseDeadlineNanos.getAsLong() - nowNanos) / 1_000_000L);
  }

  /**
   * Whether this node's commits are blocked waiting for synchronous standbys that are not there
   * ({@link #commitsBlocked(PgState)} of the last probe): {@code pgquorum.sync_commits_blocked} in {@code /patroni},
   * {@code pgquorum_sync_commits_blocked} in {@code /metrics}.
   */
  public boolean commitsBlocked() {
    return commitsBlocked(pg);
  }

  /**
   * Whether a running primary's commits wait for more synchronous standbys than are connected
   * ({@link CommitWait}), from one probe: the synchronous_standby_names it runs with
   * and its {@code pg_stat_replication}. False for anything but a running primary (a replica commits nothing).
   */
  public static boolean commitsBlocked(PgState pg) {
    if (!pg.running() || !pg.isPrimary() || pg.synchronousStandbyNames().isEmpty()) {
      return false;
    }
    List<StandbyReport> rows = pg.replication().stream()
        .map(r -> new StandbyReport(r.applicationName(), "streaming".equals(r.state()),
            StandbyReport.SyncRole.of(r.syncState()), r.flushLsn()))
        .toList();
    return CommitWait.blocked(SyncStandbyNames.parse(pg.synchronousStandbyNames().get()), rows);
  }

  /** Running as the primary with the lock: what {@code GET /primary} answers 200 for. */
  public boolean isRunningPrimary() {
    return holdsLock && pg.isPrimary();
  }
}
