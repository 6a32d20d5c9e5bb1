package io.pgquorum.coordinator.ha;

import java.util.List;
import java.util.OptionalLong;

/**
 * The outcome of one HA cycle's decision: actions in order, the one-line message the cycle logs (Patroni's
 * phrasing where one exists, so operators' log searches keep working), and what the next cycle's decision must
 * remember ({@link HaMemory}; the loop hands it back unchanged).
 */
public record Decision(List<Action> actions, String message, HaMemory memory) {
  public Decision {
    actions = List.copyOf(actions);
  }

  /** A decision that remembers nothing. */
  public Decision(List<Action> actions, String message) {
    this(actions, message, HaMemory.NONE);
  }

  static Decision of(String message, Action... actions) {
    return new Decision(List.of(actions), message);
  }

  /** This decision, remembering when the current attempt to bring the primary up began. */
  Decision startedAt(long sinceNanos) {
    return new Decision(actions, message, new HaMemory(OptionalLong.of(sinceNanos), memory.unprobeableCycles()));
  }

  /** This decision with {@code actions} instead (same message and memory). */
  Decision withActions(List<Action> replaced) {
    return new Decision(replaced, message, memory);
  }

  /** Whether a step of this plan may change PostgreSQL's state (the loop then probes it again). */
  public boolean changesPostgres() {
    return actions.stream().anyMatch(a -> a instanceof Action.ChangesPostgres);
  }

  /** This decision with the count of consecutive unprobeable cycles. */
  Decision unprobeableFor(int cycles) {
    return new Decision(actions, message, new HaMemory(memory.primaryStartSinceNanos(), cycles));
  }
}
