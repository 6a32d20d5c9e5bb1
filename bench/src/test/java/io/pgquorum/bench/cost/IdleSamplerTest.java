package io.pgquorum.bench.cost;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.bench.proc.ProcStats;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
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
    assertThat(x).isNotEqualTo(42);
  }

  @Test
  void cpuIsEachProcessesFirstToLastDeltaAndRssTheMeanOfSums() {
    // Sample 1: pids 1 and 2. Sample 2: 1 grew by 60 ticks, 2 is gone, 3 appeared (counts from its first sample).
    // Sample 3: 1 grew by 40 more, 3 grew by 25.
    List<List<Long>> groups = List.of(List.of(1L, 2L), List.of(1L, 2L, 3L), List.of(1L, 3L));
    Map<Long, long[]> ticks = Map.of(1L, new long[] {100, 160, 200}, 2L, new long[] {50, -1, -1},
        3L, new long[] {-1, 500, 525});
    Map<Long, long[]> rss = Map.of(1L, new long[] {1024, 2048, 3072}, 2L, new long[] {1024, -1, -1},
        3L, new long[] {-1, 1024, 1024});
    int[] round = {0};
    IdleSampler s = new IdleSampler(() -> groups.get(round[0]), pid -> value(rss, pid, round[0]), pid -> rssOnly(),
        pid -> value(ticks, pid, round[0]));
    for (round[0] = 0; round[0] < 3; round[0]++) {
      s.sample();
    }
    assertThat(s.cpuSeconds()).isEqualTo((100 + 25) / (double) ProcStats.clockTicksPerSecond());
    assertThat(s.meanRssMib()).isEqualTo((2.0 + 3.0 + 4.0) / 3);
  }

  @Test
  void pssIsTheMeanOfSumsAndFallsBackToRssWhereUnreadable() {
    // Two JVMs sharing 1 MiB: RSS counts it twice, PSS once (half each). Process 2's smaps are unreadable.
    Map<Long, long[]> rss = Map.of(1L, new long[] {3072}, 2L, new long[] {2048}, 3L, new long[] {2048});
    Map<Long, long[]> pss = Map.of(1L, new long[] {2560}, 2L, new long[] {-1}, 3L, new long[] {1536});
    IdleSampler s = new IdleSampler(() -> List.of(1L, 2L, 3L), pid -> value(rss, pid, 0),
        pid -> value(pss, pid, 0), pid -> OptionalLong.of(1));
    s.sample();
    assertThat(s.meanRssMib()).isEqualTo(7.0);
    assertThat(s.meanPssMib()).isEqualTo((2560 + 2048 + 1536) / 1024.0);
  }

  /** No PSS readable: the sampler counts RSS instead. */
  private static OptionalLong rssOnly() {
    return OptionalLong.empty();
  }

  private static OptionalLong value(Map<Long, long[]> table, long pid, int round) {
    long v = table.get(pid)[round];
    return v < 0 ? OptionalLong.empty() : OptionalLong.of(v);
  }

  @Test
  void anEmptyGroupCostsNothing() {
    IdleSampler s = new IdleSampler(List::of);
    s.sample();
    assertThat(s.meanRssMib()).isZero();
    assertThat(s.cpuSeconds()).isZero();
  }
}
