package io.pgquorum.jepsen.gen;

/**
 * Thrown by {@link PropertyRun#check} when a trial failed: the message holds the seed, how to replay it, and the
 * minimal schedule; {@link #report()} holds the details.
 */
public final class PropertyFailure extends AssertionError {
  private static final long serialVersionUID = 1L;
  private final transient PropertyReport report;

  public PropertyFailure(PropertyReport report) {
    super(report.message());
    this.report = report;
  }

  public PropertyReport report() {
    return report;
  }
}
