package io.pgquorum.dcs.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class DcsCommonPrefixTest {
  @Test
  void theDefaultWatchOfSeveralPrefixesWatchesWhatTheyShare() {
    assertThat(Dcs.commonPrefix(List.of("/service/a/leader", "/service/a/failover", "/service/a/config")))
        .isEqualTo("/service/a/");
    assertThat(Dcs.commonPrefix(List.of("/service/a/leader"))).isEqualTo("/service/a/leader");
    assertThat(Dcs.commonPrefix(List.of("/x", "/service"))).isEqualTo("/");
    assertThat(Dcs.commonPrefix(List.of("a", "b"))).isEmpty();
    assertThatThrownBy(() -> Dcs.commonPrefix(List.of())).hasMessageContaining("prefixes");
  }
}
