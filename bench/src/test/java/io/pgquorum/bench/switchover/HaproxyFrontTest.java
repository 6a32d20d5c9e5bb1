package io.pgquorum.bench.switchover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgquorum.bench.failover.HaCluster.Endpoint;
import io.pgquorum.testkit.RepoRoot;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bench's HAProxy configuration is the shipped sample's, with only the addresses replaced. */
class HaproxyFrontTest {
  private static final List<Endpoint> PG = List.of(new Endpoint("127.0.0.1", 6001), new Endpoint("127.0.0.2", 6002));
  private static final List<Endpoint> REST = List.of(new Endpoint("127.0.0.1", 7001),
      new Endpoint("127.0.0.2", 7002));

  @Test
  void keepsTheSamplesChecksAndReplacesBindAndServers() throws Exception {
    List<String> sample = Files.readAllLines(RepoRoot.find().resolve("conf/haproxy.cfg"));
    String cfg = HaproxyFront.config(sample, 5999, PG, REST);

    assertThat(cfg).contains("listen primary\n    bind 127.0.0.1:5999\n");
    assertThat(cfg).as("timed log lines").contains("global\n    log stderr format iso local0\n")
        .contains("defaults\n    log global\n");
    assertThat(cfg).contains("    option httpchk GET /primary\n");
    String defaults = sample.stream().filter(l -> l.trim().startsWith("default-server")).findFirst().orElseThrow();
    assertThat(cfg).contains(defaults + "\n");
    assertThat(cfg).contains("    server node1 127.0.0.1:6001 check addr 127.0.0.1 port 7001\n"
        + "    server node2 127.0.0.2:6002 check addr 127.0.0.2 port 7002\n");
    assertThat(cfg).doesNotContain("10.0.0.").doesNotContain("listen replicas").doesNotContain("listen stats")
        .doesNotContain("#");
  }

  @Test
  void aSampleWithoutAPrimarySectionIsRefused() {
    assertThatThrownBy(() -> HaproxyFront.config(List.of("global", "    maxconn 1"), 1, PG, REST))
        .hasMessageContaining("no 'listen primary' section");
  }
}
