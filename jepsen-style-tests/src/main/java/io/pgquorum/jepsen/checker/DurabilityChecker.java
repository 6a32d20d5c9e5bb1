package io.pgquorum.jepsen.checker;

import io.pgquorum.jepsen.history.History;
import io.pgquorum.jepsen.history.History.Pair;
import io.pgquorum.jepsen.history.Op;
import io.pgquorum.jepsen.history.OpType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * P2 under asynchronous replication: every acknowledged add that is lost must fall inside the loss window the
 * configuration allows (the precise rule, and why, is in docs/properties.md, "P2"). Pure: it reads only the
 * history.
 *
 * <p>History conventions (written by {@code stack.SetWorkload} and {@code stack.DcsObserver}):
 * <ul>
 *   <li>an OK {@code add}'s completion value is {@code [element, timeline, lsnBefore, lsnAfter, token]}: the
 *       primary's timeline and WAL insert position (bytes) inside the add's transaction, its WAL insert position
 *       after the commit returned (null when that could not be read), and the fencing token it ran under (null
 *       when unset). The commit record ends in {@code (lsnBefore, lsnAfter]};
 *   <li>{@code lineage} (one event, after the final read, on the same node): {@code [F, t1, s1, t2, s2, ...]}:
 *       the final primary's timeline F and, from its timeline history file, the LSN {@code s} at which each
 *       ancestor timeline {@code t} was switched away from;
 *   <li>{@code dcs} (observer samples of the DCS, linearizable reads):
 *       {@code [leader, token, optime, statusRevision]}: the leader key's holder and fencing token (create
 *       revision), and the {@code status} key's optime and mod revision; null fields when absent.
 * </ul>
 *
 * <p>The rule, per lost add (acknowledged, completed before the final read began, absent from it), written on
 * timeline t by node n:
 * <ol>
 *   <li>t must be an ancestor of the final timeline F (t = F means no failover happened since the commit: any
 *       loss there is a violation), and written on one node only;
 *   <li>the commit must not provably precede the switch point {@code s_t}: {@code lsnAfter <= s_t} is a
 *       violation (the commit was in the WAL the new primary took over);
 *   <li>the switch must have been allowed: the winner may take over only if the last {@code status} it compared
 *       against is at most {@code maximum_lag_on_failover} ahead of its own WAL. The harness's lower bound for
 *       that status is O_t, the largest optime the old primary n published (status written after its lease
 *       began) during its primacies on t (tokens from its first acknowledged add on t, below the first token
 *       acknowledged on a later timeline). {@code O_t - s_t > maximum_lag_on_failover + slack} is a violation;
 *       slack covers the winner's last, partly received WAL record, which promotion cuts off.
 * </ol>
 * A loss that passes all three is inside the window. Adds acknowledged after the last published status (the old
 * primary keeps accepting writes until its lease deadline) are inside it too: asynchronous replication bounds
 * them in time by the lease (P1), not in bytes.
 *
 * <p>Verdict: INVALID if any loss is outside the window or any element is unexpected (present although never
 * attempted, or its add definitely failed); UNKNOWN if there is no final read, no acknowledged add, or a loss that
 * cannot be judged (no WAL position recorded, no lineage, or no observed status of the old primary); else VALID.
 */
public final class DurabilityChecker implements Checker {
  /** Default slack: a WAL record cut off at promotion is far smaller (a full-page image is 8 KiB). */
  public static final long DEFAULT_SLACK_BYTES = 64 * 1024;
  public static final String NAME = "durability";
  public static final String LINEAGE = "lineage";
  public static final String DCS = "dcs";

  private static final int MAX_LISTED = 20;

  private final long maxLagBytes;
  private final long slackBytes;
  /** Synchronous replication ({@link #synchronous}): no window at all. */
  private final boolean zeroLoss;

  /** @param maxLagBytes the cluster's {@code maximum_lag_on_failover} */
  public DurabilityChecker(long maxLagBytes) {
    this(maxLagBytes, DEFAULT_SLACK_BYTES);
  }

  public DurabilityChecker(long maxLagBytes, long slackBytes) {
    this(maxLagBytes, slackBytes, false);
  }

