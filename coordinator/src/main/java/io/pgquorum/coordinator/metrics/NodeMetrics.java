package io.pgquorum.coordinator.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Snapshot;
import com.codahale.metrics.Timer;
import io.pgquorum.dcs.api.RaftStats;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The node's internal metrics: the DCS member's Raft figures (gauges over the member's published {@link RaftStats},
 * with Ratis' own election counts passed through), and what the HA loop and the fencing paths record (cycle and
 * lease refresh latencies, decisions by action, lease refresh outcomes, fencing actions).
 *
 * <p>Recording shares no lock with the HA loop (Dropwizard counters are lock-free; a timer's sample takes a short
 * lock of its own per update) and rendering reads only those and the last published {@link RaftStats}:
 * {@link #render} never waits for the HA loop or a Raft call. The set of families is
 * fixed ({@link #FAMILIES}); every one is rendered with HELP and TYPE on every scrape, so a dashboard query never
 * refers to a name that a node does not export.
 */
public final class NodeMetrics {
  /** Prometheus metric types used here. */
  public enum Type {
    GAUGE, COUNTER, SUMMARY;

    String text() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** One metric family: its exported name, type, help text and, when it has one, its own label's name. */
  public record Family(String name, Type type, String help, Optional<String> label) {}

  public static final String RAFT_TERM = "pgquorum_raft_term";
  public static final String RAFT_IS_LEADER = "pgquorum_raft_is_leader";
  public static final String RAFT_LEADER_INFO = "pgquorum_raft_leader_info";
  public static final String RAFT_COMMIT_INDEX = "pgquorum_raft_commit_index";
  public static final String RAFT_APPLIED_INDEX = "pgquorum_raft_applied_index";
  public static final String RAFT_LOG_ENTRIES = "pgquorum_raft_log_entries";
  public static final String RAFT_LOG_SIZE = "pgquorum_raft_log_size_bytes";
  public static final String RAFT_SNAPSHOT_INDEX = "pgquorum_raft_snapshot_index";
  public static final String RAFT_SNAPSHOT_SIZE = "pgquorum_raft_snapshot_size_bytes";
  public static final String RAFT_ELECTIONS = "pgquorum_raft_elections_total";
  public static final String RAFT_ELECTION_TIMEOUTS = "pgquorum_raft_election_timeouts_total";
  public static final String HA_CYCLE = "pgquorum_ha_cycle_duration_seconds";
  public static final String HA_DECISIONS = "pgquorum_ha_decisions_total";
  public static final String LEASE_REFRESH = "pgquorum_lease_refresh_duration_seconds";
  public static final String LEASE_REFRESHES = "pgquorum_lease_refreshes_total";
  public static final String FENCING_ACTIONS = "pgquorum_fencing_actions_total";
  public static final String LEASE_REFRESHES_LOCAL = "pgquorum_lease_refreshes_leader_local_total";
  public static final String LEASE_HEADROOM_MIN = "pgquorum_lease_headroom_min_seconds";

  /** Quantiles a summary reports (from Dropwizard's exponentially decaying reservoir: about the last 5 minutes). */
  static final List<Double> QUANTILES = List.of(0.5, 0.9, 0.99);

  /** Every family, in the order rendered. */
  public static final List<Family> FAMILIES = List.of(
      gauge(RAFT_TERM, "Current Raft term of this node's DCS member."),
      gauge(RAFT_IS_LEADER, "1 when this node's DCS member is the Raft leader of the DCS group, 0 otherwise."),
      new Family(RAFT_LEADER_INFO, Type.GAUGE, "1 with the Raft leader's member id as this member knows it in the "
          + "label leader (empty, value 0, when it knows of none).", Optional.of("leader")),
      gauge(RAFT_COMMIT_INDEX, "Last Raft log index this member knows to be committed."),
      gauge(RAFT_APPLIED_INDEX, "Last Raft log index applied to this member's key-value state machine."),
      gauge(RAFT_LOG_ENTRIES, "Entries in this member's Raft log (since the last purge after a snapshot)."),
      gauge(RAFT_LOG_SIZE, "Size of this member's Raft log segment files on disk, bytes."),
      gauge(RAFT_SNAPSHOT_INDEX, "Raft log index of this member's latest snapshot (0 when none)."),
      gauge(RAFT_SNAPSHOT_SIZE, "Size of this member's latest snapshot files, bytes (0 when none)."),
      new Family(RAFT_ELECTIONS, Type.COUNTER, "Leader elections this member ran as a candidate, won or not, "
          + "since it started (Ratis' electionCount).", Optional.empty()),
      new Family(RAFT_ELECTION_TIMEOUTS, Type.COUNTER, "Elections this member started because it heard from no "
          + "leader in time, since it started (Ratis' timeoutCount).", Optional.empty()),
      new Family(HA_CYCLE, Type.SUMMARY, "Duration of one HA loop cycle (DCS read, probe, peers, decision and its "
          + "actions, publication), seconds.", Optional.empty()),
      new Family(HA_DECISIONS, Type.COUNTER, "Actions the HA loop's decisions planned, by action type (idle: a "
          + "decision with no action).", Optional.of("action")),
      new Family(LEASE_REFRESH, Type.SUMMARY, "Duration of a leader lock (lease) refresh through the DCS, seconds.",
          Optional.empty()),
      new Family(LEASE_REFRESHES, Type.COUNTER, "Leader lock refreshes by outcome: confirmed, lost (the lock is "
          + "no longer ours) or unknown (the DCS did not answer).", Optional.of("outcome")),
      new Family(FENCING_ACTIONS, Type.COUNTER, "Times this node fenced its PostgreSQL (stopped it immediately), by "
          + "reason.", Optional.of("reason")),
      new Family(LEASE_REFRESHES_LOCAL, Type.COUNTER, "Leader lock refreshes the Raft leader confirmed without a log "
          + "entry (raft.lease_refresh: leader_local), since this node started; the other confirmed refreshes "
          + "took the log.", Optional.empty()),
      gauge(LEASE_HEADROOM_MIN, "Lowest time this node's leader lease had left before its deadline (where it "
          + "fences PostgreSQL) when a refresh of it was confirmed, since the node started, seconds; NaN until one "
          + "was. How close the primary came to fencing itself: ttl - retry_timeout minus this is the longest wait "
          + "between refreshes it lived through."));

  /** Outcomes of a lease refresh. */
  public enum RefreshOutcome {
    CONFIRMED, LOST, UNKNOWN
  }

  /** Why the node fenced its PostgreSQL. */
  public enum FenceReason {
    LEASE_DEADLINE, WATCHDOG_LOST, HA_LOOP_STOPPED
  }

  private final MetricRegistry registry = new MetricRegistry();
  /** Sum of each summary's observations, nanoseconds (a Dropwizard timer keeps a sample, not the sum). */
  private final Map<String, LongAdder> sums = new ConcurrentHashMap<>();
  private final Supplier<RaftStats> raft;
  /** The lowest lease headroom seen ({@link #leaseHeadroom}), nanoseconds; Long.MAX_VALUE until one is. */
  private final AtomicLong headroomMin = new AtomicLong(Long.MAX_VALUE);
  /** This node's DCS client's count of leader-local refreshes ({@link #countLeaderLocalRefreshes}); 0 until set. */
  private volatile java.util.function.LongSupplier localRefreshes = () -> 0;

  /** Metrics with the Raft figures taken from {@code raft} (a published value: it must not block). */
  public NodeMetrics(Supplier<RaftStats> raft) {
    this.raft = raft;
    gaugeOf(RAFT_TERM, RaftStats::term);
    gaugeOf(RAFT_IS_LEADER, r -> r.leader() ? 1 : 0);
    gaugeOf(RAFT_COMMIT_INDEX, RaftStats::commitIndex);
    gaugeOf(RAFT_APPLIED_INDEX, RaftStats::appliedIndex);
    gaugeOf(RAFT_LOG_ENTRIES, RaftStats::logEntries);
    gaugeOf(RAFT_LOG_SIZE, RaftStats::logBytes);
    gaugeOf(RAFT_SNAPSHOT_INDEX, RaftStats::snapshotIndex);
    gaugeOf(RAFT_SNAPSHOT_SIZE, RaftStats::snapshotBytes);
    // Ratis' counters, passed through as they are (Ratis counts; this only reads the published sample).
    gaugeOf(RAFT_ELECTIONS, RaftStats::elections);
    gaugeOf(RAFT_ELECTION_TIMEOUTS, RaftStats::electionTimeouts);
    registry.register(RAFT_LEADER_INFO, (Gauge<Optional<String>>) () -> raft.get().leaderId());
    registry.register(LEASE_REFRESHES_LOCAL, (Gauge<Long>) () -> localRefreshes.getAsLong());
    registry.register(LEASE_HEADROOM_MIN, (Gauge<Double>) () -> {
      long h = headroomMin.get();
      return h == Long.MAX_VALUE ? Double.NaN : h / 1e9;
    });
    for (RefreshOutcome o : RefreshOutcome.values()) {
      counter(LEASE_REFRESHES, label(o));
    }
    for (FenceReason r : FenceReason.values()) {
      counter(FENCING_ACTIONS, label(r));
    }
    timer(HA_CYCLE);
    timer(LEASE_REFRESH);
  }

  /** Metrics of a node without a DCS member of its own (tests, the simulator): Raft figures are zero. */
  public static NodeMetrics withoutRaft() {
    return new NodeMetrics(() -> RaftStats.NONE);
  }

  private static Family gauge(String name, String help) {
    return new Family(name, Type.GAUGE, help, Optional.empty());
  }

  private void gaugeOf(String name, java.util.function.ToLongFunction<RaftStats> value) {
    registry.register(name, (Gauge<Long>) () -> value.applyAsLong(raft.get()));
  }

  private static String label(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  /** Registry key of a labelled counter: the family, a dot, the label's value. */
  private Counter counter(String family, String labelValue) {
    return registry.counter(family + "." + labelValue);
  }

  private Timer timer(String family) {
    sums.computeIfAbsent(family, f -> new LongAdder());
    return registry.timer(family);
  }

  private void observe(String family, long nanos) {
    long n = Math.max(0, nanos);
    timer(family).update(n, TimeUnit.NANOSECONDS);
    sums.get(family).add(n);
  }

  /** One HA loop cycle took {@code nanos}. */
  public void haCycle(long nanos) {
    observe(HA_CYCLE, nanos);
  }

  /** A decision planned these actions (their type names; none: counted as {@code idle}). */
  public void decision(List<String> actionTypes) {
    if (actionTypes.isEmpty()) {
      counter(HA_DECISIONS, "idle").inc();
    }
    for (String a : actionTypes) {
      counter(HA_DECISIONS, a).inc();
    }
  }

  /** A lease refresh took {@code nanos} and ended with {@code outcome}. */
  public void leaseRefresh(long nanos, RefreshOutcome outcome) {
    observe(LEASE_REFRESH, nanos);
    counter(LEASE_REFRESHES, label(outcome)).inc();
  }

  /**
   * A refresh of the held lease was confirmed with {@code nanos} left before its deadline (as the deadline stood
   * before the refresh moved it). Why measured: it is what a shorter ttl would have had to fit in; the soak (bench/)
   * reads its lowest value under load.
   */
  public void leaseHeadroom(long nanos) {
    headroomMin.accumulateAndGet(nanos, Math::min);
  }

  /** Where {@link #LEASE_REFRESHES_LOCAL} comes from: the DCS client's own count (it must not block). */
  public void countLeaderLocalRefreshes(java.util.function.LongSupplier count) {
    localRefreshes = java.util.Objects.requireNonNull(count);
  }

  /** The node fenced its PostgreSQL. */
  public void fenced(FenceReason reason) {
    counter(FENCING_ACTIONS, label(reason)).inc();
  }

  /** The Dropwizard registry (for tests and for reporters an embedder may attach). */
  public MetricRegistry registry() {
    return registry;
  }

  /**
   * Appends every family in Prometheus text format (HELP, TYPE, samples), each sample with {@code labels} (the
   * node's own, already escaped, without braces: {@code scope="demo",name="n1"}) before its family's label.
   */
  public void render(StringBuilder out, String labels) {
    render(out, labels, FAMILIES);
  }

  /**
   * As {@link #render}, only the DCS member's Raft families ({@code pgquorum_raft_*}): what a witness exports, as
   * it has no HA loop, lease or fencing to count.
   */
  public void renderRaft(StringBuilder out, String labels) {
    render(out, labels, RAFT_FAMILIES);
  }

  /** The families of the DCS member alone, in {@link #FAMILIES}' order. */
  public static final List<Family> RAFT_FAMILIES = FAMILIES.stream()
      .filter(f -> f.name().startsWith("pgquorum_raft_")).toList();

  private void render(StringBuilder out, String labels, List<Family> families) {
    for (Family f : families) {
      out.append("# HELP ").append(f.name()).append(' ').append(f.help()).append('\n');
      out.append("# TYPE ").append(f.name()).append(' ').append(f.type().text()).append('\n');
      switch (f.type()) {
        case SUMMARY -> summary(out, f.name(), labels);
        case COUNTER, GAUGE -> {
          if (f.name().equals(RAFT_LEADER_INFO)) {
            Optional<String> leader = raft.get().leaderId();
            sample(out, f.name(), labels + ",leader=\"" + PrometheusText.escape(leader.orElse("")) + "\"",
                leader.isPresent() ? "1" : "0");
          } else if (f.label().isPresent()) {
            labelled(out, f, labels);
          } else {
            Gauge<?> g = registry.getGauges().get(f.name());
            sample(out, f.name(), labels, String.valueOf(g.getValue()));
          }
        }
        default -> throw new IllegalStateException(f.type().toString());
      }
    }
  }

  private void labelled(StringBuilder out, Family f, String labels) {
    String prefix = f.name() + ".";
    // The registry's map is sorted by key: the label values come out in a stable order.
    registry.getCounters((key, m) -> key.startsWith(prefix)).forEach((key, c) ->
        sample(out, f.name(), labels + "," + f.label().get() + "=\""
            + PrometheusText.escape(key.substring(prefix.length())) + "\"", Long.toString(c.getCount())));
  }

  private void summary(StringBuilder out, String name, String labels) {
    Timer t = registry.timer(name);
    Snapshot s = t.getSnapshot();
    for (double q : QUANTILES) {
      sample(out, name, labels + ",quantile=\"" + q + "\"", seconds(s.getValue(q), t.getCount()));
    }
    sample(out, name + "_sum", labels, seconds(sums.get(name).sum(), 1));
    sample(out, name + "_count", labels, Long.toString(t.getCount()));
  }

  /** Nanoseconds as seconds; a quantile of no observation is NaN (Prometheus' convention for an empty summary). */
  private static String seconds(double nanos, long count) {
    if (count == 0) {
      return "NaN";
    }
    return String.format(Locale.ROOT, "%.9f", nanos / 1e9);
  }

  private static void sample(StringBuilder out, String name, String labels, String value) {
    out.append(name).append('{').append(labels).append("} ").append(value).append('\n');
  }
}
