package io.pgquorum.bench.dcs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ClusterKeysTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void tenClustersOfThreeMembersHaveTenKeysEachUnderTheirOwnPrefix() {
    Map<String, String> keys = ClusterKeys.generate(10, 3);

    assertThat(keys).hasSize(100);
    Map<String, Long> perPrefix = keys.keySet().stream()
        .collect(Collectors.groupingBy(k -> k.substring(0, k.indexOf('/', "/service/".length()) + 1),
            Collectors.counting()));
    assertThat(perPrefix).hasSize(10).allSatisfy((prefix, count) -> assertThat(count).isEqualTo(10L));
    assertThat(perPrefix).containsKey(ClusterKeys.prefix(4));
    assertThat(keys).containsKeys("/service/cluster-01/leader", "/service/cluster-10/config",
        "/service/cluster-05/members/postgresql2", "/service/cluster-07/initialize");
  }

  @Test
  void memberRecordsAreHalfAKilobyteToAKilobyteOfJson() throws Exception {
    Map<String, String> keys = ClusterKeys.generate(10, 3);
    for (Map.Entry<String, String> e : keys.entrySet()) {
      if (e.getKey().contains("/members/")) {
        int size = e.getValue().getBytes(StandardCharsets.UTF_8).length;
        assertThat(size).as(e.getKey()).isBetween(500, 1024);
      }
      if (!e.getKey().endsWith("/leader") && !e.getKey().endsWith("/initialize")) {
        assertThat(JSON.readTree(e.getValue())).as(e.getKey()).isNotNull();
      }
    }
  }

  @Test
  void prefixesDoNotOverlap() {
    assertThat(ClusterKeys.prefix(0)).isEqualTo("/service/cluster-01/");
    assertThat(ClusterKeys.prefix(9)).isEqualTo("/service/cluster-10/");
    Map<String, String> keys = ClusterKeys.generate(10, 3);
    assertThat(keys.keySet().stream().filter(k -> k.startsWith(ClusterKeys.prefix(0)))).hasSize(10);
  }
}