  private DurabilityChecker(long maxLagBytes, long slackBytes, boolean zeroLoss) {
    if (maxLagBytes < 0 || slackBytes < 0) {
      throw new IllegalArgumentException("maxLagBytes and slackBytes must not be negative, got " + maxLagBytes
          + " and " + slackBytes);
    }
    this.maxLagBytes = maxLagBytes;
    this.slackBytes = slackBytes;
    this.zeroLoss = zeroLoss;
  }

  /**
   * P2 under synchronous replication ({@code synchronous_mode: on}, {@code quorum}, strict or not): no
   * acknowledged write may ever be lost, whatever failed. A commit returns only once the standbys
   * synchronous_standby_names asks for have it (or, non-strict, once the primary dropped them from the {@code
   * sync} key and so from the nodes that may be promoted), and only a node known to hold every acknowledged commit
   * may be promoted. Every loss is a violation; there is no window to judge, so no loss is undecided.
   */
  public static DurabilityChecker synchronous() {
    return new DurabilityChecker(0, 0, true);
  }

  /** The WAL facts of one acknowledged add. */
  record Ack(long element, String node, long timeline, long lsnBefore, Long lsnAfter, Long token) {
  }

  /** One observer sample of the DCS. */
  record Sample(String leader, Long token, Long optime, Long statusRevision) {
  }

  /** The final primary's timeline and its ancestors' switch points. */
  record Lineage(long finalTimeline, Map<Long, Long> switchPoints, String node) {
  }

