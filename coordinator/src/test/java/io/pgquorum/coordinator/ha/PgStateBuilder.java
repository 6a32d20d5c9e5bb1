package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.postgres.PgState;
import io.pgquorum.coordinator.postgres.PgState.DataDirState;
import io.pgquorum.coordinator.postgres.PgState.Role;
import io.pgquorum.coordinator.postgres.TimelineSwitch;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A {@link PgState} (one probe of the local PostgreSQL) built by what an operator would see: a condition
 * ({@link Condition}) plus the few facts the decision reads. Switching the condition keeps the position, timeline
 * and system identifier (a primary that crashes is still on its timeline), and resets what belongs to the
 * condition (pid, role, upstream, streaming).
 */
final class PgStateBuilder {
  /** The system identifier every initialized data directory has unless a scenario says otherwise. */
  static final String SYSID = "7300000000000000001";

  /** What the probe saw. */
  enum Condition {
    /** No data directory. */
    MISSING,
    /** An empty data directory. */
    EMPTY,
    /** A directory with files pgquorum did not create and no PostgreSQL cluster. */
    NOT_EMPTY,
    /** A cluster a bootstrap of pgquorum's created but did not finish (marked so in the data directory). */
    BOOTSTRAP_INCOMPLETE,
    /** A PostgreSQL cluster, no postmaster running. */
    STOPPED,
    /** A postmaster that is alive but does not accept connections yet (start-up, crash recovery). */
    STARTING,
    /** Running, not in recovery. */
    PRIMARY,
    /** Running, in recovery. */
    REPLICA,
    /** The probe cannot tell whether a postmaster runs (an unreadable postmaster.pid, say). */
    UNKNOWN
  }

  /** The fencing token a primary runs with: the lock's unless a case says otherwise ({@code pg ... token=}). */
  private long fencingToken = 7;
  private boolean tokenGiven;

  private OptionalLong timelineEpoch = OptionalLong.empty();
  private Condition condition = Condition.MISSING;
  private int timeline;
  private long lsn;
  private Optional<String> sysid = Optional.empty();
  private Optional<String> upstream = Optional.empty();
  private boolean streaming;
  private Optional<String> unknownReason = Optional.empty();
  private List<TimelineSwitch> timelineHistory = List.of();
  private java.util.Map<String, Long> slots = java.util.Map.of();
  private boolean pendingRestart;
  private java.util.Map<String, String> recoverySettings = java.util.Map.of();
  private final java.util.Map<String, PgState.Standby> replication = new java.util.TreeMap<>();
  private String standbyNames = "";
  private String synchronousCommit = "on";

  Condition condition() {
    return condition;
  }

  /** Switches to {@code c}: an initialized condition gets timeline 1 and {@link #SYSID} when it had none. */
  PgStateBuilder withCondition(Condition c) {
    condition = c;
    upstream = Optional.empty();
    streaming = c == Condition.REPLICA;
    unknownReason = Optional.empty();
    if (c != Condition.REPLICA) {
      timelineHistory = List.of();
    }
    if (c != Condition.PRIMARY) {
      slots = java.util.Map.of();
    }
    if (c != Condition.REPLICA) {
      recoverySettings = java.util.Map.of();
    }
    switch (c) {
      case MISSING, EMPTY, NOT_EMPTY, BOOTSTRAP_INCOMPLETE, UNKNOWN -> {
        timeline = 0;
        lsn = 0;
        sysid = Optional.empty();
      }
      default -> {
        timeline = timeline == 0 ? 1 : timeline;
        sysid = sysid.isEmpty() ? Optional.of(SYSID) : sysid;
      }
    }
    return this;
  }

  /** The WAL position: a primary's current one, a replica's received and replayed one, a stopped node's last. */
  PgStateBuilder withLsn(long lsn) {
    this.lsn = lsn;
    return this;
  }

  PgStateBuilder withTimeline(int timeline) {
    this.timeline = timeline;
    return this;
  }

  /** A replica's upstream (host:port in primary_conninfo); empty when it streams from nobody. */
  PgStateBuilder withUpstream(Optional<String> hostPort) {
    upstream = hostPort;
    return this;
  }

  /** A replica's WAL receiver: streaming, or not (waiting in archive recovery). */
  PgStateBuilder withStreaming(boolean streaming) {
    this.streaming = streaming;
    return this;
  }

  PgStateBuilder withSystemIdentifier(Optional<String> sysid) {
    this.sysid = sysid;
    return this;
  }

  /** The token of the promotion that started this data's timeline ({@link PgState#timelineEpoch}), if known. */
  PgStateBuilder withTimelineEpoch(OptionalLong epoch) {
    this.timelineEpoch = epoch;
    return this;
  }

