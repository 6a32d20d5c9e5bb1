package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.config.CallbackAction;
import java.util.EnumSet;
import java.util.Set;

/**
 * Which of this node's scripts are configured ({@code postgresql.callbacks}, {@code pre_promote},
 * {@code before_stop}): the decision plans a script's step only when it is, so a node without scripts decides
 * exactly as before. The commands themselves stay with the executor's side ({@code CallbackRunner}).
 *
 * @param callbacks the events a callback script is configured for
 * @param prePromote a {@code pre_promote} script is configured
 * @param beforeStop a {@code before_stop} script is configured
 */
public record Hooks(Set<CallbackAction> callbacks, boolean prePromote, boolean beforeStop) {
  /** No scripts. */
  public static final Hooks NONE = new Hooks(Set.of(), false, false);

  public Hooks {
    callbacks = callbacks.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(callbacks));
  }
}