  @Override
  public CheckResult check(History history) {
    SetTally t;
    try {
      t = SetTally.of(history);
    } catch (IllegalStateException e) {
      return new CheckResult(NAME, Verdict.UNKNOWN, "cannot check: malformed history: " + e.getMessage(),
          List.of(e.getMessage()), Map.of());
    }
    List<String> anomalies = new ArrayList<>(t.malformed);
    Map<String, Object> stats = new LinkedHashMap<>();
    stats.put("max-lag-bytes", zeroLoss ? "none: synchronous replication" : maxLagBytes);
    stats.put("acknowledged", t.acknowledged);
    if (t.finalRead == null) {
      return new CheckResult(NAME, Verdict.UNKNOWN, "no successful final read: nothing to compare "
          + t.adds.size() + " adds against", anomalies, stats);
    }

    Map<Long, Ack> acks = new TreeMap<>();
    int withoutPosition = 0;
    for (Pair p : t.adds.values()) {
      if (p.outcome() == OpType.OK) {
        Ack a = ack(p);
        if (a == null) {
          withoutPosition++;
        } else {
          acks.put(a.element(), a);
        }
      }
    }
    Map<Long, TreeSet<String>> nodesByTimeline = new TreeMap<>();
    Map<Long, TreeSet<Long>> tokensByTimeline = new TreeMap<>();
    for (Ack a : acks.values()) {
      nodesByTimeline.computeIfAbsent(a.timeline(), k -> new TreeSet<>()).add(a.node());
      if (a.token() != null) {
        tokensByTimeline.computeIfAbsent(a.timeline(), k -> new TreeSet<>()).add(a.token());
      }
    }
    Lineage lineage = lineage(history);
    List<Sample> samples = samples(history);

    int inWindow = 0;
    int straddling = 0;
    List<Long> outside = new ArrayList<>();
    List<Long> undecided = new ArrayList<>();
    Map<Long, Long> lagBySwitch = new TreeMap<>();
    for (Pair add : t.lost) {
      long element = SetTally.element(add);
      Ack a = acks.get(element);
      String what = "lost " + element + " (" + Describe.pair(add) + ")";
      if (zeroLoss) {
        outside.add(element);
        addCapped(anomalies, what + (a == null ? "" : " written on timeline " + a.timeline() + " by " + a.node())
            + ": acknowledged under synchronous replication, so no failover may lose it");
        continue;
      }
      if (a == null) {
        undecided.add(element);
        addCapped(anomalies, what + ": its add recorded no timeline or WAL position; cannot judge the loss");
        continue;
      }
      String where = " written on timeline " + a.timeline() + " at " + Lsn.text(a.lsnBefore()) + ".."
          + (a.lsnAfter() == null ? "?" : Lsn.text(a.lsnAfter())) + " by " + a.node();
      if (lineage == null) {
        undecided.add(element);
        addCapped(anomalies, what + where + ": the final primary's timeline history was not recorded");
        continue;
      }
      TreeSet<String> writers = nodesByTimeline.get(a.timeline());
      if (writers.size() > 1) {
        outside.add(element);
        addCapped(anomalies, what + where + ": timeline " + a.timeline() + " was primary on " + writers
            + ", so one of them promoted onto a timeline that already existed");
        continue;
      }
      if (a.timeline() == lineage.finalTimeline()) {
        outside.add(element);
        addCapped(anomalies, what + where + ": that is the final timeline, which no failover switched away from");
        continue;
      }
      Long switchPoint = lineage.switchPoints().get(a.timeline());
      if (switchPoint == null) {
        outside.add(element);
        addCapped(anomalies, what + where + ": timeline " + a.timeline() + " is not an ancestor of the final "
            + "timeline " + lineage.finalTimeline() + " " + lineage.switchPoints().keySet());
        continue;
      }
      if (a.lsnAfter() != null && a.lsnAfter() <= switchPoint) {
        outside.add(element);
        addCapped(anomalies, what + where + ": its commit ended before timeline " + a.timeline()
            + " was switched away from at " + Lsn.text(switchPoint) + ", so the new primary had it");
        continue;
      }
      Long published = lastPublished(a.node(), a.timeline(), tokensByTimeline, samples);
      if (published == null) {
        undecided.add(element);
        addCapped(anomalies, what + where + ": no status published by " + a.node() + " on timeline "
            + a.timeline() + " was observed, so the failover's lag cannot be judged");
        continue;
      }
      long lag = published - switchPoint;
      lagBySwitch.put(a.timeline(), lag);
      if (lag > maxLagBytes + slackBytes) {
        outside.add(element);
        addCapped(anomalies, what + where + ": timeline " + a.timeline() + " was switched away from at "
            + Lsn.text(switchPoint) + ", " + lag + " bytes behind the status " + Lsn.text(published) + " that "
            + a.node() + " had published; maximum_lag_on_failover allows " + maxLagBytes + " (+" + slackBytes
            + " slack)");
        continue;
      }
      inWindow++;
      if (a.lsnBefore() < switchPoint) {
        straddling++;
      }
    }
    for (int i = 0; i < t.unexpected.size(); i++) {
      addCapped(anomalies, t.describeUnexpected(t.unexpected.get(i)));
    }

    stats.put("lost", t.lost.size());
    stats.put("lost-inside-window", inWindow);
    stats.put("lost-commit-straddling-switch", straddling);
    stats.put("lost-outside-window", outside.size());
    stats.put("lost-undecided", undecided.size());
    stats.put("unexpected", t.unexpected.size());
    stats.put("acknowledged-without-position", withoutPosition);
    stats.put("switch-lag-bytes", Map.copyOf(lagBySwitch.entrySet().stream().collect(
        java.util.stream.Collectors.toMap(e -> "timeline-" + e.getKey(), Map.Entry::getValue))));
    if (lineage != null) {
      stats.put("final-timeline", lineage.finalTimeline());
    }
    stats.put("outside-elements", List.copyOf(outside.subList(0, Math.min(MAX_LISTED, outside.size()))));

    String counts = zeroLoss
        ? t.acknowledged + " acknowledged, " + t.lost.size() + " lost (synchronous replication allows none), "
            + t.unexpected.size() + " unexpected"
        : t.acknowledged + " acknowledged, " + t.lost.size() + " lost (" + inWindow
            + " inside the allowed failover window, " + outside.size() + " outside, " + undecided.size()
            + " undecided), " + t.unexpected.size() + " unexpected";
    if (!outside.isEmpty() || !t.unexpected.isEmpty()) {
      return new CheckResult(NAME, Verdict.INVALID, (zeroLoss ? "acknowledged writes lost under synchronous "
          + "replication, or unexpected elements: " : "acknowledged writes lost beyond what "
          + "maximum_lag_on_failover allows, or unexpected elements: ") + counts, anomalies, stats);
    }
    if (!undecided.isEmpty()) {
      return new CheckResult(NAME, Verdict.UNKNOWN, "cannot judge " + undecided.size() + " lost writes: "
          + counts, anomalies, stats);
    }
    if (t.acknowledged == 0) {
      return new CheckResult(NAME, Verdict.UNKNOWN, "no add was acknowledged before the final read: nothing "
          + "was checked", anomalies, stats);
    }
    return new CheckResult(NAME, Verdict.VALID, (t.lost.isEmpty() ? "no acknowledged add lost: "
        : "every lost write inside the allowed failover window: ") + counts, anomalies, stats);
  }

