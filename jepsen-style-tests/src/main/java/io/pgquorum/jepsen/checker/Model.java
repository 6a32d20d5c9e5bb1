package io.pgquorum.jepsen.checker;

import io.pgquorum.jepsen.history.Op;
import java.util.Optional;

/**
 * A deterministic sequential specification, the reference a concurrent history is linearized against.
 *
 * <p>Implementations are immutable values with {@code equals}/{@code hashCode}: the linearizability search
 * memoises (linearized-set, model) configurations, so two equal states must compare equal.
 *
 * <p>Definitely-failed operations (FAIL) never reach a model: the checker drops them before the search, because
 * they did not take effect (see each model for why that is sound for its operations).
 */
public interface Model {

  /**
   * The state after applying one operation, or empty if the operation cannot happen in this state.
   *
   * @param invoke the invocation (carries {@code f} and the argument)
   * @param completion the OK completion carrying the result, or an INFO completion / {@code null} when the outcome
   *     is unknown: then only the operation's effect matters and its result is not checked
   */
  Optional<Model> step(Op invoke, Op completion);

  /**
   * True when {@code invoke} names an operation that can never change the state (a read). An unknown-outcome
   * read carries no information, so the checker drops it before the search instead of letting it multiply the
   * configurations explored.
   */
  default boolean readOnly(Op invoke) {
    return false;
  }
}
