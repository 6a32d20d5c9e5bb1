package io.pgquorum.bench;

import io.pgquorum.bench.report.Result;
import io.pgquorum.bench.report.Results;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * What a suite gets: options, where to put scratch files, where to record results, and a progress printer.
 *
 * @param quick the --quick variant: fewer samples and trials, the whole run under five minutes
 * @param scratch a fresh directory for data directories and logs of this run (the suite makes subdirectories)
 * @param results where results go
 * @param tools paths of the binaries measured
 * @param trials failover trials per configuration (--trials), or 0 for the suite's default
 * @param out progress output
 */
public record BenchContext(boolean quick, Path scratch, Results results, Tools tools, int trials,
    PrintStream out) {

  /** Records a result and prints it as one progress line. */
  public void record(Result r) {
    results.add(r);
    progress(String.format(Locale.ROOT, "%s %s [%s] %s%s: median %.3f %s (n=%d, min %.3f, p99 %.3f, max %.3f)",
        r.suite(), r.metric(), r.config(), r.system(), r.variant().isEmpty() ? "" : " " + r.variant(),
        r.summary().p50(), r.unit(), r.summary().count(), r.summary().min(), r.summary().p99(),
        r.summary().max()));
  }

  /** Prints one timestamped progress line (long runs must show they are alive). */
  public void progress(String line) {
    out.println("[" + Instant.now().toString().substring(11, 19) + "] " + line);
    out.flush();
  }

  /** A new empty directory under the scratch directory. */
  public Path scratchDir(String name) throws IOException {
    return Files.createDirectories(Files.createTempDirectory(scratch, name + "-"));
  }

  /** The number of trials: --trials if given, else quickDefault or fullDefault. */
  public int trialsOr(int quickDefault, int fullDefault) {
    return trials > 0 ? trials : quick ? quickDefault : fullDefault;
  }

  /** A duration that is shorter in quick mode. */
  public Duration pick(Duration quickValue, Duration fullValue) {
    return quick ? quickValue : fullValue;
  }
}
