package io.pgquorum.jepsen.runner;

import io.pgquorum.dcs.planted.DcsBug;
import io.pgquorum.dcs.planted.PlantedBugs;
import io.pgquorum.jepsen.campaign.CampaignSummary;
import io.pgquorum.jepsen.campaign.Cell;
import io.pgquorum.jepsen.campaign.Matrix;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code bin/jepsen-run}: runs saved or seeded schedules, or a whole campaign matrix, each trial against a fresh
 * local cluster, and writes every trial's history and report plus one aggregate report. See
 * {@link RunOptions#USAGE} and the module's README.
 */
public final class JepsenRun {
  private JepsenRun() {
  }

  public static void main(String[] args) {
    // gRPC (inside Ratis) logs through java.util.logging; only warnings belong on a user's terminal.
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    System.exit(run(args, System.out, System.err));
  }

  /**
   * The whole command; returns the exit status: 0 every trial passed (UNKNOWN ones within --max-unknown), 1 a
   * trial failed or too many were UNKNOWN, 2 bad usage or a trial could not be run.
   */
  static int run(String[] args, PrintStream out, PrintStream err) {
    return run(args, out, err, JepsenRun::trialFor);
  }

  /** As {@link #run(String[], PrintStream, PrintStream)} with the trials built by {@code factory} (tests). */
  static int run(String[] args, PrintStream out, PrintStream err, Factory factory) {
    RunOptions o;
    try {
      o = RunOptions.parse(args);
    } catch (RunOptions.UsageException e) {
      if (!e.getMessage().isEmpty()) {
        err.println("jepsen-run: " + e.getMessage());
        err.println(RunOptions.USAGE);
        return 2;
      }
      out.println(RunOptions.USAGE);
      return 0;
    }
    Campaign.Plan plan;
    try {
      plan = plan(o);
      // Every cell's schedules must load or generate before anything runs: a typo in a file name is a usage
      // error, not an hour-long campaign with an error row at the end.
      for (Cell c : plan.cells()) {
        Campaign.schedules(c, plan.baseSeed());
      }
    } catch (RuntimeException e) {
      err.println("jepsen-run: " + e.getMessage());
      return 2;
    }
    out.println("jepsen-run: base seed " + plan.baseSeed() + " (replay generated schedules with --seed "
        + plan.baseSeed() + ")" + (plan.flat() ? "" : "; " + plan.cells().size() + " cells, " + plan.trials()
        + " trials, report " + plan.out().resolve("campaign.html")));
    CampaignSummary s = new Campaign(plan, c -> factory.forCell(c, o), out).run();
    if (!s.passed()) {
      err.println("FAILED: " + s.line() + " (see " + plan.out().resolve("campaign.html") + ")");
      return 1;
    }
    return s.total().errors() > 0 ? 2 : 0;
  }

  /** Builds a cell's trial from the cell and the command's defaults. */
  interface Factory {
    Campaign.Runner forCell(Cell cell, RunOptions o);
  }

  /** The cells to run: the matrix, or one flat cell for a plain run. */
  static Campaign.Plan plan(RunOptions o) {
    long base = o.seed() != null ? o.seed() : new SecureRandom().nextLong() & ((1L << 40) - 1);
    if (!o.matrix().isEmpty()) {
      List<Cell> cells = Matrix.expand(o.matrix(), o.target(), o.schedulesPerCell(), RunOptions.BUGS);
      return new Campaign.Plan("jepsen campaign (" + cells.size() + " cells)", cells, base, o.maxUnknown(),
          o.shrinkAttempts(), o.out(), false);
    }
    Set<String> kinds = o.kinds() == null ? null : new LinkedHashSet<>(o.kinds());
    Cell cell = o.scheduleFile() != null
        ? new Cell(o.target(), null, null, o.ttl(), o.maxLag(), o.sync(), o.plantedBug(), o.scheduleFile(), 1)
        : new Cell(o.target(), o.nodes(), kinds, o.ttl(), o.maxLag(), o.sync(), o.plantedBug(), null,
            o.schedules());
    return new Campaign.Plan("jepsen run", List.of(cell), base, o.maxUnknown(), o.shrinkAttempts(), o.out(),
        true);
  }

  /**
   * The real trials: a DCS testbed, or a full stack whose settings come from the command (network, and the
   * defaults for ttl, maximum_lag_on_failover and planted bug) overridden by the cell's axes.
   */
  static Campaign.Runner trialFor(Cell cell, RunOptions o) {
    if (cell.target().equals("dcs")) {
      String bug = o.plantedBug();
      if (bug != null && RunOptions.DCS_BUGS.contains(bug)) {
        DcsBug b = DcsBug.valueOf(bug.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
        return new Campaign.Runner(new DcsTrial(PlantedBugs.of(b)), "--target dcs --planted-bug " + bug);
      }
      return new Campaign.Runner(new DcsTrial(), "--target dcs");
    }
    StackTrial.Settings s = StackTrial.Settings.defaults().withNetwork(o.network(), o.nodeUser());
    Integer ttl = cell.ttl() != null ? cell.ttl() : o.ttl();
    Long lag = cell.maxLag() != null ? cell.maxLag() : o.maxLag();
    String sync = cell.sync() != null ? cell.sync() : o.sync();
    String bug = cell.bug() != null ? cell.bug() : o.plantedBug();
    if (ttl != null) {
      s = s.withTtl(ttl);
    }
    if (lag != null) {
      s = s.withMaximumLagOnFailover(lag);
    }
    if (sync != null) {
      s = s.withSynchronousMode(io.pgquorum.jepsen.stack.PgClusterSpec.SyncMode.parse(sync));
    }
    if (o.failsafe() != null) {
      s = s.withFailsafeMode(o.failsafe());
    }
    if (bug != null) {
      s = s.withPlantedBug(bug);
    }
    return new Campaign.Runner(new StackTrial(s), "--target stack" + s.flags());
  }
}
