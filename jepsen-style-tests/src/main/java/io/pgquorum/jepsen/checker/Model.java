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

  /**
   * For models whose operations either observe a value or overwrite the state with one (a register): the value
   * {@code invoke} leaves behind when it takes effect, empty when the operation writes nothing or the model does not
   * take part. With {@link #observes}, it lets the checker drop an unknown-outcome write whose value no operation
   * ever observed: placing it can only make the search longer, never a history valid (see
   * {@link LinearizabilityChecker}).
   */
  default Optional<Object> overwrites(Op invoke) {
    return Optional.empty();
  }

  /**
   * The value {@code invoke} requires the state to hold when it takes effect (an OK read's result, a
   * compare-and-set's expectation), empty when none. {@code completion} is null or INFO for unknown outcomes.
   */
  default Optional<Object> observes(Op invoke, Op completion) {
    return Optional.empty();
  }
}
