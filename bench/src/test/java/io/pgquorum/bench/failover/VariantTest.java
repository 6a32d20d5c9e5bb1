package io.pgquorum.bench.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.jepsen.stack.PgClusterSpec.SyncMode;
import org.junit.jupiter.api.Test;

class VariantTest {
  @Test
  void theConfigNamesTheModeSoThatOnlyTheSameModePairsUp() {
    // Asynchronous results keep the config the failover suite has always recorded.
    assertThat(Variant.pgquorumDefaults(3).config()).isEqualTo("3 nodes");
    assertThat(Variant.pgquorumDefaults(3).withSync(SyncMode.ON).config())
        .isEqualTo(Variant.patroniDefaults(3).withSync(SyncMode.ON).config())
        .isEqualTo("3 nodes, synchronous_mode on");
    assertThat(Variant.pgquorumDefaults(3).withSync(SyncMode.STRICT).config())
        .isEqualTo("3 nodes, synchronous_mode on + strict");
    assertThat(Variant.patroniDefaults(3).withSync(SyncMode.QUORUM).timing())
        .isEqualTo(Variant.patroniDefaults(3).timing());
  }
}
