package io.pgquorum.bench.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgquorum.jepsen.stack.PgClusterSpec.SyncMode;
import java.time.Duration;
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

  @Test
  void aCustomVariantMayNameTheRaftElectionTimeout() {
    Variant v = Variant.parseList("V", "pgquorum:4/1/1@0.25", "").get(0);
    assertThat(v.name()).isEqualTo("4/1/1@0.25");
    assertThat(v.timing()).isEqualTo(new Timing(4, 1, 1));
    assertThat(v.electionTimeout()).hasValue(Duration.ofMillis(250));
    assertThat(v.toString()).contains("raft.election_timeout 0.25");
    assertThat(v.withName("x").electionTimeout()).hasValue(Duration.ofMillis(250));
    assertThat(v.withSync(SyncMode.ON).electionTimeout()).hasValue(Duration.ofMillis(250));
    assertThat(Variant.parseList("V", "pgquorum:4/1/1", "").get(0).electionTimeout()).isEmpty();
  }

  @Test
  void aMalformedElectionTimeoutIsRefusedNamingTheVariable() {
    for (String bad : new String[] {"pgquorum:4/1/1@", "pgquorum:4/1/1@soon", "pgquorum:4/1/1@0.0005"}) {
      assertThatThrownBy(() -> Variant.parseList("PGQUORUM_BENCH_FAILOVER_VARIANTS", bad, ""))
          .as(bad).hasMessageStartingWith("PGQUORUM_BENCH_FAILOVER_VARIANTS: unknown variant '" + bad + "'");
    }
  }
}
