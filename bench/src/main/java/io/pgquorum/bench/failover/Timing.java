package io.pgquorum.bench.failover;

/**
 * The three timing settings both systems share (Patroni's names).
 *
 * @param ttl leader lease, seconds
 * @param loopWait HA cycle, seconds
 * @param retryTimeout DCS retry timeout, seconds
 */
public record Timing(int ttl, int loopWait, int retryTimeout) {
  @Override
  public String toString() {
    return "ttl " + ttl + ", loop_wait " + loopWait + ", retry_timeout " + retryTimeout;
  }
}
