package io.pgquorum.coordinator.ha;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every text a {@link Decider} decision can carry, as {@link String#format} templates ({@code %s}, {@code %d}).
 * Why one catalogue: the decision transcripts ({@code coordinator/src/test/testdata/decider}) are the
 * specification of the HA rules, and a test checks that each constant here shows up in some transcript; text
 * built inline would escape that check (the same test fails on any string literal in the {@code Decider} that is
 * not a plain value comparison). It is also the one place an operator's log search can be checked against. The
 * texts follow Patroni's log lines where one exists, so existing searches keep working.
 */
enum DecisionMessage {
  // ---- shutdown ----
  SHUTDOWN_RELEASING_LOCK("shutting down: stopping PostgreSQL and releasing the leader lock"),
  SHUTDOWN("shutting down: stopping PostgreSQL"),
  SHUTDOWN_LEAVING_SYNC("shutting down: %s is a synchronous standby and leaves synchronous duty first (nosync "
      + "published, waiting for the primary to drop it from the sync key and from "
      + "synchronous_standby_names)"),

  // ---- the DCS cannot be read ----
  DCS_UNREACHABLE_LEASE_VALID(
      "DCS is not accessible; I am (%s), the leader, and my lease stays valid for %d ms"),
  DCS_UNREACHABLE_FAILSAFE("DCS is not accessible; I am (%s), the leader, and failsafe mode is on: asking every "
      + "member %s to confirm; my lease stays valid for %d ms and is extended only if all of them accept"),
  DCS_UNREACHABLE_FAILSAFE_ALONE("DCS is not accessible; I am (%s), the leader, failsafe mode is on and no other "
      + "member is listed: my lease (valid for %d ms) is extended"),
  DCS_UNREACHABLE_DEMOTED("demoted self because DCS is not accessible and I was a leader"),
  DCS_UNREACHABLE_LEASE_RAN_OUT("DCS is not accessible and my lease ran out; PostgreSQL stays stopped"),
  DCS_UNREACHABLE_LEASE_RAN_OUT_READ_ONLY("DCS is not accessible and my lease ran out; starting PostgreSQL "
      + "read-only without an upstream until the DCS returns"),
  DCS_UNREACHABLE_STARTING_READ_ONLY("DCS is not accessible; starting PostgreSQL read-only without an upstream. "
      + "I am (%s), a stopped node, and wait for the DCS"),
  DCS_UNREACHABLE_SECONDARY("DCS is not accessible; no action. I am (%s), a secondary, and wait for the DCS"),
  DCS_UNREACHABLE_STOPPED("DCS is not accessible; no action. I am (%s), a stopped node, and wait for the DCS"),

  // ---- a cluster-wide restore (pgctl restore) ----
  RESTORE_STOPPING("restore %s to %s: HA suspended; stopping PostgreSQL and moving the data directory aside"),
  RESTORE_WAITING_FOR_MEMBERS("restore %s: HA suspended; waiting for %s to stop and move their data aside"),
  RESTORE_WAITING_FOR_LOCK("restore %s: HA suspended; every member is ready, waiting for the leader lock of %s "
      + "to go"),
  RESTORE_RESETTING("restore %s: every member is ready; resetting the cluster's state for the restore"),
  RESTORE_WAITING_FOR_RESET("restore %s: HA suspended; every member is ready, %s resets the cluster's state"),
  RESTORE_BOOTSTRAP_RACE("restore %s: trying to bootstrap the cluster from the backup, recovering to %s"),
  RESTORE_WAITING_FOR_PRIMARY("restore %s: HA suspended; waiting for the restored primary before cloning it"),
  RESTORE_FAILED_BOOTSTRAP("restore %s failed: the bootstrap from the backup failed: %s"),
  RESTORE_DONE("restore %s done: running as primary on timeline %d; HA resumes"),
  RESTORE_FAILED_WAITING("restore %s failed (%s); the data directories are kept aside; waiting for another "
      + "pgctl restore"),

  // ---- a long task runs ----
  TASK_IN_PROGRESS("%s in progress"),
  TASK_IN_PROGRESS_DEMOTING("demoting self because %s is in progress and I do not hold the lock"),

  // ---- the data directory ----
  SYSTEM_ID_MISMATCH("system ID mismatch"),
  SYSTEM_ID_MISMATCH_FATAL(Kind.FATAL, "the data directory's database system identifier %s does not match the "
      + "cluster's %s (initialize key): this node's data belongs to another cluster. Remove or move the data "
      + "directory to let the node join as a new replica, or point it at the right scope"),
  DATA_DIR_NOT_EMPTY("waiting: postgresql.data_dir is not empty and holds no PostgreSQL cluster; point it at an "
      + "empty or missing directory (pgquorum never writes into, deletes or moves files it did not create)"),
  DATA_DIR_NOT_EMPTY_RELEASING_LOCK("waiting: postgresql.data_dir is not empty and holds no PostgreSQL cluster; "
      + "point it at an empty or missing directory (pgquorum never writes into, deletes or moves files it did not "
      + "create); releasing the leader lock"),
  BOOTSTRAP_FAILED("removing initialize key after failed attempt to bootstrap the cluster: %s"),
  BOOTSTRAP_FAILED_FATAL(Kind.FATAL, "failed to bootstrap the cluster: %s. The data directory was moved aside and the "
      + "initialize key removed; pgquorum does not retry a failed bootstrap (neither does Patroni): fix the cause "
      + "and start it again"),
  BOOTSTRAP_INCOMPLETE("the bootstrap of the cluster in the data directory did not finish: moving the data "
      + "directory aside"),
  BOOTSTRAP_FINISHED("bootstrap finished: taking the leader lock to start the new cluster's primary"),
  BOOTSTRAP_START_FAILED("removing initialize key after failed attempt to bootstrap the cluster: the new "
      + "cluster's first start as primary failed: %s"),
  BOOTSTRAP_WAITING_FOR_OWNER("waiting for %s to bootstrap the cluster"),
  BOOTSTRAP_WAITING_FOR_OWNER_DEMOTING("waiting for %s to bootstrap the cluster; demoting: I run as primary without "
      + "the lock"),
  BOOTSTRAP_INTERRUPTED(
      "removing initialize key after failed attempt to bootstrap the cluster: bootstrap was interrupted"),
  BOOTSTRAP_NOT_ALLOWED("waiting for leader to bootstrap (I am not allowed to bootstrap: nofailover)"),
  BOOTSTRAP_RACE("trying to bootstrap a new cluster"),
  BOOTSTRAP_WAITING("waiting for leader to bootstrap"),
  NO_DATA_DIR_RELEASING_LOCK("releasing the leader lock: I hold it but have no data directory"),
  CLONE_WAITING_FOR_ADDRESS("waiting for leader %s to publish its address"),
  CLONE_WAITING_FOR_RUNNING_LEADER("waiting for leader %s to run before copying it (its state: %s)"),
  CLONE("trying to bootstrap from leader '%s'"),
  CLONE_AFTER_FAILURE("previous attempt failed (%s); trying to bootstrap from leader '%s'"),
  COPY_REFUSED_CLONING_AGAIN("PostgreSQL refused the copy made by %s (%s): moving it aside and cloning again from "
      + "leader '%s'; methods skipped: %s"),
  COPY_REFUSED_NO_METHOD_LEFT("PostgreSQL refused the copy made by %s (%s), and every replica method (%s) made a "
      + "refused copy: the node stays stopped and the copy stays in place; reinitialize it once a method can reach "
      + "the timeline of leader '%s'"),
  CLONE_FROM_REPLICA("trying to bootstrap from replica '%s' (clonefrom)"),
  CLONE_WITHOUT_LEADER("trying to bootstrap (without leader) with a no_leader replica method"),
  CLONE_WITHOUT_LEADER_AFTER_FAILURE("previous attempt failed (%s); trying to bootstrap (without leader) with a "
      + "no_leader replica method"),

  // ---- PostgreSQL cannot be probed ----
  UNPROBEABLE_HOLDER_FENCING("demoting self because PostgreSQL could not be probed for %d cycles (%s): stopping "
      + "it and releasing the leader lock so a healthy replica takes over"),
  UNPROBEABLE_HOLDER_WAITING("PostgreSQL could not be probed (%s); keeping the leader lock for %d more cycle(s) "
      + "before failing over"),
  UNPROBEABLE_STOPPING("stopping PostgreSQL: it could not be probed for %d cycles (%s) and may be running as a "
      + "primary without the lock"),
  UNPROBEABLE_WAITING("no action: PostgreSQL could not be probed (%s); I do not hold the lock"),

  // ---- we hold the lock ----
  FLAPPING_LEADER_BUG("demoting self and releasing the leader lock (PLANTED BUG flapping-leader)"),
  LEADER("no action. I am (%s), the leader with the lock"),
  HOLDER_PROMOTING("promoted self to leader because I had the session lock"),
  HOLDER_TOKEN_BEHIND("I am (%s), the leader with the lock, and PostgreSQL runs with fencing token %d of an earlier "
      + "lock: setting this lock's, %d"),
  START_FAILED_RELEASING_LOCK("removed leader key after trying and failing to start postgres: %s"),
  CRASH_FAILOVER("stopped PostgreSQL to fail over after a crash (primary_start_timeout is 0)"),
  STARTING_PRIMARY("starting primary after failure"),
  START_TIMEOUT_STOPPING("stopping PostgreSQL because of startup timeout (primary_start_timeout %d s); the lock "
      + "is released once the start has ended"),
  START_TIMEOUT_RELEASING("stopped PostgreSQL because of startup timeout (primary_start_timeout %d s)"),
  START_TIMEOUT_WAITING("primary start has timed out, but continuing to wait because failover is not possible"),
  PRIMARY_STILL_STARTING("PostgreSQL is still starting up, %d seconds until timeout"),

  // ---- someone else holds the lock ----
  NO_LOCK_DEMOTING("demoting self because I do not have the lock and I was a leader"),
  LEADER_WITHOUT_ADDRESS(
      "no action. I am (%s), a secondary, and the leader (%s) has not published its address yet"),
  STOPPING_WITHOUT_UPSTREAM("stopping PostgreSQL, running without an upstream, to check it against the new "
      + "leader (%s) before following it"),
  STOPPING_PAST_HISTORY("stopping PostgreSQL: it replayed timeline %d to %d, past where the cluster's history "
      + "ends that timeline (%d); it must be rewound before it can follow the leader (%s)"),
  STOPPING_OTHER_FORK("stopping PostgreSQL: %s; it must be rewound or re-cloned before it can follow the leader "
      + "(%s)"),
  STOPPING_LATER_TIMELINE("stopping PostgreSQL: it replays timeline %d and does not stream, and the leader (%s) "
      + "runs on the earlier timeline %d, so this timeline is not on the leader's line; it must be rewound or "
      + "re-cloned before it can follow the leader"),
  FOLLOWING_NEW_LEADER("changing primary_conninfo and reloading to follow new leader (%s)"),
  FOLLOWING("no action. I am (%s), a secondary, and following a leader (%s)"),
  COPYING_LOGICAL_SLOTS("I am (%s), a secondary following a leader (%s): copying the permanent logical slots %s"
      + " from it and restarting PostgreSQL to load them (PostgreSQL 15 makes no logical slot on a standby)"),
  SECONDARY_STILL_STARTING("no action. I am (%s), a secondary, and PostgreSQL is still starting up"),
  REJOINING("starting as a secondary following leader (%s)"),
  REJOINING_AFTER_FAILURE("previous attempt failed (%s); starting as a secondary following leader (%s)"),

  // ---- cascading: the replicatefrom tag (Decider.cascadeSource) ----
  FOLLOWING_REPLICATEFROM("no action. I am (%s), a secondary, and following %s (replicatefrom) of leader (%s)"),
  FOLLOWING_NEW_REPLICATEFROM("changing primary_conninfo and reloading to follow %s (replicatefrom)"),
  FOLLOWING_LEADER_INSTEAD("changing primary_conninfo and reloading to follow leader (%s) instead of %s: %s"),
  REJOINING_REPLICATEFROM("starting as a secondary following %s (replicatefrom)"),
  REJOINING_REPLICATEFROM_AFTER_FAILURE("previous attempt failed (%s); starting as a secondary following %s "
      + "(replicatefrom)"),
  REPLICATEFROM_GONE(Kind.REASON, "it has no member key"),
  REPLICATEFROM_NOT_RUNNING(Kind.REASON, "it is not a running replica with an address (state %s, role %s)"),
  REPLICATEFROM_OFF_LINE(Kind.REASON, "it is off the leader's timeline (%s)"),
  REPLICATEFROM_CYCLE(Kind.REASON, "the replicatefrom tags form a cycle (%s)"),

  // ---- a task that brings this node up as a replica keeps failing (Decider.backoff) ----
  TASK_FAILED_BACKING_OFF("%s failed %d times in a row (last: %s); next attempt in %s s, and the pause doubles "
      + "while it keeps failing (up to %d s). Fix the cause (PostgreSQL's own log in the data directory may say "
      + "more), or restart pgquorum to try again at once"),
  TASK_FAILED_AGAIN("%s failed again with the same error (%d times in a row); next attempt in %s s"),
  TASK_BACKOFF_WAITING("waiting to retry %s after %d failures in a row (last: %s); next attempt in %d s"),

  // ---- nobody holds the lock (the leader race) ----
  RACE_STILL_STARTING("no action: PostgreSQL is still starting up; the cluster has no leader"),
  RACE_STARTING_READ_ONLY("starting as a secondary: the cluster has no leader"),
  RACE_WAITING_FOR_CANDIDATE("no action: the cluster has no leader and PostgreSQL stays stopped until the new "
      + "leader holds the lock, then starts as its replica: %s"),
  NOT_ALLOWED_DEMOTING("demoting self because I am not allowed to promote (nofailover)"),
  NOT_ALLOWED("following a different leader because I am not allowed to promote"),
  REPLICAS_NEVER_RACE_BUG("following a different leader (PLANTED BUG replicas-never-race)"),
  NOT_HEALTHIEST_DEMOTING("demoting self because I am not the healthiest node: %s"),
  FAILSAFE_NO_RACE("not racing for the leader lock: %s"),
  FAILSAFE_NO_RACE_DEMOTING("demoting self: a primary without the lock and not racing for it: %s"),
  FAILSAFE_PROMISED(Kind.REASON, "%s runs as the primary on failsafe and this node promised not to race for %d ms "
      + "more"),
  FAILSAFE_JUST_STARTED(Kind.REASON, "failsafe mode is on and this daemon started too recently to know what it "
      + "promised before (%d ms more)"),
  FAILSAFE_NOT_LISTED(Kind.REASON, "failsafe mode is on and the failsafe key does not list this node, and not every "
      + "member it lists answered as a non-primary: %s"),
  NOT_HEALTHIEST("following a different leader because I am not the healthiest node: %s"),
  ACQUIRED_AS_PRIMARY("acquired session lock as a leader"),
  PROMOTED_BY_ACQUIRING("promoted self to leader by acquiring session lock"),
  // The two above are reported only once the lock is held; these when the acquire gate failed (Patroni's words).
  RACE_LOST("following new leader after trying and failing to obtain lock"),
  // ---- catch-up before promotion (CatchUp, issue 14) ----
  CATCH_UP_ACQUIRED("acquired session lock; catching up from %s before promotion: it has WAL up to %d on my timeline "
      + "%d, I have %d"),
  CATCH_UP_REPOINTING("catching up from %s before promotion: streaming from it (it has WAL up to %d, I have %d)"),
  CATCH_UP_WAITING("catching up from %s before promotion: at %d of %d (%d bytes to go; promoting anyway in %d s)"),
  CATCH_UP_DONE("promoted self to leader because I had the session lock, after catching up from %s (my WAL reaches "
      + "%d, it had %d)"),
  CATCH_UP_SOURCE_GONE("promoted self to leader because I had the session lock, without catching up from %s: it no "
      + "longer answers as a replica on my timeline (my WAL reaches %d, it had %d: up to %d bytes may be lost)"),
  CATCH_UP_TIMED_OUT("promoted self to leader because I had the session lock, without catching up from %s: not "
      + "caught up within %s s (my WAL reaches %d, it has %d: up to %d bytes may be lost)"),
  RACE_LOST_AS_PRIMARY("failed to acquire session lock as a leader: another member took it first"),
  // ... and these when a required watchdog that is not running forbids taking the lock (no claim, no attempt).
  WATCHDOG_NOT_PROMOTING("not promoting self because watchdog could not be activated"),
  WATCHDOG_NOT_ACQUIRING("not acquiring session lock as a leader because watchdog could not be activated"),

  // ---- why this node is not the healthiest (the end of the two messages above) ----
  // Patroni's _is_healthiest_node logs these reasons on lines of their own; their words are kept (operators grep
  // for them), with the positions and settings behind them appended.
  TIMELINE_BEHIND(Kind.REASON, "My timeline %d is behind last known cluster timeline %d"),
  ON_ANOTHER_FORK(Kind.REASON, "My timeline is not the cluster's: %s"),
  LAGGING(Kind.REASON, "My wal position exceeds maximum replication lag (%d is %d bytes behind the last known "
      + "leader position %d; maximum_lag_on_failover %d)"),
  PEER_IS_PRIMARY(Kind.REASON, "Primary (%s) is still alive"),
  PEER_ON_LATER_TIMELINE(Kind.REASON, "Wal position of %s is ahead of my wal position: it is on a later timeline "
      + "(%d > %d)"),
  PEER_AHEAD(Kind.REASON, "Wal position of %s is ahead of my wal position (%d > %d)"),
  PEER_PREFERRED(Kind.REASON, "%s has equally tolerable WAL position and priority %d, while this node has "
      + "priority %d"),

  // ---- a standby cluster (standby_cluster in the dynamic configuration) ----
  STANDBY_BOOTSTRAP("trying to bootstrap a new standby leader: cloning from %s"),
  STANDBY_LEADER("no action. I am (%s), the standby leader with the lock, following %s"),
  STANDBY_LEADER_FOLLOWING_REMOTE("following %s as the standby leader because I had the session lock"),
  STANDBY_LEADER_STARTING("starting as a standby leader of %s because I had the session lock"),
  STANDBY_LEADER_STILL_STARTING("waiting for the standby leader's PostgreSQL to accept connections"),
  STANDBY_LEADER_STOPPING_PRIMARY("cannot be a real primary in a standby cluster: stopping PostgreSQL to restart "
      + "it as the standby leader"),
  STANDBY_LEADER_BY_ACQUIRING("taking the leader lock to become the standby leader, following %s"),
  STANDBY_LEADER_SETTINGS_CHANGED("standby_cluster changed %s: rewriting the standby leader's recovery settings "
      + "and reloading"),
  STANDBY_MEMBER_SETTINGS_CHANGED("standby_cluster changed %s: rewriting my recovery settings and reloading; "
      + "following a standby leader (%s)"),
  STANDBY_UNHEALTHY_FOLLOWING_REMOTE("trying to follow a remote member because standby cluster is unhealthy"),
  REMOTE_ARCHIVE(Kind.REASON, "the archive (restore_command)"),

  // ---- a required watchdog that is not running forbids a lock step (the LeaseBlocked gate's warning) ----
  WATCHDOG_BLOCKS_RACE(Kind.WARNING, "not racing to bootstrap: watchdog.mode is required and the watchdog is not "
      + "usable"),
  WATCHDOG_BLOCKS_ACQUIRE(Kind.WARNING, "not taking the leader lock: watchdog.mode is required and the watchdog "
      + "process is not running"),
  WATCHDOG_BLOCKS_REFRESH(Kind.WARNING, "not refreshing the leader lock: watchdog.mode is required and the "
      + "watchdog process is not running"),

  // ---- an operator's request for this node's PostgreSQL: restart, reinitialize (LocalOperations) ----
  RESTARTING("restarting PostgreSQL on request"),
  RESTART_LEAVING_SYNC("not restarting PostgreSQL yet: %s is a synchronous standby and leaves synchronous duty first "
      + "(nosync published, waiting for the primary to drop it from the sync key and from "
      + "synchronous_standby_names)"),
  RESTART_LEAVING_SYNC_TIMED_OUT("restarting PostgreSQL on request: the primary did not drop %s from the sync key "
      + "within 2 loop_waits"),
  RESTARTING_SCHEDULED("restarting PostgreSQL: the restart scheduled at %s is due"),
  RESTART_ROLE_MISMATCH("not restarting PostgreSQL: host role mismatch (%s, not %s)"),
  RESTART_VERSION_MISMATCH("not restarting PostgreSQL: postgres version mismatch (%d is not lower than %d)"),
  RESTART_NOT_PENDING("not restarting PostgreSQL: pending restart flag is not set"),
  RESTART_NOT_RUNNING("not restarting PostgreSQL: it is not running"),
  RESTART_STILL_STARTING("not restarting PostgreSQL: it is still starting"),
  RESTART_REFUSED_TASK("not restarting PostgreSQL: %s in progress"),
  RESTART_PRIMARY_WITHOUT_LOCK("not restarting PostgreSQL: it runs as primary without the leader lock"),
  RESTART_SCHEDULED("restart scheduled at %s"),
  RESTART_ALREADY_SCHEDULED("not scheduling a restart: another one is scheduled at %s"),
  SCHEDULED_RESTART_CANCELLED("the restart scheduled at %s is cancelled"),
  NO_SCHEDULED_RESTART("no restart is scheduled, nothing to cancel"),
  SCHEDULED_RESTART_STALE("found a stale scheduled restart (%s), cleaning up"),
  REINITIALIZING("reinitializing: cloning again from %s (the data directory is moved aside, or reused by a --delta "
      + "restore when it was a standby)"),
  REINITIALIZE_REFUSED_LEADER("not reinitializing: I am the leader"),
  REINITIALIZE_REFUSED_NO_LEADER("not reinitializing: the cluster has no leader"),
  REINITIALIZE_REFUSED_TASK("not reinitializing: %s in progress"),
  REQUEST_REFUSED_DCS("not acting on the operator's request: DCS is not accessible"),
  REQUEST_REFUSED_SHUTDOWN("not acting on the operator's request: shutting down"),

  // ---- pre_promote (CallbackRules) ----
  PRE_PROMOTE_REFUSED_RELEASING("released the leader lock: %s; staying out of leader races for %s s"),
  PRE_PROMOTE_BACKOFF("backoff: skip leader race after pre_promote script failure and releasing the lock "
      + "voluntarily"),

  // ---- a requested switchover or failover (the failover key; ManualFailover). Patroni's log lines. ----
  KIND_SWITCHOVER(Kind.REASON, "switchover"),
  KIND_FAILOVER(Kind.REASON, "failover"),
  SWITCHOVER_AWAITING("Awaiting %s at %s (in %d seconds)"),
  SWITCHOVER_STALE("Found a stale %s value, cleaning up: it was scheduled at %s"),
  SCHEDULE_UNREADABLE("Found an unreadable scheduled_at '%s' in the failover key, cleaning up"),
  MANUAL_LEADER_MISMATCH("%s: leader name does not match: %s != %s"),
  MANUAL_ALREADY_LEADER("%s: I am already the leader, no need to %s"),
  MANUAL_NOT_POSSIBLE("%s: no healthy members found, %s is not possible (%s)"),
  MANUAL_DEMOTING("%s: demoting myself, handing over to %s"),
  MANUAL_RELEASING_DOWN("%s: PostgreSQL is not running here; releasing the leader lock to the candidate %s"),
  MANUAL_NO_MEMBERS(Kind.REASON, "no other member answered"),
  MANUAL_CANDIDATE_UNKNOWN(Kind.REASON, "candidate %s is not a member that answered"),
  MANUAL_MEMBER_UNREACHABLE(Kind.REASON, "%s is not reachable"),
  MANUAL_MEMBER_NOT_ALLOWED(Kind.REASON, "%s is not allowed to promote"),
  MANUAL_MEMBER_NOT_RUNNING(Kind.REASON, "%s is not running as a replica"),
  MANUAL_MEMBER_OTHER_TIMELINE(Kind.REASON, "%s is on timeline %d, not on mine (%d)"),
  MANUAL_MEMBER_OTHER_FORK(Kind.REASON, "%s is not on the cluster's line: %s"),
  MANUAL_MEMBER_OTHER_EPOCH(Kind.REASON, "%s is on another fork of timeline %d: its timeline was started under "
      + "fencing token %d, mine under %d"),
  MANUAL_MEMBER_LAGGING(Kind.REASON, "%s lags %d bytes behind (maximum_lag_on_failover %d)"),
  MANUAL_MEMBER_NOT_SYNC_PROMOTABLE(Kind.REASON, "%s could not be promoted once I stop: synchronous_mode %s: %s"),
  MANUAL_CANDIDATE_HEALTHY(Kind.REASON, "%s is the healthy candidate of a manual %s"),
  MANUAL_FORMER_LEADER(Kind.REASON, "I am the former leader of a %s and %s can take over"),


  // ---- maintenance mode: pause in the dynamic configuration (PauseRules); Patroni's "PAUSE: " prefix ----
  PAUSED("PAUSE: %s"),
  PAUSE_NOT_ACTING("PAUSE: no action in maintenance mode; without it: %s"),
  PAUSE_RELEASING_NOT_PRIMARY("PAUSE: removed leader lock because postgres is not running as primary"),
  PAUSE_RELEASING_NOT_RUNNING("PAUSE: removed leader lock because postgres is not running"),
  PAUSE_HOLDER_WAITING("PAUSE: no action. I am (%s), the leader with the lock, and PostgreSQL does not accept "
      + "connections (%s)"),
  PAUSE_STARTING_UP(Kind.REASON, "it is starting up"),
  PAUSE_STARTING_CANDIDATE_GONE("PAUSE: %s (done in maintenance mode too: this node stopped its primary to hand "
      + "over to %s, which is gone; it starts read-only so that a new request can name it)"),
  PAUSE_STILL_DEMOTING("PAUSE: %s (done in maintenance mode too: a primary without the lock would accept writes "
      + "without a valid lease)"),
  // ---- a switchover or failover while paused (PausedHandover); the first two only ever fill PAUSED ----
  PAUSE_SCHEDULED_WAITS(Kind.REASON, "the %s scheduled at %s waits: scheduled actions do not run in maintenance "
      + "mode"),
  PAUSE_NEEDS_CANDIDATE(Kind.REASON, "%s is possible only to a specific candidate in a paused state; cleaning up "
      + "the request"),
  PAUSE_REJOINING_AFTER_HANDOVER("PAUSE: %s (done in maintenance mode too: this node stopped its primary to hand "
      + "over, and starts it again as a replica of the new leader)"),

  // ---- an operator's restart or reinitialize, continued ----
  REINITIALIZE_CANCELLING("reinitializing: cancelling the running %s (force), then moving the data directory aside "
      + "and cloning again from %s"),
  REINITIALIZE_CANCEL_FAILED("not reinitializing: %s did not end within %d s of its cancellation"),
  RESTART_TIMEOUT_RELEASING("stopped PostgreSQL because of startup timeout (the restart's timeout ran out)"),

  // ---- synchronous replication, synchronous_mode on (SyncDuty) ----
  SYNC_LEADER("no action. I am (%s), the leader with the lock; %s"),
  SYNC_LEADER_CHANGING("I am (%s), the leader with the lock; synchronous replication: %s"),
  SYNC_STEPS(Kind.REASON, "steps %s"),
  SYNC_STEPS_AND_NOTICE(Kind.REASON, "steps %s; %s"),
  SYNC_STEP_OFF(Kind.REASON, "steps: deleting /sync key (synchronous_mode is off), then "
      + "synchronous_standby_names back to the configured value"),
  SYNC_NOT_PROMOTABLE(Kind.REASON, "synchronous_mode %s: %s"),
  SYNC_HOLDER_CLAIMING("promoting self to leader because I had the session lock, once /sync names me (%s)"),
  SYNC_POSTPONING_PROMOTION("Postponing promotion because synchronous replication state was updated by somebody "
      + "else"),
  SYNC_HOLDER_NOT_PROMOTABLE("releasing the leader lock without promoting: %s");

  /** Where the text goes. */
  enum Kind {
    /** A decision's whole message ({@link Decision#message()}). */
    MESSAGE,
    /**
     * Why the node is not the healthiest: the end of {@link #NOT_HEALTHIEST} and {@link #NOT_HEALTHIEST_DEMOTING};
     * also what fills a message's place for a standby cluster's remote that is an archive ({@link #REMOTE_ARCHIVE}).
     */
    REASON,
    /** The reason of an {@link Action.Fatal}. */
    FATAL,
    /** The warning of an {@link Action.LeaseBlocked} gate. */
    WARNING
  }

  private static final Pattern PLACEHOLDER = Pattern.compile("%[sd]");

  private final Kind kind;
  private final String template;

  DecisionMessage(String template) {
    this(Kind.MESSAGE, template);
  }

  DecisionMessage(Kind kind, String template) {
    this.kind = kind;
    this.template = template;
  }

  Kind kind() {
    return kind;
  }

  String template() {
    return template;
  }

  /** The text with {@code args} in place; fails when their number does not match the template's placeholders. */
  String format(Object... args) {
    int expected = placeholders();
    if (args.length != expected) {
      throw new IllegalArgumentException(name() + " takes " + expected + " argument(s), got " + args.length);
    }
    return String.format(Locale.ROOT, template, args);
  }

  private int placeholders() {
    Matcher m = PLACEHOLDER.matcher(template);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }
}