  /**
   * The largest optime {@code node} published while it held the leader key on timeline {@code timeline}: samples
   * whose holder is {@code node}, whose status was written after that lease began (status revision above the
   * token), with tokens from the node's first acknowledged token on the timeline up to, not including, the first
   * token acknowledged on any later timeline. Null when no such sample exists.
   */
  static Long lastPublished(String node, long timeline, Map<Long, TreeSet<Long>> tokensByTimeline,
      List<Sample> samples) {
    TreeSet<Long> mine = tokensByTimeline.get(timeline);
    long from = mine == null || mine.isEmpty() ? Long.MIN_VALUE : mine.first();
    long until = Long.MAX_VALUE;
    for (Map.Entry<Long, TreeSet<Long>> e : tokensByTimeline.entrySet()) {
      if (e.getKey() > timeline && !e.getValue().isEmpty()) {
        until = Math.min(until, e.getValue().first());
      }
    }
    Long best = null;
    for (Sample s : samples) {
      if (node.equals(s.leader()) && s.token() != null && s.optime() != null && s.statusRevision() != null
          && s.token() >= from && s.token() < until && s.statusRevision() > s.token()
          && (best == null || s.optime() > best)) {
        best = s.optime();
      }
    }
    return best;
  }

  /** The add's WAL facts from its completion value, or null when it carries none. */
  static Ack ack(Pair add) {
    Object v = add.completion().value();
    String node = add.invoke().node() != null ? add.invoke().node() : add.completion().node();
    if (!(v instanceof List<?> l) || l.size() < 5 || node == null || !(l.get(1) instanceof Long timeline)
        || !(l.get(2) instanceof Long before)) {
      return null;
    }
    Long after = l.get(3) instanceof Long x ? x : null;
    Long token = l.get(4) instanceof Long x ? x : null;
    return new Ack(SetTally.element(add), node, timeline, before, after, token);
  }

  /** The last {@code lineage} event, or null when none parses. */
  static Lineage lineage(History history) {
    Lineage found = null;
    for (Op op : history.ops()) {
      if (!op.f().equals(LINEAGE) || !(op.value() instanceof List<?> l) || l.isEmpty() || l.size() % 2 == 0
          || !l.stream().allMatch(x -> x instanceof Long)) {
        continue;
      }
      Map<Long, Long> switches = new TreeMap<>();
      for (int i = 1; i + 1 < l.size(); i += 2) {
        switches.put((Long) l.get(i), (Long) l.get(i + 1));
      }
      found = new Lineage((Long) l.get(0), switches, op.node());
    }
    return found;
  }

  /** Every {@code dcs} sample, in history order. */
  static List<Sample> samples(History history) {
    List<Sample> out = new ArrayList<>();
    for (Op op : history.ops()) {
      if (op.f().equals(DCS) && op.value() instanceof List<?> l && l.size() >= 4) {
        out.add(new Sample(l.get(0) instanceof String s ? s : null, l.get(1) instanceof Long x ? x : null,
            l.get(2) instanceof Long x ? x : null, l.get(3) instanceof Long x ? x : null));
      }
    }
    return out;
  }

  private static void addCapped(List<String> anomalies, String s) {
    if (anomalies.size() < MAX_LISTED) {
      anomalies.add(s);
    }
  }

  /** PostgreSQL's {@code X/Y} notation for a WAL byte position. */
  public static final class Lsn {
    private Lsn() {
    }

    public static String text(long lsn) {
      return Long.toHexString(lsn >>> 32).toUpperCase(java.util.Locale.ROOT) + "/"
          + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase(java.util.Locale.ROOT);
    }

    /** Parses {@code X/Y}; throws IllegalArgumentException when it is not one. */
    public static long parse(String text) {
      int slash = text.indexOf('/');
      if (slash <= 0 || slash == text.length() - 1) {
        throw new IllegalArgumentException("not an LSN: " + text);
      }
      return (Long.parseLong(text.substring(0, slash), 16) << 32) | Long.parseLong(text.substring(slash + 1), 16);
    }
  }
}
