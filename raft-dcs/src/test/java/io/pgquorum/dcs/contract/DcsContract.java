package io.pgquorum.dcs.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pgquorum.dcs.api.Dcs;
import io.pgquorum.dcs.api.KeyValue;
import io.pgquorum.dcs.api.LocalView;
import io.pgquorum.dcs.api.Precondition;
import io.pgquorum.dcs.api.PrefixSnapshot;
import io.pgquorum.dcs.api.WatchResult;
import io.pgquorum.dcs.api.WriteResult;
import io.pgquorum.dcs.api.WriteResult.Outcome;
import io.pgquorum.dcs.lease.LeaseTracker;
import io.pgquorum.dcs.statemachine.Codec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The behaviour every {@link Dcs} implementation must have, written once and run against the in-memory
 * store and a real three-member Ratis group over loopback sockets.
 */
public abstract class DcsContract {

  /** Two clients of one store with different lease owners. */
  protected abstract Dcs alice();

  protected abstract Dcs bob();

  /** The lease expiry multiplier ((1+rho)/(1-rho)); both implementations run with the default drift bound. */
  protected double expiryFactor() {
    return new LeaseTracker(System::nanoTime, LeaseTracker.DEFAULT_MAX_CLOCK_RATE_DRIFT).expiryFactor();
  }

  private String p;

  @BeforeEach
  void uniquePrefix(TestInfo info) {
    // One store serves all tests of a class; a prefix per test keeps them independent.
    p = "/" + info.getTestMethod().orElseThrow().getName() + "-" + System.nanoTime() + "/";
  }

  @Test
  void putThenGetReturnsTheValueWithRevisions() {
    WriteResult w = alice().put(p + "a", "1");
    assertThat(w.succeeded()).isTrue();
    KeyValue kv = alice().get(p + "a").orElseThrow();
    assertThat(kv.value()).isEqualTo("1");
    assertThat(kv.createRevision()).isEqualTo(w.revision());
    assertThat(kv.modRevision()).isEqualTo(w.revision());
    assertThat(kv.version()).isEqualTo(1);
    assertThat(kv.isLease()).isFalse();
    assertThat(bob().get(p + "missing")).isEmpty();
  }

  @Test
  void prefixReadIsOneOrderedSnapshotOfExactlyThePrefix() {
    alice().put(p + "b", "2");
    alice().put(p + "a", "1");
    alice().put(p + "a/x", "3");
    alice().put(p.substring(0, p.length() - 1) + "x", "outside");
    PrefixSnapshot snap = bob().read(p);
    assertThat(snap.entries()).extracting(KeyValue::key).containsExactly(p + "a", p + "a/x", p + "b");
    assertThat(snap.revision()).isGreaterThanOrEqualTo(
        snap.entries().stream().mapToLong(KeyValue::modRevision).max().orElseThrow());
  }

  @Test
  void createIfAbsentLetsExactlyOneWriterWin() {
    WriteResult first = alice().put(p + "lock", "alice", Precondition.absent(), null);
    WriteResult second = bob().put(p + "lock", "bob", Precondition.absent(), null);
    assertThat(first.outcome()).isEqualTo(Outcome.OK);
    assertThat(second.outcome()).isEqualTo(Outcome.CONDITION_FAILED);
    assertThat(second.entry()).map(KeyValue::value).contains("alice");
    assertThat(alice().get(p + "lock").orElseThrow().value()).isEqualTo("alice");
  }

  @Test
  void compareAndSetOnRevisionFailsOnAStaleRevisionAndReportsTheCurrentOne() {
    long r1 = alice().put(p + "k", "v1").revision();
    long r2 = alice().put(p + "k", "v2", Precondition.modRevision(r1), null).revision();
    WriteResult stale = bob().put(p + "k", "v3", Precondition.modRevision(r1), null);
    assertThat(stale.outcome()).isEqualTo(Outcome.CONDITION_FAILED);
    assertThat(stale.entry().orElseThrow().modRevision()).isEqualTo(r2);
    assertThat(stale.entry().orElseThrow().version()).isEqualTo(2);
    assertThat(alice().get(p + "k").orElseThrow().value()).isEqualTo("v2");
  }

  @Test
  void compareAndSetOnValue() {
    alice().put(p + "k", "old");
    assertThat(bob().put(p + "k", "x", Precondition.value("other"), null).outcome())
        .isEqualTo(Outcome.CONDITION_FAILED);
    assertThat(bob().put(p + "k", "new", Precondition.value("old"), null).outcome()).isEqualTo(Outcome.OK);
    assertThat(alice().get(p + "k").orElseThrow().value()).isEqualTo("new");
  }

