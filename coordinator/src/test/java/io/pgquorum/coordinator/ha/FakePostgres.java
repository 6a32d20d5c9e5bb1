package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.postgres.PgState;
import io.pgquorum.coordinator.postgres.PgState.DataDirState;
import io.pgquorum.coordinator.postgres.PgState.Role;
import io.pgquorum.coordinator.postgres.Postgres;
import io.pgquorum.coordinator.postgres.StopMode;
import io.pgquorum.coordinator.postgres.Upstream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A scripted stand-in for PostgreSQL, for unit tests of the loop's and executor's own logic (lease handling,
 * ordering). The same behaviours are tested against real PostgreSQL in the integration tests.
 */
final class FakePostgres implements Postgres {
  final List<String> calls = new ArrayList<>();
  volatile PgState state = PgState.stopped(DataDirState.EMPTY);

  static PgState running(Role role, long token) {
    return new PgState(DataDirState.INITIALIZED, true, OptionalLong.of(1), Optional.empty(), role, 1, 100,
        OptionalLong.empty(), OptionalLong.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
        List.of(), Optional.of("7000000000000000001"), 150010, OptionalLong.of(token), false, false);
  }

  /** Thrown by the next {@link #probe()}: an Error every time, an exception once. */
  volatile Throwable probeFailure;
  /** When set, every {@link #needsRewind} fails with it (the upstream cannot be reached). */
  volatile RuntimeException rewindCheckFailure;
  /** How many rewind checks were made (not in {@link #calls()}: older tests list those exactly). */
  final java.util.concurrent.atomic.AtomicInteger rewindChecks = new java.util.concurrent.atomic.AtomicInteger();
  /** What {@link #needsRewind} answers when it does not fail. */
  volatile boolean diverged;
  /** When set, every {@link #startReplica} fails with it (PostgreSQL left as it was). */
  volatile RuntimeException startReplicaFailure;
  /** Runs at every {@link #probe()}: what the outside world does between the cycle's snapshot and its actions. */
  volatile Runnable onProbe;
  /** What {@link #prePromote()} answers (the pre_promote script's verdict). */
  volatile boolean prePromoteAllows = true;

  @Override
  public synchronized PgState probe() {
    Throwable f = probeFailure;
    if (f instanceof Error e) {
      throw e;
    }
    if (f instanceof RuntimeException e) {
      probeFailure = null;
      throw e;
    }
    Runnable hook = onProbe;
    if (hook != null) {
      hook.run();
    }
    return state;
  }

  @Override
  public synchronized void bootstrap() {
    calls.add("bootstrap");
    state = PgState.stopped(DataDirState.INITIALIZED);
  }


  /**
   * When set, {@link #startPrimary} behaves like a long crash recovery: the postmaster is alive but does not accept
   * connections (the probe shows its pid, not running) until the latch opens. Waits outside the lock, so probes
   * answer meanwhile, as they do against a real recovering server.
   */
  volatile java.util.concurrent.CountDownLatch recoveryGate;

  @Override
  public synchronized void ownSynchronousStandbyNames(java.util.Optional<String> value) {
    calls.add("start with synchronous_standby_names '" + value.orElse("") + "'");
  }

  @Override
  public void startPrimary(long fencingToken) {
    java.util.concurrent.CountDownLatch gate;
    synchronized (this) {
      calls.add("startPrimary " + fencingToken);
      gate = recoveryGate;
      if (gate != null) {
        state = recovering();
      }
    }
    if (gate != null) {
      try {
        gate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new io.pgquorum.coordinator.postgres.PostgresException("start primary: interrupted");
      }
    }
    synchronized (this) {
      if (gate != null && !state.pid().isPresent()) {
        throw new io.pgquorum.coordinator.postgres.PostgresException("start primary: the server was stopped "
            + "during recovery");
      }
      state = running(Role.PRIMARY, fencingToken);
    }
  }

  /** A postmaster in crash recovery: alive (pid), not accepting connections. */
  static PgState recovering() {
    PgState s = PgState.stopped(DataDirState.INITIALIZED);
    return new PgState(DataDirState.INITIALIZED, false, OptionalLong.of(2), Optional.empty(), Role.UNKNOWN, 1, 100,
        OptionalLong.empty(), OptionalLong.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
        List.of(), s.systemIdentifier(), 0, OptionalLong.empty(), false, false);
  }

  @Override
  public synchronized void startReplica(Upstream upstream) {
    calls.add("startReplica " + (upstream == null ? "-" : upstream.name()));
    if (startReplicaFailure != null) {
      throw startReplicaFailure;
    }
    state = running(Role.REPLICA, 0);
  }

  @Override
  public synchronized void stop(StopMode mode) {
    calls.add("stop " + mode);
    state = PgState.stopped(DataDirState.INITIALIZED);
  }

  @Override
  public synchronized void runCallback(io.pgquorum.coordinator.config.CallbackAction action, String role) {
    calls.add("callback " + action.key() + " " + role);
  }

  @Override
  public synchronized boolean prePromote() {
    calls.add("pre_promote");
    return prePromoteAllows;
  }

  @Override
  public synchronized void beforeStop() {
    calls.add("before_stop");
  }

  @Override
  public synchronized void promote(long fencingToken) {
    calls.add("promote " + fencingToken);
    state = running(Role.PRIMARY, fencingToken);
  }

  @Override
  public synchronized void reload() {
    calls.add("reload");
  }

  @Override
  public synchronized void follow(Upstream upstream) {
    calls.add("follow " + upstream.name());
  }

  @Override
  public synchronized void cloneReplica(Upstream upstream) {
    calls.add("clone " + upstream.name());
    state = PgState.stopped(DataDirState.INITIALIZED);
  }

  @Override
  public synchronized boolean rewind(Upstream upstream) {
    calls.add("rewind " + upstream.name());
    return true;
  }

  @Override
  public synchronized boolean needsRewind(Upstream upstream) {
    rewindChecks.incrementAndGet();
    if (rewindCheckFailure != null) {
      throw rewindCheckFailure;
    }
    return diverged;
  }

  @Override
  public synchronized void moveDataDirectoryAside(String reason) {
    calls.add("moveAside");
    state = PgState.stopped(DataDirState.EMPTY);
  }

  @Override
  public synchronized void syncReplicationSlots(Set<String> slotNames, java.util.Map<String, Long> advanceTo) {
    calls.add("slots " + slotNames + (advanceTo.isEmpty() ? "" : " advance " + advanceTo));
  }

  @Override
  public synchronized void advanceReplicationSlots(java.util.Map<String, Long> advanceTo) {
    calls.add("advance slots " + advanceTo);
  }

  /** Timeline history files by timeline, as PostgreSQL would have written them. */
  final java.util.Map<Integer, List<io.pgquorum.coordinator.postgres.TimelineSwitch>> histories =
      new java.util.concurrent.ConcurrentHashMap<>();

  @Override
  public List<io.pgquorum.coordinator.postgres.TimelineSwitch> timelineHistory(int timeline) {
    if (timeline <= 1) {
      return List.of();
    }
    List<io.pgquorum.coordinator.postgres.TimelineSwitch> h = histories.get(timeline);
    if (h == null) {
      throw new io.pgquorum.coordinator.postgres.PostgresException("timeline history: no file for " + timeline);
    }
    return h;
  }

  synchronized List<String> calls() {
    return List.copyOf(calls);
  }
}
