package io.pgquorum.coordinator.sim;

import io.pgquorum.coordinator.ha.sync.SyncStandbyNames;
import io.pgquorum.coordinator.postgres.PgState;
import io.pgquorum.coordinator.postgres.PgState.DataDirState;
import io.pgquorum.coordinator.postgres.PgState.Role;
import io.pgquorum.coordinator.postgres.Postgres;
import io.pgquorum.coordinator.postgres.PostgresException;
import io.pgquorum.coordinator.postgres.StopMode;
import io.pgquorum.coordinator.postgres.TimelineEpoch;
import io.pgquorum.coordinator.postgres.TimelineEpochLine;
import io.pgquorum.coordinator.postgres.TimelineSwitch;
import io.pgquorum.coordinator.postgres.Upstream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A simulated PostgreSQL with what the HA rules depend on: a data directory, a role, a WAL position on a timeline
 * and the timelines it descends from (its history), streaming from an upstream only while the link is up and its
 * history is a prefix of the upstream's (as PostgreSQL refuses a timeline that forked before its replay point),
 * crash (kill), clean and immediate stops, promotion to a new timeline, pg_rewind and clone.
 *
 * <p>A promotion moves to timeline + 1, as PostgreSQL does, so two servers can end up with the same timeline number
 * on different forks. Each fork therefore also gets a cluster-wide unique <em>branch</em> id
 * ({@link SimCluster#nextBranch()}), invisible to the code under test, that the streaming rule and the lost-write
 * checker compare (real PostgreSQL tells such forks apart by the contents of its timeline history files).
 */
final class SimPostgres implements Postgres {
  /** Bytes of WAL one acknowledged client write adds: a batch, so that lag is measured in useful units. */
  static final long WRITE_BYTES = 64 * 1024;
  static final long INITIAL_LSN = 0x1000000L;
  static final String SYSID = "7000000000000000001";

  private final SimCluster cluster;
  private final SimNode node;
  DataDirState dataDir = DataDirState.EMPTY;
  boolean running;
  Role role = Role.UNKNOWN;
  int timeline;
  /** The fork this server's current timeline is (unique cluster-wide, unlike the timeline number). */
  int branch;
  long lsn;
  /**
   * The epochs of this data's line ({@link PgState#epochLine}): for each timeline from 2 on, the fencing token of the
   * promotion that started the fork of it this data descends from; empty on timeline 1. Models what a real
   * deployment records next to the data (see docs/findings/same-timeline-forks.md and sim-seed-74489957632632.md):
   * extended by the promotion, taken over from the source by a clone, a rewind and a replica's streaming onto the
   * timeline (the whole line: the data is the source's from then on), forgotten with the data directory; a daemon
   * restart keeps it.
   */
  TimelineEpochLine epochs = TimelineEpochLine.NONE;
  /** The forks this server's timeline descends from, oldest first, with where each ended (its switch point). */
  List<Ancestor> ancestors = List.of();
  Optional<Upstream> upstream = Optional.empty();
  boolean streaming;
  long token;
  boolean clean;
  private long pid;
  /**
   * synchronous_standby_names as pgquorum last set it ("" when none). Kept through restarts as primary and dropped
   * when the server starts as a standby, as LocalPostgres keeps it (in on mode the daemon also re-adopts it from its
   * file after its own restart; the simulation keeps it with the machine whatever the mode).
   */
  String syncNames = "";
  /**
   * A standby that has not yet reached its upstream's position since it connected ({@code catchup} in
   * pg_stat_replication): PostgreSQL makes only {@code streaming} ones synchronous.
   */
  boolean catchingUp;
  /** Client commits written to this primary's WAL that wait for synchronous standbys, oldest first. */
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();

  /** A commit in the WAL that its client has not been told about yet, with the epoch it was written under. */
  record Waiting(long token, int branch, long lsn) {}

  SimPostgres(SimCluster cluster, SimNode node) {
    this.cluster = cluster;
    this.node = node;
  }

  /** A timeline this server's history passed through: PostgreSQL's number, the fork's id, its switch point. */
  record Ancestor(int timeline, int branch, long end) {}

  boolean isPrimary() {
    return running && role == Role.PRIMARY;
  }

  /** Whether this server's WAL holds position {@code at} of fork {@code onBranch}. */
  boolean contains(int onBranch, long at) {
    if (onBranch == branch) {
      return at <= lsn;
    }
    for (Ancestor a : ancestors) {
      if (a.branch() == onBranch) {
        return at <= a.end();
      }
    }
    return false;
  }

  /** Whether {@code up}'s history continues ours (we may stream from it, or start following it as we are). */
  boolean isPrefixOf(SimPostgres up) {
    if (up.dataDir != DataDirState.INITIALIZED || !up.contains(branch, lsn)) {
      return false;
    }
    return up.ancestors.size() >= ancestors.size() && up.ancestors.subList(0, ancestors.size()).equals(ancestors);
  }

  private void copyHistoryOf(SimPostgres up) {
    timeline = up.timeline;
    branch = up.branch;
    lsn = up.lsn;
    ancestors = up.ancestors;
    epochs = up.epochs;
  }

  /** One replication step: a running replica catches up with its upstream if it can reach and follow it. */
  void replicate() {
    boolean wasStreaming = streaming;
    streaming = false;
    if (!running || role != Role.REPLICA || upstream.isEmpty()) {
      catchingUp = false;
      return;
    }
    SimNode up = cluster.node(upstream.get().name());
    if (up == null || up == node || !up.pg.running || !cluster.linkUp(node, up) || !isPrefixOf(up.pg)) {
      catchingUp = false;
      return;
    }
    long limit = cluster.options.catchUpWrites * WRITE_BYTES;
    if (!catchingUp && !wasStreaming) {
      catchingUp = true;
    }
    if (limit > 0 && up.pg.branch == branch && up.pg.lsn - lsn > limit) {
      // Limited bandwidth (only when a schedule sets catch-up): a standby far behind receives part of the gap per
      // tick. A timeline switch is always taken whole (the simple model: no standby half-way into a new fork).
      lsn += limit;
    } else {
      copyHistoryOf(up.pg);
      // Reached the upstream's end once: from now on this connection is streaming (as a walsender leaves catchup).
      catchingUp = false;
    }
    streaming = true;
  }

  /**
   * A client commit: accepted only by a running primary, written to its WAL, then acknowledged once
   * synchronous_standby_names is satisfied ({@link #releaseCommits}; at once when it names none).
   */
  void write() {
    if (!isPrimary()) {
      return;
    }
    lsn += WRITE_BYTES;
    waiting.add(new Waiting(token, branch, lsn));
    releaseCommits();
  }

  /** Commits waiting now (transcripts show them). */
  int waitingCommits() {
    return waiting.size();
  }

  /**
   * Acknowledges the waiting commits the synchronous standbys have flushed, oldest first, as PostgreSQL releases
   * waiters when a standby's reply arrives (here: after a write, a replication tick, a change of the setting).
   */
  void releaseCommits() {
    if (!isPrimary() || waiting.isEmpty()) {
      return;
    }
    long upTo = syncedUpTo();
    while (!waiting.isEmpty() && waiting.peek().lsn() <= upTo) {
      Waiting w = waiting.poll();
      cluster.acked(node, w);
    }
  }

  private void dropWaiting() {
    // The clients of commits still waiting get an error (the connection is gone): never acknowledged.
    waiting.clear();
  }

  /** The servers streaming from this one now, by name: pg_stat_replication without its synchronous columns. */
  private List<SimNode> standbys() {
    List<SimNode> out = new ArrayList<>();
    for (SimNode m : cluster.nodes()) {
      SimPostgres p = m.pg;
      if (m != node && p.running && p.role == Role.REPLICA && p.streaming && p.branch == branch
          && p.upstream.map(u -> u.name().equals(node.name)).orElse(false)) {
        out.add(m);
      }
    }
    return out;
  }

  /** PostgreSQL's priority of a standby: its place in a FIRST list (1 for {@code *} and ANY), 0 when unlisted. */
  private static int priority(SyncStandbyNames names, String name) {
    return switch (names.kind()) {
      case NONE -> 0;
      case ANY_STANDBY -> 1;
      case ANY -> names.lists(name) ? 1 : 0;
      case FIRST -> {
        int i = 0;
        while (i < names.names().size() && !names.names().get(i).equalsIgnoreCase(name)) {
          i++;
        }
        yield i < names.names().size() ? i + 1 : 0;
      }
    };
  }

  /**
   * The standbys PostgreSQL would wait for now (walsenders in {@code streaming} with a priority), best first: for
   * FIRST the lowest priority numbers, then name (PostgreSQL's tie is its walsender slot order: fixed here).
   */
  private List<SimNode> candidates(SyncStandbyNames names) {
    List<SimNode> c = new ArrayList<>();
    for (SimNode m : standbys()) {
      if (!m.pg.catchingUp && priority(names, m.name) > 0) {
        c.add(m);
      }
    }
    c.sort(Comparator.<SimNode>comparingInt(m -> priority(names, m.name)).thenComparing(m -> m.name));
    return c;
  }

  /**
   * Up to which position commits are synchronously replicated: FIRST n: the least flushed of the n best candidates;
   * ANY n: the n-th most flushed; nothing when fewer than n candidates stream (commits wait). No setting: all.
   */
  private long syncedUpTo() {
    SyncStandbyNames names = SyncStandbyNames.parse(syncNames);
    if (names.kind() == SyncStandbyNames.Kind.NONE) {
      return Long.MAX_VALUE;
    }
    List<SimNode> c = candidates(names);
    int n = names.kind() == SyncStandbyNames.Kind.ANY_STANDBY ? 1 : names.count();
    if (c.size() < n) {
      return -1;
    }
    List<Long> flushed = new ArrayList<>();
    c.forEach(m -> flushed.add(m.pg.lsn));
    if (names.kind() == SyncStandbyNames.Kind.ANY) {
      flushed.sort(Comparator.reverseOrder());
      return flushed.get(n - 1);
    }
    return flushed.subList(0, n).stream().mapToLong(Long::longValue).min().orElse(-1);
  }

  /** pg_stat_replication's rows with sync_state as PostgreSQL 15 reports it (sync, quorum, potential, async). */
  private List<PgState.Standby> replicationRows() {
    SyncStandbyNames names = SyncStandbyNames.parse(syncNames);
    List<SimNode> c = candidates(names);
    int n = names.kind() == SyncStandbyNames.Kind.ANY_STANDBY ? 1 : names.count();
    List<PgState.Standby> rows = new ArrayList<>();
    List<SimNode> all = standbys();
    all.sort(Comparator.comparing(m -> m.name));
    for (SimNode m : all) {
      String state;
      if (priority(names, m.name) == 0) {
        state = "async";
      } else if (names.kind() == SyncStandbyNames.Kind.ANY) {
        state = c.contains(m) ? "quorum" : "potential";
      } else {
        state = c.indexOf(m) >= 0 && c.indexOf(m) < n ? "sync" : "potential";
      }
      rows.add(new PgState.Standby(m.name, "10.0.0." + m.index, m.pg.catchingUp ? "catchup" : "streaming", state,
          m.pg.lsn));
    }
    return rows;
  }

  /** The postmaster dies (kill -9 of PostgreSQL, OOM killer): no clean shutdown. */
  void kill() {
    if (running) {
      running = false;
      role = Role.UNKNOWN;
      clean = false;
      streaming = false;
      dropWaiting();
      cluster.effect(node, "pg killed");
    }
  }

  @Override
  public PgState probe() {
    if (dataDir != DataDirState.INITIALIZED) {
      return PgState.stopped(dataDir);
    }
    if (!running) {
      return new PgState(DataDirState.INITIALIZED, false, OptionalLong.empty(), Optional.empty(), Role.UNKNOWN,
          timeline, lsn, OptionalLong.empty(), OptionalLong.empty(), Optional.empty(), Optional.empty(),
          Optional.empty(), List.of(), Optional.of(SYSID), 150010, OptionalLong.empty(), false, clean)
          .withEpochLine(epochLine());
    }
    boolean replica = role == Role.REPLICA;
    return new PgState(DataDirState.INITIALIZED, true, OptionalLong.of(pid), Optional.empty(), role, timeline, lsn,
        replica ? OptionalLong.of(lsn) : OptionalLong.empty(), replica ? OptionalLong.of(lsn) : OptionalLong.empty(),
        Optional.empty(), replica ? Optional.of(streaming ? "streaming" : "in archive recovery") : Optional.empty(),
        replica ? upstream.map(u -> u.host() + ":" + u.port()) : Optional.empty(),
        replica ? List.of() : replicationRows(), Optional.of(SYSID), 150010, OptionalLong.of(token), false, false)
        .withTimelineHistory(replica ? timelineHistory(timeline) : List.of()).withEpochLine(epochLine())
        .withSynchronousStandbyNames(replica ? Optional.empty() : Optional.of(syncNames));
  }

  @Override
  public TimelineEpochLine epochLine() {
    return dataDir == DataDirState.INITIALIZED ? epochs : TimelineEpochLine.NONE;
  }

  private void requireStopped(String what) {
    if (running) {
      throw new PostgresException(what + ": PostgreSQL is already running");
    }
    if (dataDir != DataDirState.INITIALIZED) {
      throw new PostgresException(what + ": no data directory");
    }
  }

  @Override
  public void bootstrap() {
    if (dataDir == DataDirState.INITIALIZED) {
      throw new PostgresException("initdb: the data directory is not empty");
    }
    dataDir = DataDirState.INITIALIZED;
    timeline = 1;
    branch = cluster.nextBranch();
    lsn = INITIAL_LSN;
    ancestors = List.of();
    epochs = TimelineEpochLine.NONE;
    clean = true;
    cluster.effect(node, "pg initdb");
  }


  @Override
  public void startPrimary(long fencingToken) {
    requireStopped("start primary");
    running = true;
    role = Role.PRIMARY;
    token = fencingToken;
    upstream = Optional.empty();
    pid = cluster.nextPid();
    cluster.effect(node, "pg start primary token=" + fencingToken);
    cluster.startedAsPrimary(node, lsn);
  }

  @Override
  public void startReplica(Upstream up) {
    requireStopped("start replica");
    running = true;
    role = Role.REPLICA;
    upstream = Optional.ofNullable(up);
    syncNames = "";
    pid = cluster.nextPid();
    cluster.effect(node, "pg start replica upstream=" + (up == null ? "none" : up.name()));
    replicate();
  }

  @Override
  public void stop(StopMode mode) {
    if (running) {
      // Backends go first: the clients of commits still waiting for a standby get an error, never an ack.
      dropWaiting();
      List<String> shipped = mode != StopMode.IMMEDIATE && isPrimary() ? shipLastWal() : List.of();
      running = false;
      role = Role.UNKNOWN;
      clean = mode != StopMode.IMMEDIATE;
      streaming = false;
      cluster.effect(node, "pg stop " + mode.name().toLowerCase()
          + (shipped.isEmpty() ? "" : " (last WAL shipped to " + String.join(", ", shipped) + ")"));
    }
  }

  /**
   * A clean stop of a primary: PostgreSQL's walsenders send every record up to the shutdown checkpoint to the
   * standbys connected now and exit only once each has confirmed it (WalSndDone), so those standbys end exactly
   * at the stopped primary's position (why a switchover's old primary can follow without a rewind). A standby
   * cut off now gets nothing. The names of those that received something new.
   */
  private List<String> shipLastWal() {
    List<String> out = new ArrayList<>();
    for (SimNode m : standbys()) {
      if (cluster.linkUp(node, m) && m.pg.lsn != lsn) {
        m.pg.copyHistoryOf(this);
        m.pg.catchingUp = false;
        out.add(m.name);
      }
    }
    return out;
  }

  @Override
  public void promote(long fencingToken) {
    if (isPrimary()) {
      // As LocalPostgres: a server out of recovery only gets the new token (set and reloaded), no new timeline.
      token = fencingToken;
      cluster.effect(node, "pg already primary: token=" + fencingToken);
      return;
    }
    if (!running || role != Role.REPLICA) {
      throw new PostgresException("promote: not a running replica");
    }
    int from = branch;
    long fork = lsn;
    List<Ancestor> longer = new ArrayList<>(ancestors);
    longer.add(new Ancestor(timeline, branch, lsn));
    ancestors = List.copyOf(longer);
    timeline++;
    branch = cluster.nextBranch();
    epochs = epochs.extendedWith(new TimelineEpoch(timeline, fencingToken));
    role = Role.PRIMARY;
    token = fencingToken;
    upstream = Optional.empty();
    streaming = false;
    cluster.effect(node, "pg promote token=" + fencingToken + " timeline=" + timeline);
    cluster.promoted(node, from, fork);
  }

  @Override
  public void reload() {
    cluster.effect(node, "pg reload");
  }

  @Override
  public void ownSynchronousStandbyNames(Optional<String> value) {
    // As LocalPostgres: the value the next start writes; a running server (a restart to come) is not reloaded.
    syncNames = value.orElse("");
    cluster.effect(node, "pg start with synchronous_standby_names='" + syncNames + "'");
  }

  @Override
  public void setSynchronousStandbyNames(Optional<String> value) {
    if (!running) {
      throw new PostgresException("set synchronous_standby_names: PostgreSQL is not running");
    }
    syncNames = value.orElse("");
    cluster.effect(node, "pg synchronous_standby_names='" + syncNames + "'");
    // PostgreSQL re-evaluates its waiters on reload: a setting that asks for less releases them at once.
    releaseCommits();
  }

  @Override
  public void follow(Upstream up) {
    upstream = Optional.of(up);
    cluster.effect(node, "pg follow " + up.name());
    replicate();
  }

  private SimPostgres reachableUpstream(Upstream up, String what) {
    SimNode u = cluster.node(up.name());
    if (u == null || !u.pg.running || !cluster.linkUp(node, u)) {
      throw new PostgresException(what + ": cannot connect to " + up.name());
    }
    return u.pg;
  }

  @Override
  public void cloneReplica(Upstream up) {
    SimPostgres u = reachableUpstream(up, "basebackup");
    if (dataDir == DataDirState.INITIALIZED) {
      throw new PostgresException("basebackup: the data directory is not empty");
    }
    dataDir = DataDirState.INITIALIZED;
    copyHistoryOf(u);
    clean = true;
    cluster.effect(node, "pg clone from " + up.name());
  }

  @Override
  public boolean rewind(Upstream up) {
    SimPostgres u = reachableUpstream(up, "pg_rewind");
    copyHistoryOf(u);
    clean = true;
    cluster.effect(node, "pg rewind from " + up.name());
    return true;
  }

  @Override
  public boolean needsRewind(Upstream up) {
    return !isPrefixOf(reachableUpstream(up, "timeline check"));
  }

  @Override
  public void moveDataDirectoryAside(String reason) {
    dataDir = DataDirState.EMPTY;
    running = false;
    syncNames = "";
    dropWaiting();
    timeline = 0;
    branch = 0;
    lsn = 0;
    ancestors = List.of();
    epochs = TimelineEpochLine.NONE;
    cluster.effect(node, "pg data directory moved aside (" + reason + ")");
  }

  @Override
  public void syncReplicationSlots(Set<String> slotNames, java.util.Map<String, Long> advanceTo) {}

  @Override
  public void advanceReplicationSlots(java.util.Map<String, Long> advanceTo) {}

  @Override
  public List<TimelineSwitch> timelineHistory(int tli) {
    List<TimelineSwitch> out = new ArrayList<>();
    for (Ancestor a : ancestors) {
      if (a.timeline() < tli) {
        out.add(new TimelineSwitch(a.timeline(), a.end(), "promotion"));
      }
    }
    return out;
  }

  /** {@code primary tl=3 lsn=0x1010000 token=7}: how transcripts show this server. */
  String describe() {
    if (dataDir != DataDirState.INITIALIZED) {
      return "no data";
    }
    String what = !running ? (clean ? "stopped" : "crashed")
        : role == Role.PRIMARY ? "primary token=" + token + (syncNames.isEmpty() ? "" : " ssn='" + syncNames + "'")
            + (waiting.isEmpty() ? "" : " waiting=" + waiting.size())
        : "replica of " + upstream.map(Upstream::name).orElse("none")
            + (streaming ? catchingUp ? " catching up" : " streaming" : " not streaming");
    return what + " tl=" + timeline + " lsn=" + Long.toHexString(lsn);
  }
}