  /** A running replica's own timeline history file: {ended timeline, lsn} pairs, oldest first. */
  PgStateBuilder withTimelineHistory(List<long[]> switches) {
    timelineHistory = switches.stream().map(e -> new TimelineSwitch((int) e[0], e[1], "")).toList();
    return this;
  }

  /** A running replica's recovery settings as pg_settings shows them (restore_command, ...). */
  PgStateBuilder withRecoverySettings(java.util.Map<String, String> settings) {
    recoverySettings = java.util.Map.copyOf(settings);
    return this;
  }

  /** A running primary's or replica's replication slots and their positions. */
  PgStateBuilder withSlots(java.util.Map<String, Long> primarySlots) {
    slots = java.util.Map.copyOf(primarySlots);
    return this;
  }

  /** A running primary's pg_stat_replication row for {@code name} (replacing any), or none ({@code row} null). */
  PgStateBuilder withStandby(String name, PgState.Standby row) {
    if (row == null) {
      replication.remove(name);
    } else {
      replication.put(name, row);
    }
    return this;
  }

  /** The synchronous_standby_names a running primary runs with ("" for none). */
  PgStateBuilder withStandbyNames(String value) {
    standbyNames = value;
    return this;
  }

  /** The running primary's synchronous_commit ({@code on} unless set). */
  PgStateBuilder withSynchronousCommit(String value) {
    synchronousCommit = value;
    return this;
  }

  Optional<PgState.Standby> standby(String name) {
    return Optional.ofNullable(replication.get(name));
  }

  String standbyNames() {
    return standbyNames;
  }

  /** Why the probe cannot tell (condition {@link Condition#UNKNOWN} only). */
  /** Whether a changed parameter waits for a restart (pg_settings.pending_restart), while running. */
  PgStateBuilder withPendingRestart(boolean pending) {
    this.pendingRestart = pending;
    return this;
  }

  PgStateBuilder withUnknownReason(String reason) {
    unknownReason = Optional.of(reason);
    return this;
  }

  PgState build() {
    return switch (condition) {
      case MISSING -> PgState.stopped(DataDirState.MISSING);
      case EMPTY -> PgState.stopped(DataDirState.EMPTY);
      case NOT_EMPTY -> PgState.stopped(DataDirState.NOT_EMPTY);
      case BOOTSTRAP_INCOMPLETE -> PgState.stopped(DataDirState.BOOTSTRAP_INCOMPLETE);
      case UNKNOWN -> PgState.unknown(unknownReason.orElseThrow(
          () -> new IllegalStateException("an unknown PostgreSQL state needs a reason")));
      case STOPPED -> state(false, OptionalLong.empty(), Role.UNKNOWN, true);
      case STARTING -> state(false, OptionalLong.of(4242), Role.UNKNOWN, false);
      case PRIMARY -> state(true, OptionalLong.of(42), Role.PRIMARY, false);
      case REPLICA -> state(true, OptionalLong.of(42), Role.REPLICA, false);
    };
  }

  /** The token a primary runs with, as a case wrote it ({@code pg primary token=N}). */
  PgStateBuilder withFencingToken(long token) {
    this.fencingToken = token;
    this.tokenGiven = true;
    return this;
  }

  /** The leader lock's token, which a primary runs with unless the case gave another. */
  PgStateBuilder withLockToken(long token) {
    if (!tokenGiven) {
      this.fencingToken = token;
    }
    return this;
  }

  private PgState state(boolean running, OptionalLong pid, Role role, boolean cleanShutdown) {
    boolean replica = role == Role.REPLICA;
    OptionalLong replayed = replica ? OptionalLong.of(lsn) : OptionalLong.empty();
    Optional<String> replication = replica ? Optional.of(streaming ? "streaming" : "in archive recovery")
        : Optional.empty();
    OptionalLong token = role == Role.PRIMARY ? OptionalLong.of(fencingToken) : OptionalLong.empty();
    return new PgState(DataDirState.INITIALIZED, running, pid, Optional.empty(), role, timeline, lsn, replayed,
        replayed, Optional.empty(), replication, replica ? upstream : Optional.empty(),
        running && role == Role.PRIMARY ? List.copyOf(this.replication.values()) : List.of(), sysid,
        running ? 150010 : 0, token, running && pendingRestart, cleanShutdown)
        .withSynchronousStandbyNames(running && role == Role.PRIMARY ? Optional.of(standbyNames) : Optional.empty())
        .withSynchronousCommit(running && role == Role.PRIMARY ? Optional.of(synchronousCommit) : Optional.empty())
        .withTimelineHistory(replica ? timelineHistory : List.of())
        .withSlots(running ? slots : java.util.Map.of())
        .withRecoverySettings(replica ? recoverySettings : java.util.Map.of())
        .withTimelineEpoch(timelineEpoch);
  }
}
