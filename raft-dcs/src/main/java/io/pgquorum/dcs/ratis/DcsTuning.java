package io.pgquorum.dcs.ratis;

import io.pgquorum.dcs.api.DcsConfigException;
import io.pgquorum.dcs.lease.LeaseTracker;
import java.time.Duration;

/**
 * Every timing and size knob of a DCS member, in one place, with the reason for each default.
 *
 * @param electionTimeoutMin Raft election timeout, lower bound. Default 500 ms: Ratis' 150 ms caused
 *     spurious elections and leadership flapping on a cold JVM on two cores (measured); 500/1000 ms is calm
 *     and still elects a new leader in about a second.
 * @param electionTimeoutMax Raft election timeout, upper bound (randomised in between). Default 1000 ms.
 * @param requestTimeout how long a member waits for one RPC (append, vote, install). Default 3 s (Ratis').
 * @param snapshotThreshold log entries after which a snapshot is taken automatically and the log before it
 *     purged. Default 4096: the state is small (a few hundred keys), so snapshots are cheap, and a bounded
 *     log matters more (pysyncobj's never-compacted log filled disks).
 * @param logSegmentSize size at which a log segment is closed; only closed segments can be purged, so this
 *     bounds the disk the log uses beyond the last snapshot. Default 1 MiB (Ratis' 32 MiB would hold
 *     hundreds of thousands of our small entries before any purge).
 * @param purgeGap minimum number of entries between purges. Default 1024.
 * @param maxClockRateDrift bound on how far any member's monotonic clock rate may deviate from real time;
 *     leases wait {@code ttl * (1+drift)/(1-drift)} before expiry. Default 5 % (see {@link LeaseTracker}).
 * @param expiryCheckInterval how soon the leader looks again while an expiry it proposed is pending (a failed
 *     proposal is retried at that pace); otherwise it looks when its earliest lease runs out (see
 *     {@code DcsServer.IDLE_TICK_MS}). Default 25 ms: expiry latency adds directly to failover time, and the check
 *     is an in-memory scan of a few keys.
 * @param leaseRefresh how refreshes of existing leases travel ({@link LeaseRefreshMode}); members may differ
 *     (every new leader re-arms every lease at its election in either mode). Default here
 *     {@link LeaseRefreshMode#DURABLE} (a log entry each); the coordinator chooses its own default
 *     ({@code raft.lease_refresh}).
 */
public record DcsTuning(
    Duration electionTimeoutMin,
    Duration electionTimeoutMax,
    Duration requestTimeout,
    long snapshotThreshold,
    long logSegmentSize,
    int purgeGap,
    double maxClockRateDrift,
    Duration expiryCheckInterval,
    LeaseRefreshMode leaseRefresh) {

  public static DcsTuning defaults() {
    return new DcsTuning(Duration.ofMillis(500), Duration.ofMillis(1000), Duration.ofSeconds(3), 4096,
        1024 * 1024, 1024, LeaseTracker.DEFAULT_MAX_CLOCK_RATE_DRIFT, Duration.ofMillis(25),
        LeaseRefreshMode.DURABLE);
  }

  public DcsTuning withSnapshotThreshold(long entries, int purgeGap, long segmentBytes) {
    return new DcsTuning(electionTimeoutMin, electionTimeoutMax, requestTimeout, entries, segmentBytes, purgeGap,
        maxClockRateDrift, expiryCheckInterval, leaseRefresh);
  }

  public DcsTuning withElectionTimeout(Duration min, Duration max) {
    return new DcsTuning(min, max, requestTimeout, snapshotThreshold, logSegmentSize, purgeGap, maxClockRateDrift,
        expiryCheckInterval, leaseRefresh);
  }

  public DcsTuning withMaxClockRateDrift(double drift) {
    return new DcsTuning(electionTimeoutMin, electionTimeoutMax, requestTimeout, snapshotThreshold, logSegmentSize,
        purgeGap, drift, expiryCheckInterval, leaseRefresh);
  }

  public DcsTuning withLeaseRefresh(LeaseRefreshMode mode) {
    return new DcsTuning(electionTimeoutMin, electionTimeoutMax, requestTimeout, snapshotThreshold, logSegmentSize,
        purgeGap, maxClockRateDrift, expiryCheckInterval, mode);
  }

  /** Checks the invariants between the knobs; messages name the knob. */
  public void validate() {
    if (electionTimeoutMin.toMillis() < 50) {
      throw new DcsConfigException("election timeout min must be >= 50 ms, got " + electionTimeoutMin.toMillis());
    }
    if (electionTimeoutMax.compareTo(electionTimeoutMin) <= 0) {
      throw new DcsConfigException("election timeout max (" + electionTimeoutMax.toMillis()
          + " ms) must be greater than min (" + electionTimeoutMin.toMillis() + " ms)");
    }
    if (snapshotThreshold < 16) {
      throw new DcsConfigException("snapshot threshold must be >= 16 entries, got " + snapshotThreshold);
    }
    if (logSegmentSize < 8 * 1024) {
      throw new DcsConfigException("log segment size must be >= 8 KiB, got " + logSegmentSize);
    }
    if (purgeGap < 1) {
      throw new DcsConfigException("purge gap must be >= 1, got " + purgeGap);
    }
    if (!(maxClockRateDrift >= 0 && maxClockRateDrift < 0.5)) {
      throw new DcsConfigException("max clock rate drift must be in [0, 0.5), got " + maxClockRateDrift);
    }
    if (expiryCheckInterval.toMillis() < 1) {
      throw new DcsConfigException("expiry check interval must be >= 1 ms");
    }
    if (leaseRefresh == null) {
      throw new DcsConfigException("lease refresh mode must not be null");
    }
  }
}
