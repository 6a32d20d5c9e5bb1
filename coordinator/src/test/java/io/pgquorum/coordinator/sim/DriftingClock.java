package io.pgquorum.coordinator.sim;

/**
 * One machine's monotonic clock in the simulation: a linear function of the simulation's true time (nanoseconds)
 * whose rate can change (drift) without ever running backwards. Offsets between machines are arbitrary, as between
 * real {@code System.nanoTime()} clocks, so code that compared instants across machines would show up.
 */
final class DriftingClock {
  private final SimTime time;
  private long baseTrue;
  private long baseLocal;
  private double rate;

  DriftingClock(SimTime time, long offsetNanos, double rate) {
    this.time = time;
    this.baseTrue = time.now();
    this.baseLocal = offsetNanos;
    this.rate = rate;
  }

  /** This clock's reading now. */
  long now() {
    return at(time.now());
  }

  long at(long trueNanos) {
    return baseLocal + (long) ((trueNanos - baseTrue) * rate);
  }

  double rate() {
    return rate;
  }

  /** Changes the rate from now on; the reading stays continuous. */
  void setRate(double newRate) {
    long t = time.now();
    baseLocal = at(t);
    baseTrue = t;
    rate = newRate;
  }

  /**
   * The first true instant at which this clock reads at least {@code localNanos} (in the past for a reading already
   * passed: a deadline that ran out while a daemon was paused stays due, it does not move along with now).
   */
  long trueTimeOf(long localNanos) {
    long t = baseTrue + (long) Math.ceil((localNanos - baseLocal) / rate);
    while (at(t) < localNanos) {
      t++;
    }
    // The estimate can also overshoot (at truncates, the division rounds): step back to the first such instant.
    // Why it matters: the scheduler foresees an event at trueTimeOf(due) and runs it once true time is there; an
    // instant past the first made trueTimeOf(now's reading) lie a nanosecond after now, so an event recomputed at
    // its own instant moved away from it (seed 1269376629502: the lease keeper's refresh on a clock at rate 1.32).
    while (at(t - 1) >= localNanos) {
      t--;
    }
    return t;
  }
}
