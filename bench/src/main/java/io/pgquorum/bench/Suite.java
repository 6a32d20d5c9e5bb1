package io.pgquorum.bench;

/** One benchmark suite: measures pgquorum and the incumbent side by side and records results in the context. */
public interface Suite {
  /** Short name used by {@code --only} and in the results ("dcs", "failover", ...). */
  String name();

  /** One line saying what the suite measures (for --help and progress output). */
  String description();

  /**
   * Runs the suite. A part that cannot run (a missing incumbent, say) is recorded with
   * {@link io.pgquorum.bench.report.Results#skipped} rather than silently dropped; an exception aborts only this
   * suite and is reported.
   */
  void run(BenchContext ctx) throws Exception;

  /**
   * Whether the suite runs only when named with {@code --only} (an experiment beside the standing comparison); a
   * run without {@code --only} records it as skipped, saying how to run it.
   */
  default boolean onlyWhenNamed() {
    return false;
  }
}
