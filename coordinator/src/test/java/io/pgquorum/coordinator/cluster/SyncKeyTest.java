package io.pgquorum.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.dcs.api.Dcs;
import io.pgquorum.dcs.memory.InMemoryDcs;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The {@code sync} key: Patroni 4's JSON both ways, written and deleted only with compare-and-set. */
class SyncKeyTest {
  private static final DcsKeys KEYS = new DcsKeys("/service/demo/");
  private final InMemoryDcs dcs = new InMemoryDcs();
  private final Dcs client = dcs.client("node1");
  private final ClusterStore store = new ClusterStore(client, KEYS, "node1");

  @AfterEach
  void close() {
    dcs.close();
  }

  @Test
  void patronisJsonBothWays() {
    assertThat(ClusterCodec.encodeSync(new SyncState(Optional.of("node1"), List.of("node2", "node3"), 1, 0)))
        .isEqualTo("{\"leader\":\"node1\",\"sync_standby\":\"node2,node3\",\"quorum\":1}");
    assertThat(ClusterCodec.encodeSync(new SyncState(Optional.of("node1"), List.of(), 0)))
        .isEqualTo("{\"leader\":\"node1\",\"sync_standby\":null,\"quorum\":0}");
    // As Patroni writes it (and an older one without quorum): decoded the same way.
    client.put(KEYS.sync(), "{\"leader\": \"node1\", \"sync_standby\": \"node2, Node3\", \"quorum\": 1}",
        io.pgquorum.dcs.api.Precondition.none(), null);
    SyncState read = store.load().sync().orElseThrow();
    assertThat(read.leader()).contains("node1");
    assertThat(read.syncStandbys()).containsExactly("node2", "Node3");
    assertThat(read.quorum()).isEqualTo(1);
    assertThat(read.lists("node3")).as("PostgreSQL matches application_name case-insensitively").isTrue();
    assertThat(read.lists("node4")).isFalse();
    client.put(KEYS.sync(), "{\"leader\": \"node1\", \"sync_standby\": null}", io.pgquorum.dcs.api.Precondition.none(),
        null);
    assertThat(store.load().sync().orElseThrow()).satisfies(s -> {
      assertThat(s.syncStandbys()).isEmpty();
      assertThat(s.quorum()).isZero();
    });
  }

  @Test
  void writesAreCompareAndSet() {
    SyncState first = new SyncState(Optional.of("node1"), List.of(), 0);
    SyncState stored = store.writeSync(first, 0).orElseThrow();
    assertThat(stored.modRevision()).isPositive();
    assertThat(store.writeSync(first, 0)).as("created only when absent").isEmpty();
    SyncState next = new SyncState(Optional.of("node1"), List.of("node2"), 0);
    SyncState second = store.writeSync(next, stored.modRevision()).orElseThrow();
    assertThat(store.load().sync().orElseThrow()).isEqualTo(second);
    assertThat(store.writeSync(first, stored.modRevision())).as("a stale revision loses").isEmpty();
    assertThat(store.load().sync().orElseThrow().syncStandbys()).containsExactly("node2");
    assertThat(store.deleteSync(stored.modRevision())).as("a stale delete loses").isFalse();
    assertThat(store.deleteSync(second.modRevision())).isTrue();
    assertThat(store.load().sync()).isEmpty();
  }

  @Test
  void contentComparisonIgnoresOrderCaseAndRevision() {
    SyncState a = new SyncState(Optional.of("node1"), List.of("b", "A"), 1, 5);
    assertThat(a.sameContent(new SyncState(Optional.of("NODE1"), List.of("a", "B"), 1, 9))).isTrue();
    assertThat(a.sameContent(new SyncState(Optional.of("node1"), List.of("a", "b"), 2, 5))).isFalse();
  }
}
