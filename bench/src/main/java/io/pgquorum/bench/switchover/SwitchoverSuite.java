package io.pgquorum.bench.switchover;

import io.pgquorum.bench.BenchContext;
import io.pgquorum.bench.Suite;
import io.pgquorum.bench.failover.HaCluster;
import io.pgquorum.bench.failover.Variant;
import io.pgquorum.bench.report.Result;
import io.pgquorum.bench.report.Summary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An immediate switchover requested through each system's REST API under a steady write load, pgquorum against
 * Patroni + etcd at their defaults, three nodes: request to answer, the server-side write gap, and the client
 * outage through HAProxy configured from the repository's sample ({@code conf/haproxy.cfg}; see
 * {@link SwitchoverTrial}). Trials alternate the candidate between the two replicas.
 */
public final class SwitchoverSuite implements Suite {
  static final String SUITE = "switchover";

  @Override
  public String name() {
    return SUITE;
  }

  @Override
  public String description() {
    return "POST /switchover under write load: request to answer, write gap, client outage through HAProxy "
        + "(pgquorum vs Patroni + etcd)";
  }

  @Override
  public void run(BenchContext ctx) throws Exception {
    Path sample = ctx.tools().pgquorumHome().resolve("conf").resolve("haproxy.cfg");
    if (!HaproxyFront.installed() || !Files.isRegularFile(sample)) {
      ctx.results().skipped("switchover", !HaproxyFront.installed() ? "HAProxy is not installed (apt-get install "
          + "haproxy)" : "the HAProxy sample " + sample + " is missing");
      return;
    }
    int trials = ctx.trialsOr(2, 6);
    List<String> failed = new ArrayList<>();
    for (Variant v : List.of(Variant.pgquorumDefaults(3), Variant.patroniDefaults(3))) {
      if (v.system().equals(Result.PATRONI) && !(ctx.tools().hasPatroni() && ctx.tools().hasEtcd())) {
        ctx.results().skipped("switchover: " + v, "Patroni or etcd is not installed (apt-get install patroni "
            + "etcd-server)");
        continue;
      }
      failed.addAll(measure(ctx, v, sample, trials));
    }
    if (!failed.isEmpty()) {
      throw new IllegalStateException(failed.size() + " switchover trial(s) failed: " + String.join(" | ", failed));
    }
  }

  private static List<String> measure(BenchContext ctx, Variant v, Path sample, int trials) throws Exception {
    List<String> failures = new ArrayList<>();
    List<Double> answer = new ArrayList<>();
    List<Double> gap = new ArrayList<>();
    List<Double> outage = new ArrayList<>();
    ctx.progress("switchover: starting " + v);
    Path dir = ctx.scratchDir((v.system().equals(Result.PGQUORUM) ? "pgq" : "patroni") + "-switchover");
    try (HaCluster c = v.start(ctx.tools(), dir)) {
      List<HaCluster.Endpoint> pg = new ArrayList<>();
      List<HaCluster.Endpoint> rest = new ArrayList<>();
      for (int i = 0; i < c.size(); i++) {
        pg.add(c.postgresEndpoint(i));
        rest.add(c.restEndpoint(i));
      }
      try (HaproxyFront haproxy = HaproxyFront.start(sample, dir.resolve("haproxy"), pg, rest)) {
        Duration deadline = Duration.ofSeconds(v.timing().ttl() + 60L);
        for (int t = 1; t <= trials; t++) {
          int primary = c.primary();
          int candidate = (primary + 1 + (t % 2)) % c.size();
          try {
            SwitchoverTrial.Outcome o = SwitchoverTrial.run(c, haproxy, candidate, deadline);
            answer.add(o.answerSeconds());
            gap.add(o.writeGapSeconds());
            outage.add(o.clientOutageSeconds());
            ctx.progress(String.format(Locale.ROOT, "switchover: %s trial %d: answer %.2f s (%d %s), write gap "
                + "%.3f s, client outage through HAProxy %.3f s, %s -> %s", v, t, o.answerSeconds(), o.status(),
                o.body(), o.writeGapSeconds(), o.clientOutageSeconds(), c.name(primary), c.name(o.newPrimary())));
            c.awaitHealthy(Duration.ofMinutes(3));
            CandidatesSettled.await(c, Duration.ofMinutes(1));
          } catch (IllegalStateException e) {
            String line = firstLine(e.getMessage());
            failures.add(v + " trial " + t + ": " + line);
            ctx.progress("switchover: " + v + " trial " + t + " failed: " + line);
            c.awaitHealthy(Duration.ofMinutes(3));
            CandidatesSettled.await(c, Duration.ofMinutes(1));
          }
        }
      }
      Map<String, String> notes = new LinkedHashMap<>(c.settings());
      notes.put("request", "POST /switchover {leader, candidate} to the primary's REST API (what patronictl "
          + "switchover --force sends); the answer comes once the candidate holds the lock");
      notes.put("load", "one writer per node straight to its PostgreSQL and one through HAProxy, an insert every "
          + SwitchoverTrial.WRITE_INTERVAL_MS + " ms each");
      // The check settings as the sample has them now, not as a sentence here that could go stale.
      String checks = Files.readAllLines(sample).stream().map(String::trim)
          .filter(l -> l.startsWith("default-server")).findFirst().orElse("no default-server line");
      notes.put("haproxy", "conf/haproxy.cfg's listen primary section as shipped (" + checks
          + ", option redispatch)");
      if (!failures.isEmpty()) {
        notes.put("failed trials", failures.size() + " (not in the samples): " + String.join("; ", failures));
      }
      record(ctx, v, "request-to-answer", answer, notes);
      record(ctx, v, "write-gap", gap, notes);
      record(ctx, v, "client-outage-haproxy", outage, notes);
    }
    return failures;
  }

  private static void record(BenchContext ctx, Variant v, String metric, List<Double> samples,
      Map<String, String> notes) {
    if (samples.isEmpty()) {
      ctx.results().skipped("switchover " + metric + " [" + v.config() + "] " + v.system() + " " + v.name(),
          "no trial succeeded");
      return;
    }
    ctx.record(new Result(SUITE, metric, v.config(), v.system(), v.name(), "s", false, Summary.of(samples),
        notes));
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
