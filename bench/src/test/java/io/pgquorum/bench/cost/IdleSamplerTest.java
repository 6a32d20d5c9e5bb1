package io.pgquorum.bench.cost;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class IdleSamplerTest {
  @Test
  void sumsResidentMemoryAndCountsCpuOfTheGroup() {
    long self = ProcessHandle.current().pid();
    IdleSampler s = new IdleSampler(() -> List.of(self, (long) Integer.MAX_VALUE));
    s.sample();
    long x = 0;
    for (int i = 0; i < 50_000_000; i++) {
      x += i ^ x;
    }
    s.sample();
    assertThat(s.meanRssMib()).isGreaterThan(8); // this JVM; the gone PID adds nothing
    assertThat(s.cpuSeconds()).isGreaterThanOrEqualTo(0);
    assertThat(x).isNotEqualTo(42);
  }

  @Test
  void anEmptyGroupCostsNothing() {
    IdleSampler s = new IdleSampler(List::of);
    s.sample();
    assertThat(s.meanRssMib()).isZero();
    assertThat(s.cpuSeconds()).isZero();
  }
}
