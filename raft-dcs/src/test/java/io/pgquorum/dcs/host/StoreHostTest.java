package io.pgquorum.dcs.host;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.pgquorum.dcs.lease.LeaseTracker;
import io.pgquorum.dcs.proto.Command;
import io.pgquorum.dcs.proto.Expire;
import io.pgquorum.dcs.proto.Put;
import io.pgquorum.dcs.proto.QueryReply;
import io.pgquorum.dcs.proto.Refresh;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Member-local bookkeeping around the pure store: lease timers and watches. */
class StoreHostTest {
  private final AtomicLong clock = new AtomicLong(1_000_000_000L);
  private final StoreHost host = new StoreHost(new LeaseTracker(clock::get, 0.0));
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  private static Command put(String client, long seq, String key, long ttlMillis) {
    return Command.newBuilder().setClientId(ByteString.copyFromUtf8(client)).setSeq(seq).setAckedBelow(1)
        .setPut(Put.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8(client)).setTtlMillis(ttlMillis)
            .setOwner(client)).build();
  }

  /**
   * WHY: a retry answered from the session cache carries the key as it was when first applied. Arming a
   * timer from it would time a lease that no longer exists (endless no-op expiries) and drop the timer of
   * the lease that does.
   */
  @Test
  void aCachedRetryDoesNotRearmAStaleLease() {
    host.apply(1, put("a", 1, "/k", 1000));          // a's lease
    host.apply(2, put("b", 1, "/k", 5000));          // b overwrites with its own lease
    host.apply(3, put("a", 1, "/k", 1000));          // a's retry: cached reply of index 1
    clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(1500));
    assertThat(host.dueExpiries()).as("a's old lease must not be timed").isEmpty();
    clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(4000));
    assertThat(host.dueExpiries()).extracting(Expire::getLeaseRevision).containsExactly(2L);
  }

  /** WHY: a refused expiry must leave the timer on the key's current lease, or it would repeat forever. */
  @Test
  void aRefusedExpiryRealignsTheTimer() {
    host.apply(1, put("a", 1, "/k", 1000));
    host.apply(2, Command.newBuilder().setExpire(Expire.newBuilder().setKey("/k").setLeaseRevision(99)).build());
    clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(1000));
    assertThat(host.dueExpiries()).extracting(Expire::getLeaseRevision).containsExactly(1L);
  }

  /** WHY: a watch that times out must never hide a change applied at the same moment. */
  @Test
  void aWatchEitherSeesTheChangeOrTimesOutBeforeIt() throws Exception {
    for (int i = 0; i < 200; i++) {
      long before = host.lastIndex();
      CompletableFuture<QueryReply> watch = host.watch(List.of("/w/"), before, 1, timer);
      long written = before + 1;
      host.apply(written, put("c" + i, 1, "/w/" + i, 0));
      QueryReply reply = watch.get(10, TimeUnit.SECONDS);
      if (!reply.getChanged()) {
        // Timed out: then the reply must describe a state before the write, or a resumed watch skips it.
        assertThat(reply.getRevision()).as("iteration %d", i).isLessThan(written);
      } else {
        assertThat(reply.getChangeRevision()).isEqualTo(written);
      }
    }
  }

  private static Refresh refresh(String owner, String key, long createRevision) {
    return Refresh.newBuilder().setKey(key).setOwner(owner).setCreateRevision(createRevision).build();
  }

  /**
   * WHY: the leader-local refresh answers only successes and must refuse exactly what a logged refresh refuses
   * (a re-created lease, another owner, a missing key); a refusal it got wrong would tell a former primary that it
   * still holds a lock someone else now holds.
   */
  @Test
  void aLocalRefreshOfAStaleIncarnationAnotherOwnersLeaseOrAMissingKeyIsLeftToTheLog() {
    host.apply(1, put("a", 1, "/leader", 1_000));
    host.apply(2, Command.newBuilder().setDelete(io.pgquorum.dcs.proto.Delete.newBuilder().setKey("/leader"))
        .build());
    host.apply(3, put("a", 2, "/leader", 1_000)); // re-created: create revision 3

    assertThat(host.beginLocalRefresh(1, refresh("a", "/leader", 1)).lease()).as("stale incarnation").isNull();
    assertThat(host.beginLocalRefresh(1, refresh("b", "/leader", 3)).lease()).as("another owner").isNull();
    assertThat(host.beginLocalRefresh(1, refresh("a", "/gone", 0)).lease()).as("missing key").isNull();
    StoreHost.LocalRefresh ok = host.beginLocalRefresh(1, refresh("a", "/leader", 3));
    assertThat(ok.unserved()).isEmpty();
    assertThat(ok.lease().getLeaseRevision()).isEqualTo(3);
  }

  /**
   * WHY: a local refresh that re-arms a lease the leader already proposed to expire would be answered "refreshed"
   * while the compare-and-delete, naming the unchanged lease revision, deletes it.
   */
  @Test
  void aLocalRefreshRacingAnExpiryProposalIsLeftToTheLogAndOneBeforeItPostponesTheExpiry() {
    host.apply(1, put("a", 1, "/leader", 1_000));
    clock.addAndGet(999_000_000L);
    assertThat(host.beginLocalRefresh(7, refresh("a", "/leader", 1)).lease()).isNotNull();
    clock.addAndGet(1_000_000L);
    assertThat(host.dueExpiries(7)).as("re-armed by the local refresh").isEmpty();
    clock.addAndGet(999_000_000L);
    assertThat(host.dueExpiries(7)).hasSize(1);
    assertThat(host.beginLocalRefresh(7, refresh("a", "/leader", 1)).lease()).as("expiry in flight").isNull();
  }

  /** WHY: a new leader's timers must start after its election (LeaseTracker, rule 3), whatever it applied before. */
  @Test
  void theFirstExpiryCheckOfANewTermReArmsEveryLease() {
    host.apply(1, put("a", 1, "/leader", 1_000));
    clock.addAndGet(2_000_000_000L); // long run out on the follower-era timer
    assertThat(host.dueExpiries(9)).as("first check in term 9 re-arms").isEmpty();
    clock.addAndGet(1_000_000_000L);
    assertThat(host.dueExpiries(9)).hasSize(1);
  }
}
