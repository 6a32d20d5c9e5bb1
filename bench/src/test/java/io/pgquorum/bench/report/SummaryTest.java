package io.pgquorum.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SummaryTest {

  @Test
  void nearestRankPercentilesAreMeasuredValues() {
    double[] samples = new double[100];
    for (int i = 0; i < 100; i++) {
      samples[i] = 100 - i; // 1..100, unsorted
    }
    Summary s = Summary.of(samples);
    assertThat(s.count()).isEqualTo(100);
    assertThat(s.min()).isEqualTo(1);
    assertThat(s.p50()).isEqualTo(50);
    assertThat(s.p99()).isEqualTo(99);
    assertThat(s.max()).isEqualTo(100);
    assertThat(s.mean()).isEqualTo(50.5);
  }

  @Test
  void fewSamplesGiveMaxAsP99AndOneSampleIsEverything() {
    assertThat(Summary.of(3, 1, 2).p99()).isEqualTo(3);
    assertThat(Summary.of(3, 1, 2).p50()).isEqualTo(2);
    Summary one = Summary.of(List.of(7.5));
    assertThat(List.of(one.min(), one.p50(), one.p99(), one.max())).containsOnly(7.5);
  }

  @Test
  void noSamplesIsAnError() {
    assertThatThrownBy(Summary::of).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one sample");
  }
}
