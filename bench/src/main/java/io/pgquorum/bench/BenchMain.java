package io.pgquorum.bench;

import io.pgquorum.bench.report.Machine;
import io.pgquorum.bench.report.Results;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Entry point of bench/run.sh: runs the selected suites and writes results.json, results.md and ratios.svg.
 *
 * <pre>
 * BenchMain [--quick] [--out DIR] [--only SUITE,...] [--trials N] [--keep-scratch]
 * </pre>
 *
 * <p>Exit status: 0 when every selected suite ran (parts it could not run are listed in the report), 1 when a
 * suite failed, 2 on a usage error (the message names the offending argument).
 */
public final class BenchMain {
  private BenchMain() {}

  /** Held so the level set below is not lost when the logger is garbage-collected (JUL keeps weak refs). */
  private static final java.util.logging.Logger JUL_ROOT = java.util.logging.Logger.getLogger("");

  public static void main(String[] args) {
    // gRPC (inside jetcd and Ratis) logs through java.util.logging at INFO ("Epoll available ..."); the progress
    // lines are the bench's output, so only warnings of those libraries get through.
    JUL_ROOT.setLevel(java.util.logging.Level.WARNING);
    for (var h : JUL_ROOT.getHandlers()) {
      h.setLevel(java.util.logging.Level.WARNING);
    }
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    Options options;
    try {
      options = Options.parse(args, Suites.all());
    } catch (IllegalArgumentException e) {
      err.println("bench: " + e.getMessage());
      err.println(Options.usage(Suites.all()));
      return 2;
    }
    if (options.help()) {
      out.println(Options.usage(Suites.all()));
      return 0;
    }
    // The results directory is written after every suite: find out now, not after the first suite, that it
    // cannot be.
    try {
      Files.createDirectories(options.out());
      Files.deleteIfExists(Files.createTempFile(options.out(), ".write-probe", ""));
    } catch (IOException e) {
      err.println("bench: --out " + options.out() + " is not a writable directory: " + e.getMessage());
      return 2;
    }
    Path home = Path.of(System.getProperty("pgquorum.home", ".")).toAbsolutePath().normalize();
    Tools tools = Tools.detect(home);
    Results results = new Results(Machine.local(tools.versions()), options.quick());
    Path scratch;
    try {
      scratch = Files.createTempDirectory("pgquorum-bench-");
    } catch (IOException e) {
      err.println("bench: cannot create a scratch directory: " + e.getMessage());
      return 2;
    }
    BenchContext ctx = new BenchContext(options.quick(), scratch, results, tools, options.trials(), out);
    Instant start = Instant.now();
    List<String> failed = new ArrayList<>();
    for (Suite suite : Suites.all()) {
      if (!options.only().isEmpty() && !options.only().contains(suite.name())) {
        continue;
      }
      if (options.only().isEmpty() && suite.onlyWhenNamed()) {
        results.skipped("suite " + suite.name(), "runs only when named: --only " + suite.name());
        continue;
      }
      ctx.progress("suite " + suite.name() + ": " + suite.description());
      try {
        suite.run(ctx);
      } catch (Exception e) {
        failed.add(suite.name());
        results.skipped("suite " + suite.name(), "failed: " + e);
        ctx.progress("suite " + suite.name() + " FAILED: " + e);
      }
      // Results so far survive a later crash or an interrupted run.
      try {
        results.writeTo(options.out());
      } catch (IOException e) {
        err.println("bench: cannot write results to " + options.out() + ": " + e.getMessage());
        return 1;
      }
    }
    if (!options.keepScratch()) {
      deleteTree(scratch);
    }
    ctx.progress("done in " + Duration.between(start, Instant.now()).toSeconds() + " s; results in "
        + options.out().toAbsolutePath() + " (results.md, results.json, ratios.svg)"
        + (options.keepScratch() ? "; scratch kept in " + scratch : ""));
    if (!failed.isEmpty()) {
      err.println("bench: suites failed: " + String.join(", ", failed) + " (see results.md)");
      return 1;
    }
    return 0;
  }

  private static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // Scratch lives under the temporary directory; a leftover is harmless and named in no output.
    }
  }

  /** Parsed command line. */
  record Options(boolean quick, Path out, Set<String> only, int trials, boolean keepScratch, boolean help) {

    static Options parse(String[] args, List<Suite> suites) {
      boolean quick = false;
      boolean keep = false;
      Path out = Path.of("bench-results");
      Set<String> only = new LinkedHashSet<>();
      int trials = 0;
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--quick" -> quick = true;
          case "--keep-scratch" -> keep = true;
          case "--help", "-h" -> {
            return new Options(false, out, only, 0, false, true);
          }
          case "--out" -> out = Path.of(value(args, ++i, a));
          case "--trials" -> {
            String v = value(args, ++i, a);
            try {
              trials = Integer.parseInt(v);
            } catch (NumberFormatException e) {
              throw new IllegalArgumentException("--trials must be a positive integer, got '" + v + "'");
            }
            if (trials < 1) {
              throw new IllegalArgumentException("--trials must be a positive integer, got '" + v + "'");
            }
          }
          case "--only" -> {
            for (String name : value(args, ++i, a).split(",")) {
              String n = name.strip();
              if (suites.stream().noneMatch(s -> s.name().equals(n))) {
                throw new IllegalArgumentException("--only: unknown suite '" + n + "'");
              }
              only.add(n);
            }
          }
          default -> throw new IllegalArgumentException("unknown argument '" + a + "'");
        }
      }
      return new Options(quick, out, only, trials, keep, false);
    }

    private static String value(String[] args, int i, String flag) {
      if (i >= args.length || args[i].startsWith("--")) {
        throw new IllegalArgumentException(flag + " needs a value");
      }
      return args[i];
    }

    static String usage(List<Suite> suites) {
      StringBuilder s = new StringBuilder(
          "usage: bench/run.sh [--quick] [--out DIR] [--only SUITE,...] [--trials N] [--keep-scratch]\n"
              + "  --quick         fewer samples and trials (under five minutes)\n"
              + "  --out DIR       results directory (default bench-results)\n"
              + "  --trials N      failover trials per configuration\n"
              + "  --keep-scratch  keep data directories and logs of the run\n"
              + "suites:\n");
      for (Suite suite : suites) {
        s.append("  ").append(suite.name()).append("  ").append(suite.description()).append('\n');
      }
      return s.toString();
    }
  }
}
