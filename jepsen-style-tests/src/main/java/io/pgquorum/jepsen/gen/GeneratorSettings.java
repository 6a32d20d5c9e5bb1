package io.pgquorum.jepsen.gen;

import io.pgquorum.dcs.lease.LeaseTracker;
import io.pgquorum.jepsen.fault.Component;
import io.pgquorum.jepsen.fault.FaultKinds;
import io.pgquorum.jepsen.fault.PartitionShape;
import io.pgquorum.jepsen.fault.ScheduleJson;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the {@link ScheduleGenerator} may draw from. Immutable; change one knob with the {@code with...} methods.
 *
 * @param nodes cluster size
 * @param kinds fault kinds allowed ({@link io.pgquorum.jepsen.fault.Fault#kind()} values: partition, kill, pause,
 *     clock-skew, packet-loss, delay; never dcs-config, see {@link ScheduleJson#generatedKinds()})
 * @param components what kill and pause may hit
 * @param shapes partition shapes allowed
 * @param maxSteps at most this many steps per schedule (at least one is always drawn)
 * @param maxStartMillis steps start between 0 and this offset
 * @param minDurationMillis shortest step
 * @param maxDurationMillis longest step
 * @param quietMillis the fault-free tail after the last heal (recovery is measured in it)
 * @param skewRates clock rates a clock-skew step draws from (1.0 = real time)
 * @param lossProbabilities drop probabilities a packet-loss step draws from
 * @param delaysMillis one-way delays a delay step draws from
 */
public record GeneratorSettings(int nodes, Set<String> kinds, Set<Component> components, Set<PartitionShape> shapes,
    int maxSteps, long maxStartMillis, long minDurationMillis, long maxDurationMillis, long quietMillis,
    List<Double> skewRates, List<Double> lossProbabilities, List<Integer> delaysMillis) {

  /**
   * The clock-rate drift pgquorum's leases are proven safe under: the DCS's default {@code maxClockRateDrift}
   * (5 %; see {@link LeaseTracker}). Rates within {@code [1 - this, 1 + this]} must keep P5 green; rates beyond it
   * are how P5 is shown to go red.
   */
  public static final double SAFE_CLOCK_RATE_DRIFT = LeaseTracker.DEFAULT_MAX_CLOCK_RATE_DRIFT;

  /** Rates inside the safe bound, both directions, including the bound itself. */
  public static final List<Double> SAFE_SKEW_RATES = List.of(
      1 - SAFE_CLOCK_RATE_DRIFT, 1 - SAFE_CLOCK_RATE_DRIFT / 2, 1 + SAFE_CLOCK_RATE_DRIFT / 2,
      1 + SAFE_CLOCK_RATE_DRIFT);

  // Not compact: the kinds check their knobs on the finished settings (FaultKinds.checkSettings(this)).
  public GeneratorSettings(int nodes, Set<String> kinds, Set<Component> components, Set<PartitionShape> shapes,
      int maxSteps, long maxStartMillis, long minDurationMillis, long maxDurationMillis, long quietMillis,
      List<Double> skewRates, List<Double> lossProbabilities, List<Integer> delaysMillis) {
    if (nodes < 1) {
      throw new IllegalArgumentException("generator nodes must be at least 1, got " + nodes);
    }
    kinds = Set.copyOf(new TreeSet<>(kinds));
    if (kinds.isEmpty()) {
      throw new IllegalArgumentException("generator kinds must not be empty");
    }
    for (String k : kinds) {
      if (!ScheduleJson.generatedKinds().contains(k)) {
        throw new IllegalArgumentException("generator kinds: " + (ScheduleJson.kinds().contains(k)
            ? "fault kind \"" + k + "\" is for hand-written schedules only" : "unknown fault kind \"" + k + "\"")
            + " (allowed: " + new TreeSet<>(ScheduleJson.generatedKinds()) + ")");
      }
    }
    components = components.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(components));
    shapes = shapes.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(shapes));
    skewRates = List.copyOf(skewRates);
    lossProbabilities = List.copyOf(lossProbabilities);
    delaysMillis = List.copyOf(delaysMillis);
    this.nodes = nodes;
    this.kinds = kinds;
    this.components = components;
    this.shapes = shapes;
    this.maxSteps = maxSteps;
    this.maxStartMillis = maxStartMillis;
    this.minDurationMillis = minDurationMillis;
    this.maxDurationMillis = maxDurationMillis;
    this.quietMillis = quietMillis;
    this.skewRates = skewRates;
    this.lossProbabilities = lossProbabilities;
    this.delaysMillis = delaysMillis;
    // Each allowed kind needs something to draw from (e.g. partition needs shapes).
    FaultKinds.checkSettings(this);
    for (double r : skewRates) {
      if (!(r > 0)) {
        throw new IllegalArgumentException("generator skewRates must be positive, got " + r);
      }
    }
    for (double p : lossProbabilities) {
      if (!(p >= 0 && p <= 1)) {
        throw new IllegalArgumentException("generator lossProbabilities must be in [0, 1], got " + p);
      }
    }
    for (int d : delaysMillis) {
      if (d < 0) {
        throw new IllegalArgumentException("generator delaysMillis must not be negative, got " + d);
      }
    }
    if (maxSteps < 1) {
      throw new IllegalArgumentException("generator maxSteps must be at least 1, got " + maxSteps);
    }
    if (maxStartMillis < 0 || quietMillis < 0) {
      throw new IllegalArgumentException("generator maxStartMillis and quietMillis must not be negative");
    }
    if (minDurationMillis < 1 || maxDurationMillis < minDurationMillis) {
      throw new IllegalArgumentException("generator durations need 1 <= minDurationMillis <= maxDurationMillis, got "
          + minDurationMillis + " and " + maxDurationMillis);
    }
  }

  /**
   * DCS-level runs (in-JVM Raft members): every generated fault kind, kill and pause of
   * {@link Component#DCS_MEMBER}, every partition shape, clock skew within {@link #SAFE_SKEW_RATES}, steps of 1-8 s
   * within the first 10 s, 10 s quiet.
   */
  public static GeneratorSettings dcs(int nodes) {
    return new GeneratorSettings(nodes, ScheduleJson.generatedKinds(), Set.of(Component.DCS_MEMBER),
        EnumSet.allOf(PartitionShape.class), 4, 10_000, 1_000, 8_000, 10_000, SAFE_SKEW_RATES,
        List.of(0.05, 0.1, 0.2, 0.3), List.of(5, 20, 50, 100));
  }

  /**
   * Full-stack runs (daemons and PostgreSQL): every generated fault kind, kill and pause of
   * {@link Component#DAEMON} and {@link Component#POSTGRES}, every partition shape, clock skew within
   * {@link #SAFE_SKEW_RATES} (the documented safe bound), steps of 2-20 s within the first 20 s (long enough to
   * outlast a lease), 30 s quiet for recovery.
   */
  public static GeneratorSettings fullStack(int nodes) {
    return new GeneratorSettings(nodes, ScheduleJson.generatedKinds(),
        EnumSet.of(Component.DAEMON, Component.POSTGRES),
        EnumSet.allOf(PartitionShape.class), 3, 20_000, 2_000, 20_000, 30_000, SAFE_SKEW_RATES,
        List.of(0.05, 0.1, 0.2), List.of(10, 50, 200));
  }

  public GeneratorSettings withNodes(int n) {
    return new GeneratorSettings(n, kinds, components, shapes, maxSteps, maxStartMillis, minDurationMillis,
        maxDurationMillis, quietMillis, skewRates, lossProbabilities, delaysMillis);
  }

  public GeneratorSettings withKinds(Set<String> k) {
    return new GeneratorSettings(nodes, k, components, shapes, maxSteps, maxStartMillis, minDurationMillis,
        maxDurationMillis, quietMillis, skewRates, lossProbabilities, delaysMillis);
  }

  public GeneratorSettings withComponents(Set<Component> c) {
    return new GeneratorSettings(nodes, kinds, c, shapes, maxSteps, maxStartMillis, minDurationMillis,
        maxDurationMillis, quietMillis, skewRates, lossProbabilities, delaysMillis);
  }

  public GeneratorSettings withShapes(Set<PartitionShape> s) {
    return new GeneratorSettings(nodes, kinds, components, s, maxSteps, maxStartMillis, minDurationMillis,
        maxDurationMillis, quietMillis, skewRates, lossProbabilities, delaysMillis);
  }

  public GeneratorSettings withMaxSteps(int m) {
    return new GeneratorSettings(nodes, kinds, components, shapes, m, maxStartMillis, minDurationMillis,
        maxDurationMillis, quietMillis, skewRates, lossProbabilities, delaysMillis);
  }

  public GeneratorSettings withMaxStartMillis(long m) {
    return new GeneratorSettings(nodes, kinds, components, shapes, maxSteps, m, minDurationMillis,
        maxDurationMillis, quietMillis, skewRates, lossProbabilities, delaysMillis);
  }

  public GeneratorSettings withDurations(long minMillis, long maxMillis) {
    return new GeneratorSettings(nodes, kinds, components, shapes, maxSteps, maxStartMillis, minMillis, maxMillis,
        quietMillis, skewRates, lossProbabilities, delaysMillis);
  }

  public GeneratorSettings withQuietMillis(long q) {
    return new GeneratorSettings(nodes, kinds, components, shapes, maxSteps, maxStartMillis, minDurationMillis,
        maxDurationMillis, q, skewRates, lossProbabilities, delaysMillis);
  }

  public GeneratorSettings withSkewRates(List<Double> r) {
    return new GeneratorSettings(nodes, kinds, components, shapes, maxSteps, maxStartMillis, minDurationMillis,
        maxDurationMillis, quietMillis, r, lossProbabilities, delaysMillis);
  }

  public GeneratorSettings withLossProbabilities(List<Double> p) {
    return new GeneratorSettings(nodes, kinds, components, shapes, maxSteps, maxStartMillis, minDurationMillis,
        maxDurationMillis, quietMillis, skewRates, p, delaysMillis);
  }

  public GeneratorSettings withDelaysMillis(List<Integer> d) {
    return new GeneratorSettings(nodes, kinds, components, shapes, maxSteps, maxStartMillis, minDurationMillis,
        maxDurationMillis, quietMillis, skewRates, lossProbabilities, d);
  }
}
