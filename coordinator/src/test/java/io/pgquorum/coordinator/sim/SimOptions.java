package io.pgquorum.coordinator.sim;

import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.dcs.lease.LeaseTracker;
import io.pgquorum.dcs.planted.PlantedBugs;
import java.util.List;
import java.util.Map;

/**
 * How the simulated world behaves: the cluster's dynamic configuration and the timings and fault rates of the
 * execution. Transcripts use the fixed defaults (every task takes the same time, nothing is lost, no jitter); the
 * simulator draws them from its seed.
 */
final class SimOptions {
  static final long MS = 1_000_000L;
  static final long S = 1_000_000_000L;

  /** pgquorum's defaults: ttl 8 s, loop_wait 1 s, retry_timeout 2 s, 1 MiB maximum_lag_on_failover. */
  DynamicConfig dyn = new DynamicConfig(8, 1, 2, 1_048_576, 300, true, true, Map.of(), List.of(), Map.of());
  /** The clock-rate bound the DCS's lease expiry assumes. */
  double rho = LeaseTracker.DEFAULT_MAX_CLOCK_RATE_DRIFT;
  PlantedBugs bugs = PlantedBugs.NONE;
  /** Seed of the execution's own choices (jitter, task durations, lost replies, tie order). */
  long executionSeed = 1;
  long cycleJitterMax = 0;
  long taskMin = 500 * MS;
  long taskMax = 500 * MS;
  /** How long after its deadline the lease guard has stopped PostgreSQL (check interval plus the stop itself). */
  long guardDelayMax = 0;
  /** How soon a replica's leader watch wakes its loop after the leader key changed. */
  long wakeDelay = 1 * MS;
  /**
   * Whether replicas also wake when the {@code sync}, {@code failover}, {@code config} or {@code initialize} key
   * changes, as the real loop's watch does ({@code wake=keys}); off ({@code wake=leader}, the leader key alone) in
   * the hand-written transcripts, whose timings were set before the loop watched those keys. Random schedules set it.
   */
  boolean wakeOnKeys;
  double lostReplyRate = 0;
  long dcsTick = 20 * MS;
  long replicationTick = 50 * MS;
  long writeTick = 100 * MS;
  /**
   * Whether some clock runs outside [1-rho, 1+rho]: the safety properties are then not promised, so their
   * violations are recorded as expected, not as failures (recovery still is).
   */
  boolean beyondDriftBound;
  /**
   * How many writes' worth of WAL a standby behind its upstream receives per {@link #replicationTick}; 0: all of it
   * (the default). Above 0 a reconnecting standby is in {@code catchup} for a while, as in PostgreSQL.
   */
  long catchUpWrites;
  /** Whether a client writes to every writable primary every {@link #writeTick}. */
  boolean writes = true;
}
