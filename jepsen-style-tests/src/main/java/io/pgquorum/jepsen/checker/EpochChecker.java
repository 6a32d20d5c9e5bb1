package io.pgquorum.jepsen.checker;

import io.pgquorum.jepsen.history.History;
import io.pgquorum.jepsen.history.History.Pair;
import io.pgquorum.jepsen.history.OpType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * P1, "at most one writable primary", from write probes sent straight to each node's PostgreSQL: an OK
 * {@code probe} on {@code node} returns the fencing token its write carried there.
 *
 * <ol>
 *   <li>Tokens never go backwards in real time: if probe A completed before probe B was invoked, then
 *       token(A) &lt;= token(B). A violation means a node accepted a write under an older primacy after a newer
 *       one had already accepted writes: two writable primaries overlapped;
 *   <li>one token is never seen on two different nodes: a token names one primacy of one node.
 * </ol>
 *
 * <p>Rule 1 in O(n log n): probes sorted by completion feed a running maximum that each invocation (in invocation
 * order) is compared against. Only OK probes count; failed or unknown probes carried no observed token.
 *
 * <p>UNKNOWN when some OK probes are malformed, or when there is no OK probe at all (nothing was checked: a run
 * whose probes all failed never passes).
 */
public final class EpochChecker implements Checker {

  private static final int MAX_LISTED = 20;

  private record Probe(Pair pair, String node, long token) {
  }

  @Override
  public CheckResult check(History history) {
    List<Pair> pairs;
    try {
      pairs = history.pairs(op -> op.isClient() && op.f().equals("probe"));
    } catch (IllegalStateException e) {
      return new CheckResult("epoch", Verdict.UNKNOWN, "cannot check: malformed history: " + e.getMessage(),
          List.of(e.getMessage()), Map.of());
    }
    List<String> anomalies = new ArrayList<>();
    List<Probe> probes = new ArrayList<>();
    int malformed = 0;
    for (Pair p : pairs) {
      if (p.outcome() != OpType.OK) {
        continue;
      }
      String node = p.invoke().node() != null ? p.invoke().node() : p.completion().node();
      if (!(p.completion().value() instanceof Long token) || node == null) {
        malformed++;
        addCapped(anomalies, "probe " + Describe.pair(p) + " is OK but lacks a numeric token or a node; ignored");
        continue;
      }
      probes.add(new Probe(p, node, token));
    }

    // Rule 1: running maximum over completed probes, checked at each invocation.
    List<Probe> byCompletion = new ArrayList<>(probes);
    byCompletion.sort(Comparator.comparing(pr -> pr.pair().completion(), Precedence::compare));
    List<Probe> byInvoke = new ArrayList<>(probes);
    byInvoke.sort(Comparator.comparing(pr -> pr.pair().invoke(), Precedence::compare));
    int backwards = 0;
    Probe max = null;
    int done = 0;
    for (Probe b : byInvoke) {
      while (done < byCompletion.size()
          && Precedence.before(byCompletion.get(done).pair().completion(), b.pair().invoke())) {
        Probe a = byCompletion.get(done++);
        if (max == null || a.token() > max.token()) {
          max = a;
        }
      }
      if (max != null && max.token() > b.token()) {
        backwards++;
        addCapped(anomalies, "probe #" + max.pair().invoke().index() + " on " + max.node() + " carried token "
            + max.token() + " and completed (#" + max.pair().completion().index() + ") before probe #"
            + b.pair().invoke().index() + " on " + b.node() + " started, which carried token " + b.token());
      }
    }

    // Rule 2: one node per token.
    Map<Long, Map<String, Probe>> nodesByToken = new TreeMap<>();
    for (Probe p : probes) {
      nodesByToken.computeIfAbsent(p.token(), t -> new TreeMap<>()).putIfAbsent(p.node(), p);
    }
    int shared = 0;
    int maxNodes = 0;
    for (Map.Entry<Long, Map<String, Probe>> e : nodesByToken.entrySet()) {
      maxNodes = Math.max(maxNodes, e.getValue().size());
      if (e.getValue().size() > 1) {
        shared++;
        addCapped(anomalies, "token " + e.getKey() + " appeared on " + e.getValue().size() + " nodes: "
            + e.getValue().values().stream().map(p -> p.node() + " (probe #" + p.pair().invoke().index() + ")")
                .collect(Collectors.joining(", ")));
      }
    }

    Map<String, Object> stats = new LinkedHashMap<>();
    stats.put("probes", probes.size());
    stats.put("distinct-tokens", nodesByToken.size());
    stats.put("max-nodes-per-token", maxNodes);
    stats.put("backwards", backwards);
    stats.put("shared-tokens", shared);
    stats.put("malformed", malformed);

    Verdict verdict;
    String summary;
    if (backwards > 0 || shared > 0) {
      verdict = Verdict.INVALID;
      summary = "two writable primaries: " + backwards + " probes saw a token older than one already seen, "
          + shared + " tokens on more than one node";
    } else if (malformed > 0) {
      verdict = Verdict.UNKNOWN;
      summary = malformed + " OK probes lack a token or node; the rest (" + probes.size() + ") are consistent";
    } else if (probes.isEmpty()) {
      verdict = Verdict.UNKNOWN;
      summary = "no probe succeeded: nothing was checked (" + pairs.size() + " probes attempted)";
    } else {
      verdict = Verdict.VALID;
      summary = "at most one writable primary: " + probes.size() + " probes, " + nodesByToken.size()
          + " tokens, each on one node, never going backwards";
    }
    return new CheckResult("epoch", verdict, summary, anomalies, stats);
  }

  private static void addCapped(List<String> anomalies, String s) {
    if (anomalies.size() < MAX_LISTED) {
      anomalies.add(s);
    }
  }
}
