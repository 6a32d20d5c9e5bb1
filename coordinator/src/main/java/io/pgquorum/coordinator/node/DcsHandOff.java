package io.pgquorum.coordinator.node;

import io.pgquorum.dcs.api.DcsException;
import io.pgquorum.dcs.ratis.RatisDcsClient;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Performs the decision's {@code HandOffDcsLeadership} (DcsLeadershipRules says when and to whom): a Raft
 * leadership transfer on a thread of its own, one at a time, so the HA loop never waits for it. A request while one
 * is in flight is dropped (the next cycle asks again if this member still leads). A failure is logged once per
 * distinct reason. When the last transfer failed is reported back ({@link #failedAtNanos}) for the rule to hold off
 * asking again.
 */
final class DcsHandOff implements Consumer<String> {
  private static final Logger LOG = LoggerFactory.getLogger(DcsHandOff.class);
  /**
   * Bound on one transfer: Ratis waits for the target to catch up, then the target's election (our election
   * timeouts are 0.5-1 s); a few seconds covers both on a loaded machine without holding a thread for long.
   */
  static final Duration TIMEOUT = Duration.ofSeconds(3);

  private static final long NONE = Long.MIN_VALUE;

  private final RatisDcsClient client;
  private final AtomicBoolean inFlight = new AtomicBoolean();
  private volatile String lastFailure = "";
  /** System.nanoTime() when the last finished transfer failed; {@code NONE} when it succeeded or none finished. */
  private volatile long failedAt = NONE;

  DcsHandOff(RatisDcsClient client) {
    this.client = client;
  }

  @Override
  public void accept(String target) {
    if (!inFlight.compareAndSet(false, true)) {
      return;
    }
    Thread t = new Thread(() -> {
      try {
        LOG.info("handing the DCS's Raft leadership to {}: this node runs the primary, and losing it should not also "
            + "leave the DCS without a leader", target);
        client.transferLeadership(target, TIMEOUT);
        lastFailure = "";
        failedAt = NONE;
      } catch (DcsException | IllegalArgumentException e) {
        failedAt = System.nanoTime();
        String why = String.valueOf(e.getMessage());
        if (!why.equals(lastFailure)) {
          LOG.warn("could not hand the DCS's Raft leadership to {} (asked again later while this node leads): {}",
              target, why);
        }
        lastFailure = why;
      } finally {
        inFlight.set(false);
      }
    }, "dcs-hand-off");
    t.setDaemon(true);
    t.start();
  }

  /** When the last finished transfer failed ({@link System#nanoTime()}), empty when it succeeded or none finished. */
  OptionalLong failedAtNanos() {
    long at = failedAt;
    return at == NONE ? OptionalLong.empty() : OptionalLong.of(at);
  }
}
