package io.pgquorum.coordinator.ha;

import java.util.Optional;

/**
 * The log line when this node sees maintenance mode switched on or off, saying what happens to the watchdog.
 *
 * <p>Patroni disables its watchdog while paused and re-arms it on resume; pgquorum deliberately does not. Why:
 * Patroni's watchdog resets the machine when its loop stops feeding it, and a paused Patroni keeps a primary
 * running through a DCS outage or past its own exit, when nothing feeds it. pgquorum's watchdog is the lease's
 * fence instead ({@code fence.WatchdogProcess}): armed with the lease deadline on every refresh, disarmed once the
 * lease is gone and PostgreSQL stopped. The paused leader keeps refreshing its lease (PauseRules), so the
 * watchdog never fires while its daemon works; it fires only when the daemon is frozen or killed past the
 * deadline. Disabled while paused, that primary would run writable with no valid lease, and once the operator
 * resumed, a replica would take the expired lock and promote next to it: two writable primaries. So the watchdog
 * keeps following the lease, paused or not, and these lines say so each way.
 */
final class PauseNotice {
  private Optional<Boolean> lastPaused = Optional.empty();

  /**
   * The line to log for the dynamic configuration of this cycle ({@code paused}): one when pause was switched on
   * or off since the last call (also on the first call if paused); empty otherwise.
   */
  Optional<String> seen(boolean paused) {
    boolean changed = lastPaused.map(p -> p != paused).orElse(paused);
    lastPaused = Optional.of(paused);
    if (!changed) {
      return Optional.empty();
    }
    return Optional.of(paused
        ? "PAUSE: maintenance mode on; the watchdog stays armed while this node holds the leader lease (unlike "
            + "Patroni's, it only fences a primary whose lease ran out, and the paused leader keeps its lease)"
        : "maintenance mode off; the watchdog kept following the leader lease throughout");
  }
}
