package io.pgquorum.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FreePortsTest {
  @Test
  void portsAreDistinctBindableAndBelowTheEphemeralRange() throws Exception {
    int[] ports = FreePorts.take(50);
    assertThat(Arrays.stream(ports).distinct().count()).isEqualTo(50);
    int[] ephemeral = FreePorts.ephemeralRange();
    for (int p : ports) {
      assertThat(p < ephemeral[0] || p > ephemeral[1])
          .as("port %d outside the ephemeral range %d-%d", p, ephemeral[0], ephemeral[1]).isTrue();
    }
    for (int p : ports) {
      try (java.net.ServerSocket s = new java.net.ServerSocket(p, 1, java.net.InetAddress.getLoopbackAddress())) {
        assertThat(s.getLocalPort()).isEqualTo(p);
      }
    }
  }

  @Test
  void theRangeAvoidsTheKernelsEphemeralPorts() {
    assertThat(FreePorts.range(new int[] {32_768, 60_999})).containsExactly(10_000, 32_767);
    assertThat(FreePorts.range(new int[] {10_500, 40_000})).containsExactly(40_001, 65_535);
    assertThat(FreePorts.range(new int[] {10_500, 64_000})).containsExactly(10_000, 65_535);
  }
}