  @Test
  void compareAndDeleteOnlyDeletesTheExpectedRevision() {
    long r1 = alice().put(p + "k", "1").revision();
    alice().put(p + "k", "2");
    assertThat(bob().delete(p + "k", Precondition.modRevision(r1)).outcome()).isEqualTo(Outcome.CONDITION_FAILED);
    long current = alice().get(p + "k").orElseThrow().modRevision();
    WriteResult deleted = bob().delete(p + "k", Precondition.modRevision(current));
    assertThat(deleted.succeeded()).isTrue();
    assertThat(deleted.deleted()).isEqualTo(1);
    assertThat(alice().get(p + "k")).isEmpty();
    assertThat(alice().delete(p + "k").deleted()).isZero();
  }

  @Test
  void deletePrefixRemovesOnlyKeysUnderThePrefix() {
    alice().put(p + "m/1", "a");
    alice().put(p + "m/2", "b");
    alice().put(p + "mm", "c");
    assertThat(bob().deletePrefix(p + "m/")).isEqualTo(2);
    assertThat(alice().read(p).entries()).extracting(KeyValue::key).containsExactly(p + "mm");
  }

  @Test
  void everyCreateGetsAStrictlyLargerCreateRevision() {
    long previous = 0;
    for (int i = 0; i < 5; i++) {
      WriteResult created = alice().put(p + "leader", "n" + i, Precondition.absent(), null);
      assertThat(created.succeeded()).isTrue();
      long token = created.entry().orElseThrow().createRevision();
      assertThat(token).isGreaterThan(previous);
      previous = token;
      alice().put(p + "leader", "n" + i + "'");
      assertThat(alice().get(p + "leader").orElseThrow().createRevision()).isEqualTo(token);
      alice().delete(p + "leader");
    }
  }

  @Test
  void aLeaseIsNeverExpiredBeforeItsTtlAndIsExpiredSoonAfter() {
    Duration ttl = Duration.ofMillis(800);
    long sent = System.nanoTime();
    assertThat(alice().put(p + "lease", "alice", Precondition.absent(), ttl).succeeded()).isTrue();
    long goneAt = pollUntilGone(p + "lease", Duration.ofSeconds(10));
    long lifetimeMillis = TimeUnit.NANOSECONDS.toMillis(goneAt - sent);
    assertThat(lifetimeMillis).as("lease lifetime").isGreaterThanOrEqualTo(ttl.toMillis());
    // "Soon after": generous (shared machine), but it must not wait for anything like another TTL cycle
    // of a slow scheme plus slack.
    assertThat(lifetimeMillis).isLessThan((long) (ttl.toMillis() * expiryFactor()) + 5000);
  }

  @Test
  void refreshingKeepsTheLeaseAliveAndStoppingLetsItExpire() throws InterruptedException {
    Duration ttl = Duration.ofMillis(900);
    long create = alice().put(p + "lease", "alice", Precondition.absent(), ttl).entry().orElseThrow()
        .createRevision();
    long until = System.nanoTime() + ttl.multipliedBy(3).toNanos();
    long lastSent = System.nanoTime();
    while (System.nanoTime() < until) {
      long sent = System.nanoTime();
      WriteResult r = alice().refresh(p + "lease", create);
      assertThat(r.outcome()).as("refresh").isEqualTo(Outcome.OK);
      lastSent = sent;
      // Pacing the owner's refresh loop at about ttl/4 (the behaviour under test), not waiting for a condition.
      TimeUnit.MILLISECONDS.sleep(200);
    }
    KeyValue kv = bob().get(p + "lease").orElseThrow();
    assertThat(kv.modRevision()).as("refresh does not change the value revision").isEqualTo(create);
    long goneAt = pollUntilGone(p + "lease", Duration.ofSeconds(10));
    assertThat(TimeUnit.NANOSECONDS.toMillis(goneAt - lastSent)).isGreaterThanOrEqualTo(ttl.toMillis());
  }

  @Test
  void onlyTheOwnerCanRefreshAndOnlyTheIncarnationItCreated() {
    WriteResult created = alice().put(p + "lease", "alice", Precondition.absent(), Duration.ofSeconds(30));
    long create = created.entry().orElseThrow().createRevision();
    assertThat(created.entry().orElseThrow().owner()).isEqualTo(alice().ownerId());
    assertThat(bob().refresh(p + "lease", 0).outcome()).isEqualTo(Outcome.NOT_OWNER);
    assertThat(alice().refresh(p + "lease", create + 1000).outcome()).isEqualTo(Outcome.CONDITION_FAILED);
    assertThat(alice().refresh(p + "lease", create).outcome()).isEqualTo(Outcome.OK);
    assertThat(alice().refresh(p + "nothing", 0).outcome()).isEqualTo(Outcome.NOT_FOUND);
    alice().delete(p + "lease");
    assertThat(alice().refresh(p + "lease", create).outcome()).isEqualTo(Outcome.NOT_FOUND);
  }

