package io.pgquorum.jepsen.gen;

import io.pgquorum.jepsen.fault.Component;
import io.pgquorum.jepsen.fault.Fault;
import io.pgquorum.jepsen.fault.PartitionShape;
import io.pgquorum.jepsen.fault.Schedule;
import io.pgquorum.jepsen.fault.Step;
import io.pgquorum.jepsen.fault.Target;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Draws fault schedules from a seed. Same settings and seed give an equal schedule on every JVM: the only
 * randomness is a {@link SplittableRandom} seeded with the seed (which mixes consecutive seeds well), and every
 * set is drawn from in a sorted order (never hash order).
 *
 * <p>Targets favour the primary (half of the draws name {@code "primary"}, the rest are spread over
 * {@code node:N} and {@code replica:N}), since faults on the primary are the ones that test failover and fencing.
 * Steps may overlap; the nemesis composes overlapping faults.
 */
public final class ScheduleGenerator {
  private final GeneratorSettings settings;
  private final List<String> kinds;
  private final List<Component> components;
  private final List<PartitionShape> shapes;

  public ScheduleGenerator(GeneratorSettings settings) {
    this.settings = settings;
    this.kinds = List.copyOf(new TreeSet<>(settings.kinds()));
    this.components = List.copyOf(new TreeSet<>(settings.components()));
    this.shapes = List.copyOf(new TreeSet<>(settings.shapes()));
  }

  public GeneratorSettings settings() {
    return settings;
  }

  /** The schedule for {@code seed}, named {@code "seed-<seed>"}. */
  public Schedule generate(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int count = 1 + r.nextInt(settings.maxSteps());
    List<Step> steps = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long at = r.nextLong(settings.maxStartMillis() + 1);
      long duration = settings.minDurationMillis()
          + r.nextLong(settings.maxDurationMillis() - settings.minDurationMillis() + 1);
      steps.add(new Step(at, duration, fault(r, pick(r, kinds))));
    }
    // Stable sort: equal start times keep draw order, so the result is still a function of the seed.
    steps.sort(Comparator.comparingLong(Step::atMillis));
    return new Schedule("seed-" + seed, seed, settings.nodes(), steps, settings.quietMillis());
  }

  private Fault fault(SplittableRandom r, String kind) {
    switch (kind) {
      case "partition": {
        PartitionShape shape = pick(r, shapes);
        // The ring ignores its target; name node:0 so equal faults look equal.
        Target t = shape == PartitionShape.MAJORITIES_RING ? Target.node(0) : target(r);
        return new Fault.Partition(shape, t);
      }
      case "kill":
        return new Fault.Kill(target(r), pick(r, components));
      case "pause":
        return new Fault.Pause(target(r), pick(r, components));
      case "clock-skew":
        return new Fault.ClockSkew(target(r), pick(r, settings.skewRates()));
      case "packet-loss":
        return new Fault.PacketLoss(pick(r, settings.lossProbabilities()));
      case "delay":
        return new Fault.Delay(pick(r, settings.delaysMillis()));
      default:
        throw new IllegalStateException("no generator for fault kind " + kind);
    }
  }

  private Target target(SplittableRandom r) {
    int n = settings.nodes();
    if (r.nextBoolean()) {
      return Target.primary();
    }
    // node:0..n-1 then replica:0..n-2
    int i = r.nextInt(n + n - 1);
    return i < n ? Target.node(i) : Target.replica(i - n);
  }

  private static <T> T pick(SplittableRandom r, List<T> from) {
    return from.get(r.nextInt(from.size()));
  }
}
