package io.pgquorum.jepsen.fault;

import io.pgquorum.jepsen.gen.GeneratorSettings;
import java.util.List;

/**
 * The seeded generator's randomness as a kind sees it ({@link FaultKind#generate}). Every call consumes the
 * schedule's random stream, so a kind's draws must be in a fixed order for a seed to give the same schedule.
 */
public interface FaultDraw {
  GeneratorSettings settings();

  /** A target; half of the draws name the primary (see the generator). */
  Target target();

  /** One element of {@code from}, uniformly. */
  <T> T pick(List<T> from);

  /** The components kill and pause may hit, sorted. */
  List<Component> components();

  /** The partition shapes allowed, sorted. */
  List<PartitionShape> shapes();
}
