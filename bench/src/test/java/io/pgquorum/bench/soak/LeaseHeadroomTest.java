package io.pgquorum.bench.soak;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.bench.failover.MetricsScrape;
import io.pgquorum.bench.failover.Timing;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading the lease headroom gauge out of a node's /metrics, and what the soak makes of the nodes' values. */
class LeaseHeadroomTest {
  static final String BODY = """
      # HELP pgquorum_lease_refreshes_leader_local_total Leader lock refreshes ...
      # TYPE pgquorum_lease_refreshes_leader_local_total counter
      pgquorum_lease_refreshes_leader_local_total{scope="demo",name="node1"} 1712
      # HELP pgquorum_lease_headroom_min_seconds Lowest time ...
      # TYPE pgquorum_lease_headroom_min_seconds gauge
      pgquorum_lease_headroom_min_seconds{scope="demo",name="node1"} 1.482
      """;

  @Test
  void readsTheGaugesValueNotAnotherFamilys() {
    assertThat(MetricsScrape.value(BODY, LeaseHeadroom.GAUGE, null)).hasValue(1.482);
    assertThat(MetricsScrape.value(BODY.replace("} 1.482", "} NaN"), LeaseHeadroom.GAUGE, null).getAsDouble())
        .isNaN();
    assertThat(MetricsScrape.value("pgquorum_lease_refreshes_total{outcome=\"confirmed\"} 3\n", LeaseHeadroom.GAUGE,
        null)).isEmpty();
  }

  @Test
  void aLabelPicksTheSample() {
    String body = """
        pgquorum_fencing_actions_total{scope="s",name="n",reason="ha_loop_stopped"} 0
        pgquorum_fencing_actions_total{scope="s",name="n",reason="lease_deadline"} 2
        """;
    assertThat(MetricsScrape.value(body, "pgquorum_fencing_actions_total", "reason=\"lease_deadline\"")).hasValue(2);
    assertThat(MetricsScrape.value(body, "pgquorum_fencing_actions_total", "reason=\"watchdog_lost\"")).isEmpty();
  }

  @Test
  void theLowestIgnoresNodesThatHeldNoLease() {
    Map<String, Double> nodes = new LinkedHashMap<>();
    nodes.put("node1", Double.NaN);
    nodes.put("node2", 1.9);
    nodes.put("node3", 1.25);
    assertThat(LeaseHeadroom.lowest(nodes)).hasValue(1.25);
    assertThat(LeaseHeadroom.describe(nodes)).isEqualTo("node1 - (held no lease), node2 1.900 s, node3 1.250 s");
    assertThat(LeaseHeadroom.lowest(Map.of("node1", Double.NaN))).isEmpty();
    assertThat(LeaseHeadroom.validitySeconds(new Timing(4, 1, 1))).isEqualTo(3.0);
  }
}