  @Test
  void watchWakesOnChangeUnderThePrefixAndTimesOutOtherwise() throws Exception {
    long rev = alice().read(p).revision();
    WatchResult idle = bob().watch(p, rev, Duration.ofMillis(300));
    assertThat(idle.changed()).isFalse();

    CompletableFuture<WatchResult> waiting =
        CompletableFuture.supplyAsync(() -> bob().watch(p + "w/", rev, Duration.ofSeconds(20)));
    alice().put(p + "unrelated", "x");
    long written = alice().put(p + "w/key", "1").revision();
    WatchResult woke = waiting.get(20, TimeUnit.SECONDS);
    assertThat(woke.changed()).isTrue();
    assertThat(woke.revision()).isEqualTo(written);

    // A deletion is a change too; a lease refresh is not.
    long afterPut = alice().read(p).revision();
    alice().delete(p + "w/key");
    assertThat(bob().watch(p + "w/", afterPut, Duration.ofSeconds(5)).changed()).isTrue();
    long create = alice().put(p + "w/lease", "a", Precondition.absent(), Duration.ofSeconds(30)).entry()
        .orElseThrow().createRevision();
    long afterLease = alice().read(p).revision();
    alice().refresh(p + "w/lease", create);
    assertThat(bob().watch(p + "w/", afterLease, Duration.ofMillis(300)).changed()).isFalse();
  }

  @Test
  void aWatchOfSeveralPrefixesWakesOnAChangeUnderAnyOfThemOnly() throws Exception {
    List<String> keys = List.of(p + "leader", p + "failover", p + "config");
    long rev = alice().read(p).revision();
    // A change beside them (a member key, say) does not end the wait.
    alice().put(p + "members/n1", "x");
    assertThat(bob().watch(keys, rev, Duration.ofMillis(300)).changed()).isFalse();

    CompletableFuture<WatchResult> waiting =
        CompletableFuture.supplyAsync(() -> bob().watch(keys, rev, Duration.ofSeconds(20)));
    long written = alice().put(p + "config", "{}").revision();
    WatchResult woke = waiting.get(20, TimeUnit.SECONDS);
    assertThat(woke.changed()).isTrue();
    assertThat(woke.revision()).isEqualTo(written);
    // The first prefix is watched as before.
    long afterConfig = alice().read(p).revision();
    alice().put(p + "leader", "n2");
    assertThat(bob().watch(keys, afterConfig, Duration.ofSeconds(5)).changed()).isTrue();
    assertThatThrownBy(() -> bob().watch(List.of(), rev, Duration.ofMillis(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prefixes");
  }

  @Test
  void localReadAnswersFromTheMembersOwnStateAndSaysHowOld() {
    alice().put(p + "k", "v");
    // A local read may lag; the member applies the write shortly after it commits.
    await().atMost(Duration.ofSeconds(10)).until(() -> bob().readLocal(p).snapshot().get(p + "k").isPresent());
    LocalView view = bob().readLocal(p);
    assertThat(view.viewAge()).isPresent();
    assertThat(view.viewAge().orElseThrow()).isLessThan(Duration.ofSeconds(10));
    assertThat(view.memberId()).isNotBlank();
  }

  @Test
  void badArgumentsNameTheArgument() {
    assertThatThrownBy(() -> alice().put("", "v")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("key");
    assertThatThrownBy(() -> alice().put(p + "k", "v", Precondition.none(), Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl");
    assertThatThrownBy(() -> alice().deletePrefix("")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("prefix");
    assertThatThrownBy(() -> Precondition.modRevision(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("revision");
  }

  @Test
  void aWriteUpToTheSizeLimitIsStoredAndALargerOneIsRefusedNamingTheKey() {
    // A value 1 KiB below the bound leaves room for the key, the owner and the encoding; it must be stored whole
    // (on Ratis: one log entry as large as the members accept, replicated to a majority) and later writes go on.
    String large = "x".repeat(Codec.MAX_WRITE_BYTES - 1024);
    assertThat(alice().put(p + "large", large).succeeded()).isTrue();
    assertThat(bob().get(p + "large").orElseThrow().value()).isEqualTo(large);
    assertThat(alice().put(p + "after", "1").succeeded()).isTrue();
    String tooLarge = "x".repeat(Codec.MAX_WRITE_BYTES);
    assertThatThrownBy(() -> alice().put(p + "huge", tooLarge)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("key " + p + "huge").hasMessageContaining("at most " + Codec.MAX_WRITE_BYTES);
    assertThat(bob().get(p + "huge")).isEmpty();
  }

  /** Polls until {@code key} is absent, failing if that does not happen within {@code limit}. */
  private long pollUntilGone(String key, Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      if (bob().get(key).isEmpty()) {
        // The deletion took effect no later than this reply arrived. Using the reply time (not the request
        // time) keeps "expired no earlier than TTL" sound: a slow read can only hide a violation, never
        // invent one.
        return System.nanoTime();
      }
    }
    throw new AssertionError(key + " still present after " + limit);
  }

  protected static List<String> keys(PrefixSnapshot snap) {
    return snap.entries().stream().map(KeyValue::key).toList();
  }
}
