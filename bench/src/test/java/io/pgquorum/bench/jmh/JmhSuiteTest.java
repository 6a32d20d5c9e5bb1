package io.pgquorum.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgquorum.bench.report.Result;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.runner.options.Options;

class JmhSuiteTest {

  @Test
  void iterationScoresBecomeAPgquorumResultWithoutIncumbent() {
    Result r = JmhSuite.toResult("stateMachineApplyCas", "ns/op", List.of(900.0, 1000.0, 1100.0, 950.0, 5000.0),
        Map.of("benchmark", "x"));

    assertThat(r.suite()).isEqualTo("jmh");
    assertThat(r.metric()).isEqualTo("apply-cas-state-machine");
    assertThat(r.system()).isEqualTo(Result.PGQUORUM);
    assertThat(r.unit()).isEqualTo("ns/op");
    assertThat(r.higherIsBetter()).isFalse();
    assertThat(r.summary().count()).isEqualTo(5);
    assertThat(r.summary().p50()).isEqualTo(1000.0);
    assertThat(r.summary().max()).isEqualTo(5000.0);
    assertThat(JmhSuite.toResult("kvStoreApplyCas", "ops/us", List.of(1.0), Map.of()).higherIsBetter()).isTrue();
  }

  @Test
  void unknownBenchmarksAndEmptyRunsAreRefusedByName() {
    assertThatThrownBy(() -> JmhSuite.toResult("other", "ns/op", List.of(1.0), Map.of()))
        .hasMessageContaining("'other'");
    assertThatThrownBy(() -> JmhSuite.toResult("kvStoreApplyCas", "ns/op", List.of(), Map.of()))
        .hasMessageContaining("kvStoreApplyCas");
  }

  @Test
  void optionsForkOnceWithTheMemberJvmsCollector() {
    Options quick = JmhSuite.options(true, Path.of("/tmp/jmh.log"));
    Options full = JmhSuite.options(false, Path.of("/tmp/jmh.log"));

    assertThat(quick.getForkCount().get()).isEqualTo(1);
    assertThat(quick.getJvmArgs().get()).containsExactly("-Xmx256m", "-XX:+UseSerialGC");
    assertThat(quick.getIncludes()).containsExactly(ApplyBenchmark.class.getName() + "\\.");
    assertThat(quick.getMeasurementIterations().get()).isLessThan(full.getMeasurementIterations().get());
  }
}
