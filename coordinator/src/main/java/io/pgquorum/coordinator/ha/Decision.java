package io.pgquorum.coordinator.ha;

import java.util.List;

/**
 * The outcome of one HA cycle's decision: actions in order, and the one-line message the cycle logs (Patroni's
 * phrasing where one exists, so operators' log searches keep working).
 */
public record Decision(List<Action> actions, String message) {
  public Decision {
    actions = List.copyOf(actions);
  }

  static Decision of(String message, Action... actions) {
    return new Decision(List.of(actions), message);
  }
}
