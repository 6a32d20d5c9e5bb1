package io.pgquorum.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.dcs.api.Dcs;
import io.pgquorum.dcs.api.KeyValue;
import io.pgquorum.dcs.memory.InMemoryDcs;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ClusterStore#releaseLeader(Optional)}: the handover's release is one compare-and-delete on the leader key
 * as the DCS last confirmed it to the holder (no read first), and it never deletes a key it did not confirm.
 */
class ReleaseByRevisionTest {
  private static final Duration TTL = Duration.ofSeconds(8);
  private final InMemoryDcs dcs = new InMemoryDcs();
  private final AtomicInteger reads = new AtomicInteger();
  private final DcsKeys keys = new DcsKeys("/service/t/");
  private final ClusterStore node1 = new ClusterStore(new CountingReads(dcs.client("node1"), reads), keys, "node1");
  private final ClusterStore node2 = new ClusterStore(dcs.client("node2"), keys, "node2");

  @AfterEach
  void close() {
    dcs.close();
  }

  @Test
  void theConfirmedKeyIsDeletedWithoutReadingItFirst() {
    LeaderLock lock = node1.acquireLeader(TTL).orElseThrow();
    LeaseGrant refreshed = node1.renewLeader(lock.fencingToken()).orElseThrow();
    reads.set(0);

    assertThat(node1.releaseLeader(Optional.of(refreshed))).isTrue();

    assertThat(reads.get()).as("linearizable reads on the release").isZero();
    assertThat(node2.load().leader()).isEmpty();
  }

  @Test
  void aGrantOfAnEarlierLockDeletesNothingOfTheNextHolder() {
    LeaderLock lock = node1.acquireLeader(TTL).orElseThrow();
    LeaseGrant old = node1.renewLeader(lock.fencingToken()).orElseThrow();
    assertThat(node1.releaseLeader()).isTrue();
    LeaderLock next = node2.acquireLeader(TTL).orElseThrow();

    assertThat(node1.releaseLeader(Optional.of(old))).isFalse();

    assertThat(node2.load().leader()).map(LeaderLock::fencingToken).hasValue(next.fencingToken());
  }

  @Test
  void aGrantOutdatedByOurOwnRearmFallsBackToTheCheckedRelease() {
    LeaderLock lock = node1.acquireLeader(TTL).orElseThrow();
    LeaseGrant before = node1.renewLeader(lock.fencingToken()).orElseThrow();
    node1.rearmLeader(before, Duration.ofSeconds(12)).orElseThrow(); // a new mod revision

    assertThat(node1.releaseLeader(Optional.of(before))).isTrue();

    assertThat(node2.load().leader()).isEmpty();
  }

  /** The DCS client, counting its linearizable single-key reads. */
  private static final class CountingReads extends ForwardingDcs {
    private final AtomicInteger reads;

    CountingReads(Dcs delegate, AtomicInteger reads) {
      super(delegate);
      this.reads = reads;
    }

    @Override
    public Optional<KeyValue> get(String key) {
      reads.incrementAndGet();
      return super.get(key);
    }
  }
}
