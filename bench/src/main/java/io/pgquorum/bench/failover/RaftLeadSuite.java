package io.pgquorum.bench.failover;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgquorum.bench.BenchContext;
import io.pgquorum.bench.Suite;
import io.pgquorum.dcs.api.DcsException;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * pgquorum's kill -9 failover with the DCS's Raft leadership off the primary's node (the default,
 * {@code raft_leadership_off_primary: true}) against on it (the key false, and leadership handed to the primary's
 * member before every kill), one cluster after the other in the same run. pgquorum only: the question is what the
 * feature saves, not how pgquorum compares with Patroni (the {@code failover} suite does that, unchanged).
 */
public final class RaftLeadSuite implements Suite {
  static final String SUITE = "failover-raftlead";
  /** How long to wait before a kill for the placement the variant needs (a hand-off or a transfer, each ~1 s). */
  static final Duration PLACEMENT_WITHIN = Duration.ofSeconds(30);

  @Override
  public String name() {
    return SUITE;
  }

  @Override
  public String description() {
    return "pgquorum kill -9 failover with the Raft leader off the primary's node (default) vs on it";
  }

  /** An experiment about one setting (Raft leadership placement), not part of the standing comparison. */
  @Override
  public boolean onlyWhenNamed() {
    return true;
  }

  @Override
  public void run(BenchContext ctx) throws Exception {
    int kills = ctx.trialsOr(1, 5);
    List<String> failed = new ArrayList<>();
    for (RaftLeaderPlacement placement : RaftLeaderPlacement.values()) {
      Placer prep = new Placer(ctx, placement);
      for (String f : FailoverSuite.measure(ctx, SUITE, new FailoverSuite.Plan(placement.variant(), kills, 0, prep),
          null)) {
        failed.add(placement.variantName() + ": " + f);
      }
    }
    if (!failed.isEmpty()) {
      throw new IllegalStateException(failed.size() + " failover trial(s) failed: " + String.join(" | ", failed));
    }
  }

  /** Sets the key after each start and brings the placement about before each kill; counts how that went. */
  static final class Placer implements FailoverSuite.Preparation {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final BenchContext ctx;
    private final RaftLeaderPlacement placement;
    private int trials;
    private int inPlaceAtOnce;
    private int broughtAbout;
    private int transfers;
    private final List<Double> waits = new ArrayList<>();
    private final List<String> missed = new ArrayList<>();
    private String config = "";

    Placer(BenchContext ctx, RaftLeaderPlacement placement) {
      this.ctx = ctx;
      this.placement = placement;
    }

    @Override
    public void afterStart(HaCluster cluster) {
      int p = cluster.primary();
      if (p < 0) {
        throw new IllegalStateException("no single primary to send PATCH /config to");
      }
      if (placement.patchBody() != null) {
        HttpResponse<String> r = ConfigRest.send(cluster, p, HttpRequest.newBuilder(ConfigRest.uri(cluster, p))
            .method("PATCH", HttpRequest.BodyPublishers.ofString(placement.patchBody()))
            .header("Content-Type", "application/json"));
        if (r.statusCode() != 200) {
          throw new IllegalStateException("PATCH /config " + placement.patchBody() + " answered " + r.statusCode()
              + ": " + r.body());
        }
      }
      long deadline = System.nanoTime() + PLACEMENT_WITHIN.toNanos();
      String last = "no answer";
      while (System.nanoTime() < deadline) {
        HttpResponse<String> r = ConfigRest.send(cluster, p, HttpRequest.newBuilder(ConfigRest.uri(cluster, p)).GET());
        try {
          last = r.statusCode() == 200 ? placement.configProblem(JSON.readTree(r.body()))
              : "GET /config " + r.statusCode();
        } catch (IOException e) {
          last = "GET /config is not JSON";
        }
        if (last == null) {
          config = RaftLeaderPlacement.KEY + " " + placement.featureOn() + " (confirmed by GET /config"
              + (placement.patchBody() == null ? ", the default" : " after PATCH /config " + placement.patchBody())
              + ")";
          return;
        }
        ClusterHealth.sleep(200); // poll interval of a condition with a deadline
      }
      throw new IllegalStateException("the dynamic configuration did not have " + RaftLeaderPlacement.KEY + " "
          + placement.featureOn() + " within " + PLACEMENT_WITHIN.toSeconds() + " s (last: " + last + ")");
    }

    @Override
    public void beforeKill(HaCluster cluster, int trial) {
      PgQuorumCluster c = (PgQuorumCluster) cluster;
      trials++;
      int p = c.primary();
      if (p < 0) {
        missed.add("trial " + trial + ": no single primary");
        return;
      }
      String id = c.raftMemberId(p);
      long start = System.nanoTime();
      long deadline = start + PLACEMENT_WITHIN.toNanos();
      long nextTransfer = start;
      String transferError = "";
      String problem = placement.placementProblem(c.raftRoles(), id);
      if (problem == null) {
        inPlaceAtOnce++;
        return;
      }
      while (System.nanoTime() < deadline) {
        if (placement == RaftLeaderPlacement.ON_PRIMARY && System.nanoTime() - nextTransfer >= 0) {
          // Asked again every 3 s: a transfer can time out while the target catches up on a loaded machine.
          nextTransfer = System.nanoTime() + Duration.ofSeconds(3).toNanos();
          try {
            c.transferRaftLeadership(p, Duration.ofSeconds(3));
            transfers++;
          } catch (DcsException e) {
            transferError = "; last transfer error: " + e.getMessage();
          }
        }
        ClusterHealth.sleep(100); // poll interval of a condition with a deadline
        problem = placement.placementProblem(c.raftRoles(), id);
        if (problem == null) {
          broughtAbout++;
          waits.add((System.nanoTime() - start) / 1e9);
          return;
        }
      }
      problem += transferError;
      missed.add("trial " + trial + ": " + problem);
      ctx.progress(SUITE + ": trial " + trial + ": the Raft leadership was not " + (placement.featureOn()
          ? "off" : "on") + " the primary's node within " + PLACEMENT_WITHIN.toSeconds() + " s (" + problem
          + "); measured anyway");
    }

    @Override
    public Map<String, String> notes() {
      Map<String, String> n = new LinkedHashMap<>();
      n.put("raft leadership", (placement.featureOn()
          ? "the default: the primary's node hands the DCS's Raft leadership to another voter"
          : "kept on the primary's node: the feature off, and the bench asked the Raft leader to transfer "
              + "leadership to the primary's member before every kill") + "; " + config);
      n.put("raft leadership before the kill", String.format(Locale.ROOT, "checked before each of %d kill trials "
          + "from every member's own role report: %s in %d at once, in %d after waiting (%s s), %d never within %d s%s",
          trials, placement.featureOn() ? "off the primary's node" : "on the primary's node", inPlaceAtOnce,
          broughtAbout, waits.stream().map(w -> String.format(Locale.ROOT, "%.1f", w)).toList(), missed.size(),
          PLACEMENT_WITHIN.toSeconds(), missed.isEmpty() ? "" : " (measured anyway: " + String.join("; ", missed)
              + ")") + (placement.featureOn() ? "" : "; " + transfers + " leadership transfer(s) answered"));
      return n;
    }
  }
}
