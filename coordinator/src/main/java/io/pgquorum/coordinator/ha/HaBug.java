package io.pgquorum.coordinator.ha;

import io.pgquorum.dcs.planted.PlantedBug;

/**
 * The coordinator's planted bugs, for the fault-injection harness only (see
 * {@link io.pgquorum.dcs.planted.PlantedBugs} for how they are switched on and shown). Each hook is one small,
 * commented branch at the point it perturbs, marked {@code PLANTED BUG}.
 */
public enum HaBug implements PlantedBug {
  /**
   * A lost or expired lease does not demote: the {@link LeaseGuard} does not stop PostgreSQL, Demote actions are
   * skipped, and the watchdog process is never told about the lease (so it never fences either).
   */
  SKIP_DEMOTE_ON_LOST_LEASE("skip-demote-on-lost-lease", "epoch",
      "a primary whose lease is lost or expired keeps running (no guard, no demote, no watchdog)"),
  /**
   * The local lease deadline is {@code sent + ttl} instead of {@code sent + ttl - retry_timeout}: no margin for
   * clock-rate drift or for the time a stop takes. The watchdog gets the same deadline.
   */
  LEASE_IGNORES_DRIFT("lease-ignores-drift", "epoch",
      "the lease deadline has no margin for clock drift or the time a stop takes"),
  /** The watchdog process is not started. Refused together with {@code watchdog.mode: required}. */
  NO_WATCHDOG("no-watchdog", "epoch", "the lease watchdog process is not started"),
  /**
   * A replica racing for the lock skips the {@code maximum_lag_on_failover} test against the last published
   * {@code status}, so a replica far behind the old primary can take over and lose more acknowledged writes than
   * the configuration allows (one branch in {@link Decider#whyNotHealthiest}).
   */
  IGNORE_MAXIMUM_LAG_ON_FAILOVER("ignore-maximum-lag-on-failover", "durability",
      "a replica takes over however far it lags the last published status"),
  /**
   * A running replica never takes a free leader lock (one branch in the leader race), so a cluster whose primary
   * was lost never gets a new one: writes never come back after the faults heal.
   */
  REPLICAS_NEVER_RACE("replicas-never-race", "availability",
      "a replica never takes a free leader lock, so a cluster that lost its primary never recovers"),
  /**
   * The lock holder hands its lock back (stops PostgreSQL, releases the key) during the first
   * {@link Decider#FLAP_WINDOW_SECONDS} seconds of every {@link Decider#FLAP_PERIOD_SECONDS} of its monotonic
   * clock, so leadership keeps moving long after the faults healed (one branch in the holder's decision).
   */
  FLAPPING_LEADER("flapping-leader", "role-stability",
      "the leader hands its lock back every few seconds, so roles never settle"),
  /**
   * A replica that does not stream and replays a later timeline than its leader's is left as it is instead of
   * being stopped for the rejoin check (one branch in the replica's decision), so replicas that followed a
   * promotion history never recorded never stream again: the cluster never becomes stable.
   */
  IGNORE_LATER_REPLICA_TIMELINE("ignore-later-replica-timeline", "availability",
      "a replica on a later timeline than its leader's is never repaired, so it never streams again"),
  /**
   * A primary recording an older timeline switch in {@code history} (one nobody recorded while it was current)
   * writes it without an epoch, as when a node knew only its current timeline's (one branch in
   * {@link TimelineEpochs#forHistory}): a replica on another fork of that older timeline is then judged by no rule
   * and never streams (docs/findings/sim-seed-74489957632632.md).
   */
  FORGET_OLDER_EPOCHS("forget-older-epochs", "availability",
      "older timeline switches reach history without their epochs, so a replica on another fork of one is never "
          + "repaired"),
  /**
   * The primary in {@code synchronous_mode: on} names a standby in the {@code sync} key in the same cycle it puts it
   * into synchronous_standby_names, before PostgreSQL reports it synchronous and before it has caught up with the
   * commits acknowledged until then (one branch in {@link SyncDuty#atLeader}): the key then promises a standby that
   * may lack acknowledged commits, and promoting it loses them.
   */
  SYNC_BEFORE_SYNCHRONOUS("sync-before-synchronous", "durability",
      "a standby is named in the sync key before PostgreSQL reports it synchronous and caught up"),
  /**
   * A synchronous standby leaving its duty before a restart or a clean shutdown goes ahead once the {@code sync} key
   * no longer lists it, without waiting for the primary's synchronous_standby_names to drop it too (one branch in
   * {@link LocalOperations#onSyncDuty}): the primary shrinks the key before it moves the setting, so the standby can
   * stop in between (a cycle whose setting step did not run, a replica woken by the key's change), and every commit
   * then waits for a standby that is gone until the primary's next cycle.
   */
  LEAVE_SYNC_ON_KEY_ALONE("leave-sync-on-key-alone", "availability",
      "a departing synchronous standby stops once the sync key drops it, while the setting may still name it"),
  /**
   * A replica races for a free lock although it promised a primary running on failsafe not to (one branch in
   * {@link FailsafeRules#whyNoRace}, and the race gate in {@link FailsafePromises#beginRace}, which would otherwise
   * still hold the acquire back): the primary keeps its lease on that promise while the replica promotes, so
   * two primaries accept writes at once.
   */
  FAILSAFE_IGNORES_PROMISE("failsafe-ignores-promise", "epoch",
      "a replica races for the lock although it promised a primary on failsafe not to"),
  /**
   * The {@link LeaseKeeper} never refreshes (one branch in {@link LeaseKeeper#tick}): the lease depends on the HA
   * loop's cycles alone, as before the keeper existed, so a loop stalled for longer than the lease costs it.
   */
  NO_LEASE_KEEPER("no-lease-keeper", "role-stability",
      "the lease keeper never refreshes, so a stalled HA loop costs the lease and causes a failover"),
  /**
   * The {@link LeaseKeeper}'s license never runs out (one branch in {@link LeaseKeeping#license}): a loop stuck for
   * good keeps its primary's lease for ever, while nothing probes PostgreSQL, so a primary that died under a stuck
   * loop is never replaced.
   */
  KEEPER_IGNORES_LICENSE("keeper-ignores-license", "availability",
      "the lease keeper refreshes after its license ran out, so a stuck HA loop keeps its lease for ever"),
  /**
   * A test hook, not a bug: once a file named {@value HaLoop#STALL_TRIGGER} appears next to the data directory, the
   * next HA cycle deletes it and blocks for one and a half ttl before it goes on (as a long GC pause or a hung probe
   * would), while the rest of the daemon (REST, lease guard, lease keeper) keeps running.
   */
  STALL_HA_LOOP("stall-ha-loop", "role-stability",
      "the HA loop blocks for 1.5 ttl once a trigger file appears next to the data directory");

  private final String id;
  private final String breaks;
  private final String description;

  HaBug(String id, String breaks, String description) {
    this.id = id;
    this.breaks = breaks;
    this.description = description;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String breaks() {
    return breaks;
  }

  @Override
  public String description() {
    return description;
  }
}
