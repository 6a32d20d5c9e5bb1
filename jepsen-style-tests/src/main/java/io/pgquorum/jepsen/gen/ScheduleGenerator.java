package io.pgquorum.jepsen.gen;

import io.pgquorum.jepsen.fault.Component;
import io.pgquorum.jepsen.fault.FaultDraw;
import io.pgquorum.jepsen.fault.FaultKinds;
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
 * Steps may overlap; the nemesis composes overlapping faults. Kinds are drawn by their generator weight, and each
 * kind draws its own fields ({@link io.pgquorum.jepsen.fault.FaultKind}).
 */
public final class ScheduleGenerator {
  private final GeneratorSettings settings;
  private final List<String> kinds;
  private final List<Component> components;
  private final List<PartitionShape> shapes;
  private final int totalWeight;

  public ScheduleGenerator(GeneratorSettings settings) {
    this.settings = settings;
    this.kinds = List.copyOf(new TreeSet<>(settings.kinds()));
    this.components = List.copyOf(new TreeSet<>(settings.components()));
    this.shapes = List.copyOf(new TreeSet<>(settings.shapes()));
    this.totalWeight = kinds.stream().mapToInt(k -> FaultKinds.named(k).generatorWeight()).sum();
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
      steps.add(new Step(at, duration, FaultKinds.generate(kind(r), draw(r))));
    }
    // Stable sort: equal start times keep draw order, so the result is still a function of the seed.
    steps.sort(Comparator.comparingLong(Step::atMillis));
    return new Schedule("seed-" + seed, seed, settings.nodes(), steps, settings.quietMillis());
  }

  /**
   * A kind drawn by generator weight. Walking the sorted kinds with one {@code nextInt(total weight)} draw keeps
   * equal weights a uniform pick with exactly the random stream of a plain {@code pick}.
   */
  private String kind(SplittableRandom r) {
    int x = r.nextInt(totalWeight);
    for (String k : kinds) {
      x -= FaultKinds.named(k).generatorWeight();
      if (x < 0) {
        return k;
      }
    }
    throw new IllegalStateException("generator weights changed while drawing");
  }

  private FaultDraw draw(SplittableRandom r) {
    return new FaultDraw() {
      @Override
      public GeneratorSettings settings() {
        return settings;
      }

      @Override
      public Target target() {
        return ScheduleGenerator.this.target(r);
      }

      @Override
      public <T> T pick(List<T> from) {
        return ScheduleGenerator.pick(r, from);
      }

      @Override
      public List<Component> components() {
        return components;
      }

      @Override
      public List<PartitionShape> shapes() {
        return shapes;
      }
    };
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
