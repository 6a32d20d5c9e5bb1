package io.pgquorum.coordinator.node;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.config.TimeUnits;
import io.pgquorum.coordinator.ha.NodeStatus;
import java.time.Duration;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the DCS client's operation timeout equal to the cluster's {@code retry_timeout} in force (the DCS
 * {@code config} key, or {@code bootstrap.dcs} without one), as the HA loop sees it after each cycle.
 *
 * <p>Why: the lease margin budget ({@code loop_wait + 2 * retry_timeout <= ttl}) assumes a DCS call returns within
 * retry_timeout. The client is built at start-up from {@code bootstrap.dcs}; after an operator changes
 * {@code retry_timeout} in the cluster's configuration, a client still bounded by the old value could block the
 * loop longer than the budget allows (a raised ttl with a raised retry_timeout), or give up sooner than the
 * operator asked. The timeout is changed in place; the client is not rebuilt (no reconnect, no lost session).
 */
final class DcsTimeoutFollower implements Consumer<NodeStatus> {
  private static final Logger log = LoggerFactory.getLogger(DcsTimeoutFollower.class);

  private final DynamicConfig bootstrap;
  private final Consumer<Duration> setTimeout;
  private Duration current;

  /**
   * @param bootstrap the node's {@code bootstrap.dcs}, in force while the cluster has no valid config key
   * @param initial the timeout the client was built with
   * @param setTimeout changes the client's operation timeout
   */
  DcsTimeoutFollower(DynamicConfig bootstrap, Duration initial, Consumer<Duration> setTimeout) {
    this.bootstrap = bootstrap;
    this.current = initial;
    this.setTimeout = setTimeout;
  }

  @Override
  public synchronized void accept(NodeStatus status) {
    DynamicConfig dyn = status.cluster().flatMap(ClusterSnapshot::config).map(v -> v.value()).orElse(bootstrap);
    Duration wanted = dyn.retryTimeout();
    if (!wanted.equals(current)) {
      setTimeout.accept(wanted);
      log.info("DCS operation timeout follows retry_timeout: {} s (was {} s)", TimeUnits.seconds(wanted),
          TimeUnits.seconds(current));
      current = wanted;
    }
  }
}
