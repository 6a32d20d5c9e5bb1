package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.config.StandbyCluster;
import io.pgquorum.coordinator.config.Tags;
import io.pgquorum.dcs.planted.PlantedBug;
import io.pgquorum.dcs.planted.PlantedBugs;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Everything one {@link Decider} call reads, for node {@link #ME}, changed a piece at a time with {@code with*}
 * methods. Like the HA loop, {@link #decide()} hands what the decision remembers ({@link HaMemory}) to the next
 * call; time moves only when the scenario moves it ({@link #withClockAdvanced}).
 */
final class DeciderScenario {
  static final String ME = "node1";
  /** Where the monotonic clock starts: 1000 s (not a multiple of the planted flapping period). */
  static final long START_NANOS = 1_000_000_000_000L;

  private final ClusterBuilder cluster = ClusterBuilder.noKeys();
  private boolean dcsReachable = true;
  private final PgStateBuilder pg = new PgStateBuilder();
  private Optional<Task> runningTask = Optional.empty();
  private boolean mayHoldLease = true;
  private Optional<String> failedTask = Optional.empty();
  private Optional<io.pgquorum.coordinator.postgres.RefusedCopy> refusedCopy = Optional.empty();
  private Optional<LocalRequest> request = Optional.empty();
  private OptionalLong leaseDeadline = OptionalLong.empty();
  private boolean shutdown;
  private int ttl = 8;
  private int loopWait = 1;
  private long maximumLagOnFailover = 1_048_576;
  private int primaryStartTimeout = 300;
  private boolean useSlots = true;
  private boolean paused;
  /** The synchronous replication keys of the dynamic configuration, as written in its raw map. */
  private final Map<String, Object> syncKeys = new java.util.TreeMap<>();
  private Optional<StandbyCluster> standbyCluster = Optional.empty();
  private boolean nofailover;
  private boolean cloneWithoutLeader;
  private Hooks hooks = Hooks.NONE;
  private BackrestView backrest = BackrestView.OFF;
  /** The backrest section's backup planning and whether this node's backup job runs (with {@link #backrest}). */
  private Optional<BackrestView.BackupPlan> backupPlan = Optional.empty();
  private boolean backupRunning;
  /** The {@code backups} key. */
  private Optional<io.pgquorum.coordinator.cluster.RestoreRecord> restoreKey = Optional.empty();
  private Optional<Map<String, String>> failsafeKey = Optional.empty();
  private FailsafePromise.Local failsafeLocal = FailsafePromise.Local.NONE;
  private DcsLeadership dcsLeadership = DcsLeadership.UNKNOWN;
  private io.pgquorum.coordinator.cluster.BackupRecord backupsKey =
      io.pgquorum.coordinator.cluster.BackupRecord.NONE;
  private int failoverPriority = 1;
  private Optional<String> replicatefrom = Optional.empty();
  private boolean nostream;
  private PlantedBugs bugs = PlantedBugs.NONE;
  private final Map<String, PeerView> peers = new TreeMap<>();
  private HaMemory memory = HaMemory.NONE;
  private long nowNanos = START_NANOS;
  /** The wall clock (only scheduled switchovers read it). */
  private java.time.Instant wallNow = java.time.Instant.parse("2030-01-01T12:00:00Z");

  /** The DCS keys, to change with their own {@code with*} methods. */
  ClusterBuilder cluster() {
    return cluster;
  }

  /** The PostgreSQL probe, to change with its own {@code with*} methods. */
  PgStateBuilder pg() {
    return pg;
  }

  /** Whether this cycle could read the DCS (when not, the decision gets no snapshot at all). */
  DeciderScenario withDcsReachable(boolean reachable) {
    dcsReachable = reachable;
    return this;
  }

  DeciderScenario withRunningTask(Optional<Task> task) {
    runningTask = task;
    return this;
  }

  /** A task that failed since the last cycle, with its error as the task runner reports it. */
  DeciderScenario withFailedTask(Optional<String> failure) {
    failedTask = failure;
    return this;
  }

  /** A copy PostgreSQL refused at its start (kept by the task runner until the next task starts). */
  DeciderScenario withRefusedCopy(Optional<io.pgquorum.coordinator.postgres.RefusedCopy> refused) {
    refusedCopy = refused;
    return this;
  }

  /** The local lease deadline, {@code validForNanos} from now (0: it runs out now); empty: no lease. */
  DeciderScenario withLease(OptionalLong validForNanos) {
    leaseDeadline = validForNanos.isPresent() ? OptionalLong.of(nowNanos + validForNanos.getAsLong())
        : OptionalLong.empty();
    return this;
  }

  DeciderScenario withShutdownRequested(boolean requested) {
    shutdown = requested;
    return this;
  }

  /** The dynamic configuration's ttl in force, seconds (the leader key may still carry another). */
  DeciderScenario withTtl(int seconds) {
    ttl = seconds;
    return this;
  }

  /** The dynamic configuration's loop_wait, seconds (what the pause between failing tasks starts from). */
  DeciderScenario withLoopWait(int seconds) {
    loopWait = seconds;
    return this;
  }

  DeciderScenario withMaximumLagOnFailover(long bytes) {
    maximumLagOnFailover = bytes;
    return this;
  }

  DeciderScenario withPrimaryStartTimeout(int seconds) {
    primaryStartTimeout = seconds;
    return this;
  }

  /** The standby_cluster section set so far. */
  Optional<StandbyCluster> standbyCluster() {
    return standbyCluster;
  }

  /** The dynamic configuration's standby_cluster section (empty: not a standby cluster). */
  DeciderScenario withStandbyCluster(Optional<StandbyCluster> section) {
    standbyCluster = section;
    return this;
  }

  /** A synchronous replication key of the dynamic configuration ({@code synchronous_mode} & co.). */
  DeciderScenario withSyncKey(String key, Object value) {
    syncKeys.put(key, value);
    return this;
  }

  /** Maintenance mode: {@code pause} in the dynamic configuration. */
  DeciderScenario withPause(boolean pause) {
    paused = pause;
    return this;
  }

  DeciderScenario withUseSlots(boolean slots) {
    useSlots = slots;
    return this;
  }

  DeciderScenario withTags(boolean nofailover, int failoverPriority) {
    this.nofailover = nofailover;
    this.failoverPriority = failoverPriority;
    return this;
  }

  /** node1's nostream tag. */
  DeciderScenario withNostream(boolean on) {
    nostream = on;
    return this;
  }

  /** node1's replicatefrom tag (empty: none). */
  DeciderScenario withReplicatefrom(Optional<String> member) {
    replicatefrom = member;
    return this;
  }

  boolean nofailover() {
    return nofailover;
  }

  int failoverPriority() {
    return failoverPriority;
  }

  DeciderScenario withPlantedBugs(List<? extends PlantedBug> planted) {
    bugs = PlantedBugs.of(planted.toArray(new PlantedBug[0]));
    return this;
  }

  PlantedBugs plantedBugs() {
    return bugs;
  }

  /** What a peer's REST API answered this cycle. */
  DeciderScenario withPeer(PeerView peer) {
    peers.put(peer.name(), peer);
    return this;
  }

  DeciderScenario withoutPeer(String name) {
    peers.remove(name);
    return this;
  }

  DeciderScenario withMemory(HaMemory remembered) {
    memory = remembered;
    return this;
  }

  HaMemory memory() {
    return memory;
  }

  DeciderScenario withClockAt(long nanos) {
    nowNanos = nanos;
    return this;
  }

  /** Whether a replica method marked no_leader is configured. */
  DeciderScenario withCloneWithoutLeader(boolean can) {
    cloneWithoutLeader = can;
    return this;
  }

  /** Whether the lock may be held: false while {@code watchdog.mode: required} and the watchdog is not running. */
  DeciderScenario withMayHoldLease(boolean may) {
    mayHoldLease = may;
    return this;
  }

  DeciderScenario withClockAdvanced(long nanos) {
    nowNanos += nanos;
    return this;
  }

  DeciderScenario withHooks(Hooks configured) {
    hooks = configured;
    return this;
  }

  Hooks hooks() {
    return hooks;
  }

  /** Where this node's pgBackRest stanza work stands (an input observed from its job). */
  DeciderScenario withBackrest(BackrestView view) {
    backrest = view;
    return this;
  }

  /** The section's backup planning (empty: none) and whether a backup runs on this node. */
  DeciderScenario withBackups(Optional<BackrestView.BackupPlan> plan, boolean running) {
    backupPlan = plan;
    backupRunning = running;
    return this;
  }

  Optional<BackrestView.BackupPlan> backupPlan() {
    return backupPlan;
  }

  boolean backupRunning() {
    return backupRunning;
  }

  /** The {@code failsafe} key as the DCS holds it. */
  DeciderScenario withFailsafeKey(Optional<Map<String, String>> key) {
    failsafeKey = key;
    return this;
  }

  /** What the loop sampled of failsafe mode (the promise given, the daemon's start). */
  DeciderScenario withFailsafeLocal(FailsafePromise.Local local) {
    failsafeLocal = local;
    return this;
  }

  FailsafePromise.Local failsafeLocal() {
    return failsafeLocal;
  }

  /** The {@code backups} key as the DCS holds it. */
  DeciderScenario withRestoreKey(Optional<io.pgquorum.coordinator.cluster.RestoreRecord> key) {
    restoreKey = key;
    return this;
  }

  DeciderScenario withBackupsKey(io.pgquorum.coordinator.cluster.BackupRecord key) {
    backupsKey = key;
    return this;
  }

  DeciderScenario withWallClock(java.time.Instant at) {
    wallNow = at;
    return this;
  }

  long nowNanos() {
    return nowNanos;
  }

  HaPolicy policy() {
    DynamicConfig dyn = new DynamicConfig(ttl, loopWait, 2, maximumLagOnFailover, primaryStartTimeout, true, useSlots,
        Map.of(), List.of(), standbyCluster, raw());
    NodeSettings node = NodeSettings.defaults(dyn);
    node = new NodeSettings(node.connUrl(), node.apiUrl(), node.customBootstrap(), node.usePgRewind(),
        node.removeDataDirectoryOnRewindFailure(), node.removeDataDirectoryOnDivergedTimelines(),
        node.bootstrapDcs(), cloneWithoutLeader, hooks);
    Map<String, Object> allTags = new java.util.TreeMap<>(replicatefrom.<Map<String, Object>>map(
        r -> Map.of("replicatefrom", r)).orElse(Map.of()));
    if (nostream) {
      allTags.put("nostream", true);
    }
    return new HaPolicy(ME, new Tags(nofailover, false, false, false, failoverPriority, allTags), dyn, bugs, node);
  }

  private Map<String, Object> raw() {
    Map<String, Object> raw = new java.util.TreeMap<>(syncKeys);
    if (paused) {
      raw.put("pause", true);
    }
    return raw;
  }

  Optional<ClusterSnapshot> snapshot() {
    return dcsReachable ? Optional.of(cluster.build().withBackups(backupsKey).withRestore(restoreKey)
        .withFailsafe(failsafeKey))
        : Optional.empty();
  }

  LocalState local() {
    return new LocalState(pg.build(), runningTask, failedTask, leaseDeadline, shutdown, memory, mayHoldLease,
        request, backrest.withBackups(backupPlan, backupRunning), refusedCopy, failsafeLocal, dcsLeadership);
  }

  DeciderScenario withDcsLeadership(DcsLeadership next) {
    dcsLeadership = next;
    return this;
  }

  /** An operator's request for the next decision only (the loop takes each once). */
  DeciderScenario withRequest(Optional<LocalRequest> r) {
    request = r;
    return this;
  }

  /** This cycle's decision; what it remembers becomes the next cycle's memory, as in the HA loop. */
  Decision decide() {
    Decision d = Decider.decide(snapshot(), local(), policy(), Collections.unmodifiableMap(peers), nowNanos,
        wallNow);
    memory = d.memory();
    request = Optional.empty();
    return d;
  }

  /** Whether the loop would ask the peers before deciding this cycle. */
  boolean needsPeerViews() {
    return Decider.needsPeerViews(snapshot(), local(), policy(), nowNanos);
  }
}
