package io.pgquorum.bench.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class PgbenchOutputTest {
  // What pgbench 15.18 printed for a 2-second run (verbatim but for the numbers' meaning).
  private static final String RUN = """
      pgbench (15.18 (Debian 15.18-0+deb12u1))
      starting vacuum...end.
      transaction type: <builtin: TPC-B (sort of)>
      scaling factor: 1
      query mode: simple
      number of clients: 2
      number of threads: 1
      maximum number of tries: 1
      duration: 2 s
      number of transactions actually processed: 2428
      number of failed transactions: 3 (0.123%)
      latency average = 1.624 ms
      initial connection time = 35.749 ms
      tps = 1231.565823 (without initial connection time)
      """;

  @Test
  void readsThroughputLatencyAndCountsFromTheSummary() {
    PgbenchOutput.Summary s = PgbenchOutput.summary(RUN);
    // The tps line without the connection time, not the initial connection time's number.
    assertThat(s.tps()).isCloseTo(1231.565823, within(1e-9));
    assertThat(s.latencyAverageMs()).isCloseTo(1.624, within(1e-9));
    assertThat(s.processed()).isEqualTo(2428);
    assertThat(s.failed()).isEqualTo(3);
  }

  @Test
  void aSummaryWithoutTheFailedLineCountsNoFailures() {
    String older = RUN.replace("number of failed transactions: 3 (0.123%)\n", "");
    assertThat(PgbenchOutput.summary(older).failed()).isZero();
  }

  @Test
  void aRunThatPrintedNoTpsIsAnErrorNotAZero() {
    String aborted = "pgbench: error: connection to server failed\npgbench: fatal: could not create connection\n";
    assertThatThrownBy(() -> PgbenchOutput.summary(aborted)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tps").hasMessageContaining("connection to server failed");
  }

  @Test
  void readsEachTransactionsLatencyInMillisecondsFromTheLog() {
    PgbenchOutput.Log log = PgbenchOutput.log(List.of(
        "0 1 7157 0 1796443877 632256",
        "1 1 9016 0 1796443877 634151",
        "",
        "0 2 failed 0 1796443877 640000",
        "1 2 skipped 0 1796443877 650000",
        "0 3 2441 0 1796443877 634741 12 0"));
    assertThat(log.latenciesMs()).containsExactly(7.157, 9.016, 2.441);
    assertThat(log.notCompleted()).isEqualTo(2);
  }

  @Test
  void aLineOfAnotherFormatIsRefused() {
    assertThatThrownBy(() -> PgbenchOutput.log(List.of("progress: 5.0 s, 1200.3 tps, lat 1.6 ms stddev 0.5")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("progress: 5.0 s");
    assertThatThrownBy(() -> PgbenchOutput.log(List.of("0 1 abc 0 1796443877 632256")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
