package io.pgquorum.bench.jmh;

import io.pgquorum.bench.BenchContext;
import io.pgquorum.bench.Suite;
import io.pgquorum.bench.report.Result;
import io.pgquorum.bench.report.Summary;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Suite {@code jmh}: the JMH microbenchmarks of the DCS state machine's apply path ({@link ApplyBenchmark}), run
 * through JMH's Runner in one forked JVM with the member JVM's collector. pgquorum only: etcd's apply path is Go
 * code with no counterpart to call here.
 */
public final class JmhSuite implements Suite {
  /** Config of the results. */
  public static final String CONFIG = "in-process, 1 thread, no Ratis, no I/O";
  /**
   * JVM options of the forked benchmark JVM: a plain heap with C2, to measure the apply code itself (the daemon
   * ships C1-only to save idle CPU; that trade-off is measured by the dcs and cost suites, not here).
   */
  static final List<String> JVM_OPTIONS = List.of("-Xmx256m", "-XX:+UseSerialGC");
  /** Benchmark method → metric name. */
  static final Map<String, String> METRICS = Map.of(
      "stateMachineApplyCas", "apply-cas-state-machine",
      "kvStoreApplyCas", "apply-cas-kvstore");

  @Override
  public String name() {
    return "jmh";
  }

  @Override
  public String description() {
    return "JMH microbenchmark of the DCS state machine's apply path (pgquorum only)";
  }

  @Override
  public void run(BenchContext ctx) throws Exception {
    Path log = ctx.scratchDir("jmh").resolve("jmh.log");
    Options options = options(ctx.quick(), log);
    ctx.progress("jmh: running " + ApplyBenchmark.class.getSimpleName() + " (fork 1, " + options.getWarmupIterations()
        .orElse(0) + " warm-up and " + options.getMeasurementIterations().orElse(0) + " measured iterations per"
        + " benchmark; JMH's output goes to " + log + ")");
    for (RunResult r : new Runner(options).run()) {
      String method = r.getParams().getBenchmark();
      method = method.substring(method.lastIndexOf('.') + 1);
      List<Double> scores = new ArrayList<>();
      for (BenchmarkResult b : r.getBenchmarkResults()) {
        for (IterationResult i : b.getIterationResults()) {
          scores.add(i.getPrimaryResult().getScore());
        }
      }
      Map<String, String> notes = new LinkedHashMap<>();
      notes.put("benchmark", r.getParams().getBenchmark());
      notes.put("jvm", r.getParams().getJvm() + " " + String.join(" ", r.getParams().getJvmArgs()));
      notes.put("samples", "one per measured iteration of " + r.getParams().getMeasurement().getTime());
      ctx.record(toResult(method, r.getPrimaryResult().getScoreUnit(), scores, notes));
    }
  }

  static Options options(boolean quick, Path log) {
    return new OptionsBuilder()
        .include(ApplyBenchmark.class.getName() + "\\.")
        .forks(1)
        .threads(1)
        .warmupIterations(quick ? 3 : 5)
        .warmupTime(TimeValue.seconds(quick ? 1 : 2))
        .measurementIterations(quick ? 5 : 15)
        .measurementTime(TimeValue.seconds(quick ? 1 : 2))
        .jvmArgs(JVM_OPTIONS.toArray(String[]::new))
        .shouldFailOnError(true)
        .verbosity(VerboseMode.NORMAL)
        .output(log.toString())
        .build();
  }

  /** One benchmark's iteration scores as a pgquorum result (no incumbent counterpart). */
  static Result toResult(String method, String unit, List<Double> iterationScores, Map<String, String> notes) {
    String metric = METRICS.get(method);
    if (metric == null) {
      throw new IllegalArgumentException("benchmark method '" + method + "' has no metric name (known: "
          + METRICS.keySet() + ")");
    }
    if (iterationScores.isEmpty()) {
      throw new IllegalArgumentException("benchmark " + method + " produced no measured iteration");
    }
    return new Result("jmh", metric, CONFIG, Result.PGQUORUM, "", unit, unit.startsWith("ops/"),
        Summary.of(iterationScores), notes);
  }
}
