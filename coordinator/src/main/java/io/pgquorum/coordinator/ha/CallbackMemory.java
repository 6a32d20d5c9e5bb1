package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.config.CallbackAction;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the callback rules ({@link CallbackRules}) remember from one cycle to the next, as Patroni's PostgreSQL
 * object does (its role, {@code cb_called}, {@code cb_pending}, and the time a pre_promote failure gave the lock
 * back).
 *
 * @param announced the role the last callback announced ({@link #PRIMARY}, {@link #REPLICA},
 *     {@link #STANDBY_LEADER}), {@link #DEMOTED} after this node stopped its primary, or empty while no callback ran
 *     in this process yet (then PostgreSQL found running gets an on_start, as Patroni's first cycle does)
 * @param pending the callback due once the operation a plan started has succeeded (a start: on_start; a promotion:
 *     on_role_change), with the role PostgreSQL has then
 * @param pendingPrimary the pending callback is a promotion's: due only once PostgreSQL runs as primary, dropped
 *     when the task ended and it still does not
 * @param noRaceBeforeNanos until when (the loop's nano clock) this node stays out of leader races after its
 *     pre_promote script refused a promotion (Patroni: ttl)
 */
public record CallbackMemory(Optional<String> announced, Optional<CallbackAction> pending, boolean pendingPrimary,
    OptionalLong noRaceBeforeNanos) {
  public static final String PRIMARY = "primary";
  public static final String REPLICA = "replica";
  public static final String STANDBY_LEADER = "standby_leader";
  public static final String DEMOTED = "demoted";

  /** Nothing remembered. */
  public static final CallbackMemory NONE = new CallbackMemory(Optional.empty(), Optional.empty(), false,
      OptionalLong.empty());
}
