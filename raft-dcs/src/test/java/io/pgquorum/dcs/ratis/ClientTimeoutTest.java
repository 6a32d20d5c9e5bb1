package io.pgquorum.dcs.ratis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgquorum.dcs.api.DcsConfigException;
import io.pgquorum.dcs.api.DcsUnavailableException;
import io.pgquorum.testkit.FreePorts;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The client's operation timeout can follow the cluster's retry_timeout at run time, without reconnecting: each
 * call after {@link RatisDcsClient#setOperationTimeout} is bounded by the new value. Against members that do not
 * exist (nothing listens), so every call runs into its bound.
 */
class ClientTimeoutTest {

  private static RatisDcsClient client(Duration operationTimeout) {
    return RatisDcsClient.connect(DcsClientConfig.builder().groupName("g")
        .members(List.of(new PeerAddress("a", "127.0.0.1", FreePorts.next())))
        .operationTimeout(operationTimeout).requestTimeout(Duration.ofMillis(200)).build(), "owner");
  }

  @Test
  void aLoweredTimeoutBoundsTheNextCall() {
    try (RatisDcsClient c = client(Duration.ofSeconds(60))) {
      c.setOperationTimeout(Duration.ofMillis(500));
      assertThat(c.operationTimeout()).isEqualTo(Duration.ofMillis(500));
      long start = System.nanoTime();
      assertThatThrownBy(() -> c.get("/k")).isInstanceOfSatisfying(DcsUnavailableException.class,
          e -> assertThat(e.waited()).isGreaterThanOrEqualTo(Duration.ofMillis(500)));
      // Far below the 60 s it was built with: the new bound applied.
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    }
  }

  @Test
  void aRaisedTimeoutIsWaitedOut() {
    try (RatisDcsClient c = client(Duration.ofMillis(200))) {
      c.setOperationTimeout(Duration.ofMillis(1500));
      assertThatThrownBy(() -> c.put("/k", "v")).isInstanceOfSatisfying(DcsUnavailableException.class,
          e -> assertThat(e.waited()).isGreaterThanOrEqualTo(Duration.ofMillis(1500)));
    }
  }

  @Test
  void aNonsenseTimeoutIsRefused() {
    try (RatisDcsClient c = client(Duration.ofSeconds(2))) {
      assertThatThrownBy(() -> c.setOperationTimeout(Duration.ofMillis(10))).isInstanceOf(DcsConfigException.class)
          .hasMessageContaining(">= 100 ms");
      assertThat(c.operationTimeout()).isEqualTo(Duration.ofSeconds(2));
    }
  }
}
