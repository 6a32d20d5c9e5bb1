package io.pgquorum.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportRenderingTest {

  static Results sample() {
    Results results = new Results(new Machine("2026-11-21T00:00:00Z", "Test CPU", 2, 24000, "6.1", "OpenJDK 17",
        Map.of("etcd", "etcd Version: 3.4.23")), true);
    results.add(Result.of("dcs", "cas-sequential", "3 members | fsync", Result.PGQUORUM, "", "ms", false,
        Summary.of(1, 2, 3)));
    results.add(Result.of("dcs", "cas-sequential", "3 members | fsync", Result.ETCD, "", "ms", false,
        Summary.of(4, 4, 4)).withNote("client", "jetcd"));
    results.skipped("failover vs Patroni", "patroni not installed");
    return results;
  }

  @Test
  void markdownPutsRatiosFirstAndEscapesCells() {
    String md = MarkdownReport.render(sample());
    assertThat(md).contains("Test CPU, 2 cores").contains("etcd etcd Version: 3.4.23");
    assertThat(md.indexOf("## Ratios")).isLessThan(md.indexOf("## dcs"));
    assertThat(md).contains("| **0.500x** | pgquorum better |");
    assertThat(md).contains("3 members \\| fsync");
    assertThat(md).contains("client: jetcd");
    assertThat(md).contains("- failover vs Patroni: patroni not installed");
  }

  @Test
  void chartDrawsOneGreenBarPerBetterComparisonAndIsWellFormedXml() throws Exception {
    String svg = RatioChart.render(Comparison.pair(sample().all()));
    assertThat(svg).startsWith("<svg").contains("#3a9d4a").doesNotContain("#c8453b").contains("0.500x");
    javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new java.io.ByteArrayInputStream(svg.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  @Test
  void logAxisPutsOneInTheMiddleAndClampsExtremes() {
    double left = RatioChart.x(RatioChart.MIN_RATIO);
    double right = RatioChart.x(RatioChart.MAX_RATIO);
    assertThat(RatioChart.x(1)).isEqualTo((left + right) / 2);
    assertThat(RatioChart.x(1e-9)).isEqualTo(left);
    assertThat(RatioChart.x(1e9)).isEqualTo(right);
  }

  @Test
  void writesAllThreeFiles(@TempDir Path dir) throws Exception {
    sample().writeTo(dir);
    assertThat(Files.readString(dir.resolve("results.json"))).contains("\"ratio\" : 0.5").contains("Test CPU");
    assertThat(dir.resolve("results.md")).exists();
    assertThat(dir.resolve("ratios.svg")).exists();
  }
}
