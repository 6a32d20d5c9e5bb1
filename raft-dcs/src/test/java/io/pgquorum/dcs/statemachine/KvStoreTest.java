package io.pgquorum.dcs.statemachine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.google.protobuf.ByteString;
import io.pgquorum.dcs.proto.CachedReply;
import io.pgquorum.dcs.proto.Command;
import io.pgquorum.dcs.proto.Delete;
import io.pgquorum.dcs.proto.DeletePrefix;
import io.pgquorum.dcs.proto.Entry;
import io.pgquorum.dcs.proto.Expire;
import io.pgquorum.dcs.proto.Failure;
import io.pgquorum.dcs.proto.Precondition;
import io.pgquorum.dcs.proto.Put;
import io.pgquorum.dcs.proto.Refresh;
import io.pgquorum.dcs.proto.Reply;
import io.pgquorum.dcs.proto.Session;
import io.pgquorum.dcs.proto.Snapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Table-driven tests of the replicated key-value state machine.
 *
 * <p>Most groups are either a {@code @ParameterizedTest} over a table of named rows, or a list of
 * {@link Scenario}s (a log of {@code (index, command, expectation)} steps) run as dynamic tests. Setup steps
 * without an explicit expectation must succeed, so a scenario whose setup silently fails cannot pass.
 */
class KvStoreTest {

  // ---------------------------------------------------------------------------------------------------------
  // Command builders
  // ---------------------------------------------------------------------------------------------------------

  private static ByteString bytes(String s) {
    return ByteString.copyFromUtf8(s);
  }

  private static Precondition absent() {
    return Precondition.newBuilder().setAbsent(true).build();
  }

  private static Precondition modRevision(long revision) {
    return Precondition.newBuilder().setModRevision(revision).build();
  }

  private static Precondition value(String value) {
    return Precondition.newBuilder().setValue(bytes(value)).build();
  }

  private static Command put(String key, String value) {
    return put(key, value, null);
  }

  private static Command put(String key, String value, Precondition condition) {
    return putLease(key, value, 0, "", condition);
  }

  private static Command putLease(String key, String value, long ttlMillis, String owner) {
    return putLease(key, value, ttlMillis, owner, null);
  }

  private static Command putLease(String key, String value, long ttlMillis, String owner, Precondition condition) {
    Put.Builder put = Put.newBuilder().setKey(key).setValue(bytes(value)).setTtlMillis(ttlMillis).setOwner(owner);
    if (condition != null) {
      put.setCondition(condition);
    }
    return Command.newBuilder().setPut(put).build();
  }

  private static Command delete(String key) {
    return delete(key, null);
  }

  private static Command delete(String key, Precondition condition) {
    Delete.Builder delete = Delete.newBuilder().setKey(key);
    if (condition != null) {
      delete.setCondition(condition);
    }
    return Command.newBuilder().setDelete(delete).build();
  }

  private static Command deletePrefix(String prefix) {
    return Command.newBuilder().setDeletePrefix(DeletePrefix.newBuilder().setPrefix(prefix)).build();
  }

  private static Command refresh(String key, String owner, long createRevision) {
    return Command.newBuilder()
        .setRefresh(Refresh.newBuilder().setKey(key).setOwner(owner).setCreateRevision(createRevision))
        .build();
  }

  private static Command expire(String key, long leaseRevision) {
    return Command.newBuilder().setExpire(Expire.newBuilder().setKey(key).setLeaseRevision(leaseRevision)).build();
  }

  /** The command as sent by client session {@code client} with sequence number {@code seq}. */
  private static Command as(String client, long seq, Command command) {
    return as(client, seq, 0, command);
  }

  private static Command as(String client, long seq, long ackedBelow, Command command) {
    return command.toBuilder().setClientId(bytes(client)).setSeq(seq).setAckedBelow(ackedBelow).build();
  }

  private static Command stamped(long stampMillis, Command command) {
    return command.toBuilder().setStampMillis(stampMillis).build();
  }

  private static List<String> keys(List<Entry> entries) {
    return entries.stream().map(Entry::getKey).toList();
  }

  // ---------------------------------------------------------------------------------------------------------
  // Scenario machinery: a scenario is a little Raft log, each step carrying its expectation
  // ---------------------------------------------------------------------------------------------------------

  /** What a step sees: the store after the apply, the apply's outcome, and earlier replies by log index. */
  record Ctx(KvStore store, KvStore.Applied applied, Map<Long, Reply> replies) {
    Reply reply() {
      return applied.reply();
    }

    Reply replyAt(long index) {
      assertThat(replies).as("reply recorded at index %d", index).containsKey(index);
      return replies.get(index);
    }
  }

  record Step(long index, Command command, Consumer<Ctx> expect) {}

  record Scenario(String name, int maxSessions, List<Step> steps) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** A setup step: it must succeed, otherwise the scenario would be testing something else. */
  private static Step at(long index, Command command) {
    return new Step(index, command, ctx -> assertThat(ctx.reply().getSucceeded())
        .as("setup step at index %d must succeed, got %s", index, ctx.reply())
        .isTrue());
  }

  private static Step at(long index, Command command, Consumer<Ctx> expect) {
    return new Step(index, command, expect);
  }

  private static Scenario scenario(String name, Step... steps) {
    return new Scenario(name, Sessions.DEFAULT_MAX_SESSIONS, List.of(steps));
  }

  private static Stream<DynamicTest> run(Stream<Scenario> scenarios) {
    return scenarios.map(s -> DynamicTest.dynamicTest(s.name(), () -> {
      KvStore store = new KvStore(s.maxSessions());
      Map<Long, Reply> replies = new HashMap<>();
      for (Step step : s.steps()) {
        KvStore.Applied applied = store.apply(step.index(), step.command());
        step.expect().accept(new Ctx(store, applied, replies));
        replies.put(step.index(), applied.reply());
        assertThat(store.lastIndex()).as("lastIndex after applying index %d", step.index()).isEqualTo(step.index());
      }
    }));
  }

  // ---------------------------------------------------------------------------------------------------------
  // Compare-and-set
  //
  // WHY: every HA decision (leader key, failover, config change) is a CAS. A precondition that holds when it
  // should not lets two nodes both believe they won; a failed CAS that does not return the current entry
  // forces an extra read and widens the race window.
  // ---------------------------------------------------------------------------------------------------------

  /** One CAS row: whether "/k" (value "v1", written at index 1) exists, the condition, and the outcome. */
  record Cas(boolean keyExists, Precondition condition, boolean succeeds, int deleted) {}

  static Stream<Arguments> putCases() {
    return Stream.of(
        arguments(named("absent, key missing -> creates", new Cas(false, absent(), true, 0))),
        arguments(named("absent, key present -> CONDITION_FAILED", new Cas(true, absent(), false, 0))),
        arguments(named("mod_revision matching -> writes", new Cas(true, modRevision(1), true, 0))),
        arguments(named("mod_revision stale -> CONDITION_FAILED", new Cas(true, modRevision(2), false, 0))),
        arguments(named("mod_revision, key missing -> CONDITION_FAILED", new Cas(false, modRevision(1), false, 0))),
        arguments(named("mod_revision 0 never matches an existing key", new Cas(true, modRevision(0), false, 0))),
        arguments(named("value matching -> writes", new Cas(true, value("v1"), true, 0))),
        arguments(named("value different -> CONDITION_FAILED", new Cas(true, value("v2"), false, 0))),
        arguments(named("value empty vs non-empty -> CONDITION_FAILED", new Cas(true, value(""), false, 0))),
        arguments(named("value, key missing -> CONDITION_FAILED", new Cas(false, value("v1"), false, 0))),
        arguments(named("unconditional, key missing -> creates", new Cas(false, null, true, 0))),
        arguments(named("unconditional, key present -> overwrites", new Cas(true, null, true, 0))),
        arguments(named("empty precondition (kind not set), key present -> overwrites",
            new Cas(true, Precondition.getDefaultInstance(), true, 0))),
        arguments(named("empty precondition (kind not set), key missing -> creates",
            new Cas(false, Precondition.getDefaultInstance(), true, 0))));
  }

  static Stream<Arguments> deleteCases() {
    return Stream.of(
        arguments(named("absent, key missing -> succeeds, deleted=0", new Cas(false, absent(), true, 0))),
        arguments(named("absent, key present -> CONDITION_FAILED", new Cas(true, absent(), false, 0))),
        arguments(named("mod_revision matching -> deleted=1", new Cas(true, modRevision(1), true, 1))),
        arguments(named("mod_revision stale -> CONDITION_FAILED", new Cas(true, modRevision(2), false, 0))),
        arguments(named("mod_revision, key missing -> CONDITION_FAILED", new Cas(false, modRevision(1), false, 0))),
        arguments(named("value matching -> deleted=1", new Cas(true, value("v1"), true, 1))),
        arguments(named("value different -> CONDITION_FAILED", new Cas(true, value("other"), false, 0))),
        arguments(named("value, key missing -> CONDITION_FAILED", new Cas(false, value("v1"), false, 0))),
        arguments(named("unconditional, key present -> deleted=1", new Cas(true, null, true, 1))),
        arguments(named("unconditional, key missing -> succeeds, deleted=0", new Cas(false, null, true, 0))),
        arguments(named("empty precondition, key present -> deleted=1",
            new Cas(true, Precondition.getDefaultInstance(), true, 1))),
        arguments(named("empty precondition, key missing -> succeeds, deleted=0",
            new Cas(false, Precondition.getDefaultInstance(), true, 0))));
  }

  private static KvStore storeForCas(Cas row) {
    KvStore store = new KvStore();
    // Index 1 writes "/k" (or an unrelated key), so "/k" has mod_revision 1 when it exists.
    store.apply(1, put(row.keyExists() ? "/k" : "/unrelated", "v1"));
    store.apply(2, put("/other", "x"));
    return store;
  }

  @ParameterizedTest(name = "put: {0}")
  @MethodSource("putCases")
  void putPrecondition(Cas row) {
    KvStore store = storeForCas(row);
    Entry before = store.get("/k");

    KvStore.Applied applied = store.apply(3, put("/k", "new", row.condition()));

    Reply reply = applied.reply();
    assertThat(reply.getRevision()).isEqualTo(3);
    if (row.succeeds()) {
      assertThat(reply.getSucceeded()).as("reply %s", reply).isTrue();
      assertThat(reply.getFailure()).isEqualTo(Failure.FAILURE_NONE);
      assertThat(reply.getEntry().getValue().toStringUtf8()).isEqualTo("new");
      assertThat(reply.getEntry().getModRevision()).isEqualTo(3);
      assertThat(store.get("/k")).isEqualTo(reply.getEntry());
      assertThat(applied.changes()).containsExactly(new KvStore.Change("/k", 3, false));
    } else {
      assertThat(reply.getSucceeded()).as("reply %s", reply).isFalse();
      assertThat(reply.getFailure()).isEqualTo(Failure.CONDITION_FAILED);
      // The failed CAS carries the current entry so the caller can retry against its revision.
      assertThat(reply.hasEntry()).isEqualTo(before != null);
      if (before != null) {
        assertThat(reply.getEntry()).isEqualTo(before);
      }
      assertThat(store.get("/k")).isEqualTo(before);
      assertThat(applied.changes()).isEmpty();
    }
  }

  @ParameterizedTest(name = "delete: {0}")
  @MethodSource("deleteCases")
  void deletePrecondition(Cas row) {
    KvStore store = storeForCas(row);
    Entry before = store.get("/k");

    KvStore.Applied applied = store.apply(3, delete("/k", row.condition()));

    Reply reply = applied.reply();
    assertThat(reply.getRevision()).isEqualTo(3);
    if (row.succeeds()) {
      assertThat(reply.getSucceeded()).as("reply %s", reply).isTrue();
      assertThat(reply.getDeleted()).isEqualTo(row.deleted());
      assertThat(reply.hasEntry()).isFalse();
      assertThat(store.get("/k")).isNull();
      assertThat(applied.changes()).isEqualTo(
          row.deleted() == 1 ? List.of(new KvStore.Change("/k", 3, true)) : List.of());
    } else {
      assertThat(reply.getSucceeded()).as("reply %s", reply).isFalse();
      assertThat(reply.getFailure()).isEqualTo(Failure.CONDITION_FAILED);
      assertThat(reply.getDeleted()).isZero();
      assertThat(reply.hasEntry()).isEqualTo(before != null);
      if (before != null) {
        assertThat(reply.getEntry()).isEqualTo(before);
      }
      assertThat(store.get("/k")).isEqualTo(before);
      assertThat(applied.changes()).isEmpty();
    }
    // The unrelated keys are never touched.
    assertThat(store.get("/other")).isNotNull();
  }

  // ---------------------------------------------------------------------------------------------------------
  // Revisions
  //
  // WHY: create_revision is the fencing token handed to PostgreSQL-side actors; it must be the log index of
  // the create and strictly increase across delete + re-create, or an old leader could pass as the new one.
  // mod_revision drives CAS and watches; a refresh must not look like a value change (it would wake every
  // watcher on each heartbeat and break CAS on mod_revision).
  // ---------------------------------------------------------------------------------------------------------

  @TestFactory
  Stream<DynamicTest> revisions() {
    return run(Stream.of(
        scenario("create_revision is the create's index and survives puts; mod_revision/version follow puts",
            at(3, put("/k", "v1"), ctx -> {
              assertThat(ctx.reply().getEntry().getCreateRevision()).isEqualTo(3);
              assertThat(ctx.reply().getEntry().getModRevision()).isEqualTo(3);
              assertThat(ctx.reply().getEntry().getVersion()).isEqualTo(1);
              assertThat(ctx.applied().changes()).containsExactly(new KvStore.Change("/k", 3, false));
            }),
            at(4, put("/other", "x")),
            at(8, put("/k", "v2"), ctx -> {
              Entry e = ctx.store().get("/k");
              assertThat(e.getCreateRevision()).isEqualTo(3);
              assertThat(e.getModRevision()).isEqualTo(8);
              assertThat(e.getVersion()).isEqualTo(2);
              assertThat(ctx.reply().getRevision()).isEqualTo(8);
              assertThat(ctx.applied().changes()).containsExactly(new KvStore.Change("/k", 8, false));
            }),
            at(11, put("/k", "v3", modRevision(8)), ctx -> {
              Entry e = ctx.store().get("/k");
              assertThat(e.getCreateRevision()).isEqualTo(3);
              assertThat(e.getModRevision()).isEqualTo(11);
              assertThat(e.getVersion()).isEqualTo(3);
              assertThat(ctx.reply().getEntry()).isEqualTo(e);
            })),
        scenario("refresh sets lease_revision to its index but keeps mod_revision/version and emits no Change",
            at(2, stamped(1_000, putLease("/leader", "n1", 5_000, "n1")), ctx -> {
              assertThat(ctx.reply().getEntry().getLeaseRevision()).isEqualTo(2);
              assertThat(ctx.reply().getEntry().getUpdatedAtMillis()).isEqualTo(1_000);
            }),
            at(6, stamped(2_000, refresh("/leader", "n1", 2)), ctx -> {
              Entry e = ctx.store().get("/leader");
              assertThat(ctx.reply().getSucceeded()).isTrue();
              assertThat(ctx.reply().getRevision()).isEqualTo(6);
              assertThat(ctx.reply().getEntry()).isEqualTo(e);
              assertThat(e.getLeaseRevision()).isEqualTo(6);
              assertThat(e.getModRevision()).as("a refresh is not a value change").isEqualTo(2);
              assertThat(e.getVersion()).isEqualTo(1);
              assertThat(e.getCreateRevision()).isEqualTo(2);
              assertThat(e.getValue().toStringUtf8()).isEqualTo("n1");
              assertThat(e.getUpdatedAtMillis()).isEqualTo(2_000);
              assertThat(ctx.applied().changes()).as("watchers are not woken by a refresh").isEmpty();
            }),
            at(9, refresh("/leader", "n1", 0), ctx -> {
              assertThat(ctx.store().get("/leader").getLeaseRevision()).isEqualTo(9);
              assertThat(ctx.store().get("/leader").getModRevision()).isEqualTo(2);
            }),
            at(12, putLease("/leader", "n1b", 5_000, "n1"), ctx -> {
              Entry e = ctx.store().get("/leader");
              assertThat(e.getModRevision()).as("a put is a change").isEqualTo(12);
              assertThat(e.getLeaseRevision()).as("a put re-arms the lease too").isEqualTo(12);
              assertThat(e.getVersion()).isEqualTo(2);
              assertThat(e.getCreateRevision()).isEqualTo(2);
              assertThat(ctx.applied().changes()).containsExactly(new KvStore.Change("/leader", 12, false));
            })),
        scenario("create_revision strictly increases across expire/delete and re-create (fencing token)",
            at(2, putLease("/lock", "a", 1_000, "a", absent()),
                ctx -> assertThat(ctx.store().get("/lock").getCreateRevision()).isEqualTo(2)),
            at(3, expire("/lock", 2)),
            at(5, putLease("/lock", "b", 1_000, "b", absent()), ctx -> {
              assertThat(ctx.store().get("/lock").getCreateRevision()).isEqualTo(5).isGreaterThan(2);
              assertThat(ctx.store().get("/lock").getVersion()).as("version restarts on re-create").isEqualTo(1);
            }),
            at(6, delete("/lock")),
            at(9, put("/lock", "c", absent()), ctx -> {
              assertThat(ctx.store().get("/lock").getCreateRevision()).isEqualTo(9).isGreaterThan(5);
              assertThat(ctx.store().get("/lock").getVersion()).isEqualTo(1);
            })),
        scenario("put with ttl arms a lease (lease_revision=index, owner); a plain put over it disarms it",
            at(4, putLease("/l", "v", 3_000, "me"), ctx -> {
              Entry e = ctx.store().get("/l");
              assertThat(e.getTtlMillis()).isEqualTo(3_000);
              assertThat(e.getLeaseRevision()).isEqualTo(4);
              assertThat(e.getOwner()).isEqualTo("me");
              assertThat(ctx.store().leases()).containsExactly(e);
            }),
            at(5, put("/plain", "p"), ctx -> {
              assertThat(ctx.store().get("/plain").getLeaseRevision()).isZero();
              assertThat(ctx.store().leases()).extracting(Entry::getKey).containsExactly("/l");
            }),
            at(7, put("/l", "now plain"), ctx -> {
              Entry e = ctx.store().get("/l");
              assertThat(e.getTtlMillis()).isZero();
              assertThat(e.getLeaseRevision()).isZero();
              assertThat(e.getOwner()).isEmpty();
              assertThat(ctx.store().leases()).isEmpty();
            }))));
  }

  // ---------------------------------------------------------------------------------------------------------
  // Leases: refresh
  //
  // WHY: only the owner may keep a lease alive, and never a lease that was re-created under it. A refresh that
  // fails must not move lease_revision, or it would silently extend somebody else's lock.
  // ---------------------------------------------------------------------------------------------------------

  /** Setup for every refresh row: "/lock" leased by alice at index 1, plain "/plain" at index 2. */
  record RefreshCase(Command refresh, Failure failure) {}

  static Stream<Arguments> refreshCases() {
    return Stream.of(
        arguments(named("by non-owner -> NOT_OWNER", new RefreshCase(refresh("/lock", "bob", 0), Failure.NOT_OWNER))),
        arguments(named("of missing key -> NOT_FOUND",
            new RefreshCase(refresh("/missing", "alice", 0), Failure.NOT_FOUND))),
        arguments(named("of a plain (ttl 0) key -> INVALID", new RefreshCase(refresh("/plain", "", 0), Failure.INVALID))),
        arguments(named("with wrong create_revision -> CONDITION_FAILED",
            new RefreshCase(refresh("/lock", "alice", 7), Failure.CONDITION_FAILED))),
        arguments(named("by owner, create_revision 0 (unchecked) -> re-armed",
            new RefreshCase(refresh("/lock", "alice", 0), Failure.FAILURE_NONE))),
        arguments(named("by owner, matching create_revision -> re-armed",
            new RefreshCase(refresh("/lock", "alice", 1), Failure.FAILURE_NONE))));
  }

  @ParameterizedTest(name = "refresh {0}")
  @MethodSource("refreshCases")
  void refreshOutcomes(RefreshCase row) {
    KvStore store = new KvStore();
    store.apply(1, putLease("/lock", "alice", 1_000, "alice"));
    store.apply(2, put("/plain", "x"));
    String key = row.refresh().getRefresh().getKey();
    Entry before = store.get(key);

    KvStore.Applied applied = store.apply(3, row.refresh());

    Reply reply = applied.reply();
    assertThat(reply.getRevision()).isEqualTo(3);
    assertThat(reply.getFailure()).as("reply %s", reply).isEqualTo(row.failure());
    assertThat(applied.changes()).as("a refresh never produces a Change").isEmpty();
    if (row.failure() == Failure.FAILURE_NONE) {
      assertThat(reply.getSucceeded()).isTrue();
      assertThat(store.get(key).getLeaseRevision()).isEqualTo(3);
      assertThat(reply.getEntry()).isEqualTo(store.get(key));
    } else {
      assertThat(reply.getSucceeded()).isFalse();
      assertThat(store.get(key)).as("a failed refresh leaves the entry untouched").isEqualTo(before);
      assertThat(reply.hasEntry()).isEqualTo(before != null);
      if (before != null) {
        assertThat(reply.getEntry()).isEqualTo(before);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Leases: expire
  //
  // WHY: the leader's expiry decision is made on its own clock, outside the log. Applying it must be a
  // compare-and-delete on the exact lease revision, so that a refresh or re-create that reached the log first
  // always wins. Otherwise a live primary loses its leader key and two primaries can exist.
  // ---------------------------------------------------------------------------------------------------------

  private static Consumer<Ctx> expireIsNoOp(String key) {
    return ctx -> {
      assertThat(ctx.reply().getSucceeded()).as("reply %s", ctx.reply()).isFalse();
      assertThat(ctx.reply().getFailure()).isEqualTo(Failure.CONDITION_FAILED);
      assertThat(ctx.reply().getDeleted()).isZero();
      assertThat(ctx.applied().changes()).isEmpty();
      assertThat(ctx.store().get(key)).as("key %s survives", key).isNotNull();
    };
  }

  @TestFactory
  Stream<DynamicTest> expiry() {
    return run(Stream.of(
        scenario("expire naming the current lease revision deletes the key",
            at(1, putLease("/lock", "a", 1_000, "a")),
            at(2, put("/other", "x")),
            at(4, expire("/lock", 1), ctx -> {
              assertThat(ctx.reply().getSucceeded()).isTrue();
              assertThat(ctx.reply().getDeleted()).isEqualTo(1);
              assertThat(ctx.reply().getRevision()).isEqualTo(4);
              assertThat(ctx.applied().changes()).containsExactly(new KvStore.Change("/lock", 4, true));
              assertThat(ctx.store().get("/lock")).isNull();
              assertThat(ctx.store().leases()).isEmpty();
              assertThat(ctx.store().get("/other")).isNotNull();
            })),
        scenario("refresh applied before the expire wins: old-revision expire is a no-op, new one deletes",
            at(1, putLease("/lock", "a", 1_000, "a")),
            at(3, refresh("/lock", "a", 1)),
            at(4, expire("/lock", 1), expireIsNoOp("/lock").andThen(ctx -> {
              assertThat(ctx.reply().getEntry().getLeaseRevision()).isEqualTo(3);
              assertThat(ctx.store().get("/lock").getLeaseRevision()).isEqualTo(3);
            })),
            at(5, expire("/lock", 3), ctx -> {
              assertThat(ctx.reply().getDeleted()).isEqualTo(1);
              assertThat(ctx.store().get("/lock")).isNull();
            })),
        scenario("expire after delete + re-create (new lease revision) is a no-op",
            at(1, putLease("/lock", "a", 1_000, "a")),
            at(2, delete("/lock")),
            at(3, putLease("/lock", "b", 1_000, "b", absent())),
            at(4, expire("/lock", 1), expireIsNoOp("/lock").andThen(ctx -> {
              assertThat(ctx.store().get("/lock").getOwner()).isEqualTo("b");
              assertThat(ctx.store().get("/lock").getCreateRevision()).isEqualTo(3);
            }))),
        scenario("expire after the owner re-put the key (same create, new lease revision) is a no-op",
            at(1, putLease("/lock", "a", 1_000, "a")),
            at(2, putLease("/lock", "a2", 1_000, "a")),
            at(3, expire("/lock", 1), expireIsNoOp("/lock"))),
        scenario("a plain key never expires, whatever lease revision is named",
            at(1, putLease("/k", "a", 1_000, "a")),
            at(2, put("/k", "plain now")),
            at(3, expire("/k", 1), expireIsNoOp("/k")),
            at(4, expire("/k", 0), expireIsNoOp("/k")),
            at(5, put("/always-plain", "x")),
            at(6, expire("/always-plain", 0), expireIsNoOp("/always-plain"))),
        scenario("expire of a key that is gone is a no-op without an entry",
            at(1, putLease("/lock", "a", 1_000, "a")),
            at(2, delete("/lock")),
            at(3, expire("/lock", 1), ctx -> {
              assertThat(ctx.reply().getFailure()).isEqualTo(Failure.CONDITION_FAILED);
              assertThat(ctx.reply().hasEntry()).isFalse();
              assertThat(ctx.applied().changes()).isEmpty();
            }))));
  }

  // ---------------------------------------------------------------------------------------------------------
  // Prefixes
  //
  // WHY: the HA layer keeps one cluster per prefix ("/service/c1/"); a prefix range that is off by one at
  // either end deletes or reads a neighbouring cluster's keys ("/a" vs "/a/" vs "/ab").
  // ---------------------------------------------------------------------------------------------------------

  private static final List<String> PREFIX_KEYS =
      List.of("/ab", "/a/y/z", "a", "/a", "/b", "/a/\u00fc", "/", "/a0", "/a/x", "/a/");

  static Stream<Arguments> prefixCases() {
    return Stream.of(
        arguments(named("\"/a/\" takes only the children", "/a/"), List.of("/a/", "/a/x", "/a/y/z", "/a/\u00fc")),
        arguments(named("\"/a\" takes \"/a\", its children, \"/a0\" and \"/ab\"", "/a"),
            List.of("/a", "/a/", "/a/x", "/a/y/z", "/a/\u00fc", "/a0", "/ab")),
        arguments(named("\"/ab\" takes only \"/ab\"", "/ab"), List.of("/ab")),
        arguments(named("a full key as prefix takes just that key", "/a/y/z"), List.of("/a/y/z")),
        arguments(named("\"/\" takes everything starting with a slash", "/"),
            List.of("/", "/a", "/a/", "/a/x", "/a/y/z", "/a/\u00fc", "/a0", "/ab", "/b")),
        arguments(named("\"/c\" matches nothing", "/c"), List.of()));
  }

  private static KvStore storeWithPrefixKeys() {
    KvStore store = new KvStore();
    long index = 1;
    for (String key : PREFIX_KEYS) {
      store.apply(index++, put(key, "v"));
    }
    return store;
  }

  @ParameterizedTest(name = "read {0}")
  @MethodSource("prefixCases")
  void readPrefixReturnsExactlyTheKeysUnderItInOrder(String prefix, List<String> expected) {
    KvStore store = storeWithPrefixKeys();
    assertThat(keys(store.read(prefix))).containsExactlyElementsOf(expected);
  }

  @ParameterizedTest(name = "delete_prefix {0}")
  @MethodSource("prefixCases")
  void deletePrefixRemovesExactlyTheKeysUnderIt(String prefix, List<String> expected) {
    KvStore store = storeWithPrefixKeys();
    long index = PREFIX_KEYS.size() + 1;

    KvStore.Applied applied = store.apply(index, deletePrefix(prefix));

    assertThat(applied.reply().getSucceeded()).isTrue();
    assertThat(applied.reply().getDeleted()).isEqualTo(expected.size());
    assertThat(applied.changes()).containsExactlyElementsOf(
        expected.stream().map(k -> new KvStore.Change(k, index, true)).toList());
    List<String> survivors = new ArrayList<>(PREFIX_KEYS);
    survivors.removeAll(expected);
    assertThat(keys(store.read(""))).containsExactlyInAnyOrderElementsOf(survivors);
    assertThat(store.size()).isEqualTo(survivors.size());
  }

  @Test
  void readOfEmptyPrefixReturnsAllKeysInOrder() {
    KvStore store = storeWithPrefixKeys();
    assertThat(keys(store.read(""))).isSortedAccordingTo(String::compareTo)
        .containsExactlyInAnyOrderElementsOf(PREFIX_KEYS);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Exactly-once client sessions
  //
  // WHY: Raft clients retry after timeouts, and a retried command can be committed twice. Without dedup a
  // retried create-if-absent reports CONDITION_FAILED to the node that actually won (it steps down, nobody
  // leads), and a retried delete can remove a key someone else re-created in between.
  // ---------------------------------------------------------------------------------------------------------

  private static Consumer<Ctx> cachedReplyOf(long originalIndex) {
    return ctx -> {
      assertThat(ctx.reply()).as("retry answers with the reply of index %d", originalIndex)
          .isEqualTo(ctx.replyAt(originalIndex));
      assertThat(ctx.applied().changes()).as("a retry changes nothing").isEmpty();
    };
  }

  private static Consumer<Ctx> duplicateRejected() {
    return ctx -> {
      assertThat(ctx.reply().getSucceeded()).isFalse();
      assertThat(ctx.reply().getFailure()).isEqualTo(Failure.INVALID);
      assertThat(ctx.reply().getDetail()).contains("duplicate");
      assertThat(ctx.applied().changes()).isEmpty();
    };
  }

  private static List<Long> cachedSeqs(KvStore store, String client) {
    return store.toSnapshot().getSessionsList().stream()
        .filter(s -> s.getClientId().equals(bytes(client)))
        .flatMap(s -> s.getRepliesList().stream())
        .map(CachedReply::getSeq)
        .toList();
  }

  @TestFactory
  Stream<DynamicTest> idempotentRetries() {
    Command createLock = as("A", 1, putLease("/lock", "A", 1_000, "A", absent()));
    Command casPut = as("A", 1, put("/k", "mine", absent()));
    return run(Stream.of(
        scenario("retried put returns the identical cached reply and does not bump version",
            at(1, as("A", 1, put("/k", "v"))),
            at(2, put("/x", "y")),
            at(3, as("A", 1, put("/k", "v")), cachedReplyOf(1).andThen(ctx -> {
              assertThat(ctx.reply().getRevision()).isEqualTo(1);
              assertThat(ctx.store().get("/k").getVersion()).isEqualTo(1);
              assertThat(ctx.store().get("/k").getModRevision()).isEqualTo(1);
            }))),
        scenario("retried create-if-absent returns success, not CONDITION_FAILED",
            at(1, createLock),
            at(2, createLock, cachedReplyOf(1).andThen(ctx -> {
              assertThat(ctx.reply().getSucceeded()).isTrue();
              assertThat(ctx.store().get("/lock").getLeaseRevision()).isEqualTo(1);
            }))),
        scenario("failed CAS retried after the key was deleted stays failed with the original reply",
            at(1, put("/k", "v1")),
            at(2, casPut, ctx -> assertThat(ctx.reply().getFailure()).isEqualTo(Failure.CONDITION_FAILED)),
            at(3, delete("/k")),
            at(4, casPut, cachedReplyOf(2).andThen(ctx -> {
              assertThat(ctx.reply().getEntry().getModRevision()).isEqualTo(1);
              assertThat(ctx.store().get("/k")).as("the retry must not create the key").isNull();
            }))),
        scenario("retried delete does not remove a key re-created in between",
            at(1, put("/k", "v1")),
            at(2, as("A", 1, delete("/k"))),
            at(3, as("B", 1, put("/k", "B's"))),
            at(4, as("A", 1, delete("/k")), cachedReplyOf(2).andThen(ctx -> {
              assertThat(ctx.store().get("/k").getCreateRevision()).isEqualTo(3);
              assertThat(ctx.reply().getDeleted()).isEqualTo(1);
            }))),
        scenario("sessions are per client: the same seq from another client executes",
            at(1, as("A", 1, put("/k", "a"))),
            at(2, as("B", 1, put("/k", "b")), ctx -> {
              assertThat(ctx.reply().getRevision()).isEqualTo(2);
              assertThat(ctx.store().get("/k").getVersion()).isEqualTo(2);
            })),
        scenario("commands without client_id are never deduplicated",
            at(1, put("/k", "v")),
            at(2, put("/k", "v"), ctx -> assertThat(ctx.store().get("/k").getVersion()).isEqualTo(2))),
        scenario("acked_below forgets replies; a replay below it is rejected as duplicate, not executed",
            at(1, as("A", 1, put("/k", "v"))),
            at(2, as("A", 2, 2, put("/j", "w")),
                ctx -> assertThat(cachedSeqs(ctx.store(), "A")).as("seq 1 forgotten").containsExactly(2L)),
            at(3, as("A", 1, 0, put("/k", "v")), duplicateRejected().andThen(ctx -> {
              assertThat(ctx.reply().getRevision()).isEqualTo(3);
              assertThat(ctx.store().get("/k").getVersion()).as("not applied twice").isEqualTo(1);
            })),
            at(4, as("A", 2, 2, put("/j", "w")), cachedReplyOf(2))),
        scenario("acked_below on a cached retry prunes below it but keeps the retried seq",
            at(1, as("A", 1, put("/a", "1"))),
            at(2, as("A", 2, put("/b", "2"))),
            at(3, as("A", 3, put("/c", "3"))),
            at(4, as("A", 3, 3, put("/c", "3")), cachedReplyOf(3).andThen(ctx ->
                assertThat(cachedSeqs(ctx.store(), "A")).containsExactly(3L))),
            at(5, as("A", 2, 0, put("/b", "2")), duplicateRejected().andThen(ctx ->
                assertThat(ctx.store().get("/b").getVersion()).isEqualTo(1)))),
        scenario("an invalid command retried gets the same INVALID reply",
            at(1, as("A", 1, put("", "v")), ctx -> assertThat(ctx.reply().getFailure()).isEqualTo(Failure.INVALID)),
            at(2, as("A", 1, put("", "v")), cachedReplyOf(1))),
        boundedSession()));
  }

  /** A client that never acknowledges: only the newest replies are kept, older seqs count as acknowledged. */
  private static Scenario boundedSession() {
    int n = Sessions.MAX_REPLIES_PER_SESSION + 1;
    List<Step> steps = new ArrayList<>();
    IntStream.rangeClosed(1, n).forEach(i -> steps.add(at(i, as("A", i, put("/k" + i, "v")))));
    steps.add(at(n + 1, as("A", 1, put("/k1", "v")), duplicateRejected().andThen(ctx ->
        assertThat(ctx.store().get("/k1").getVersion()).isEqualTo(1))));
    steps.add(at(n + 2, as("A", 2, put("/k2", "v")), cachedReplyOf(2)));
    steps.add(at(n + 3, as("A", 3, put("/k3", "v")), ctx ->
        assertThat(cachedSeqs(ctx.store(), "A")).hasSize(Sessions.MAX_REPLIES_PER_SESSION)));
    return new Scenario("a session never holds more than MAX_REPLIES_PER_SESSION replies; older seqs are duplicates",
        Sessions.DEFAULT_MAX_SESSIONS, steps);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Session eviction
  //
  // WHY: eviction is part of the replicated state. If members chose different victims (e.g. by wall clock or
  // hash order) their replies to the next retry would differ and the replicas would diverge.
  // ---------------------------------------------------------------------------------------------------------

  /** Commands as "client:seq" ("-" for an untracked command), applied at indexes 1, 2, ... */
  static Stream<Arguments> evictionCases() {
    return Stream.of(
        arguments(named("the least recent of three is evicted", List.of("A:1", "B:1", "C:1")), Set.of("B", "C")),
        arguments(named("a new command makes a session recent", List.of("A:1", "B:1", "A:2", "C:1")),
            Set.of("A", "C")),
        arguments(named("a cached retry makes a session recent", List.of("A:1", "B:1", "A:1", "C:1")),
            Set.of("A", "C")),
        arguments(named("untracked commands neither create sessions nor evict", List.of("A:1", "-", "B:1", "-", "-")),
            Set.of("A", "B")),
        arguments(named("repeated eviction keeps the two most recent", List.of("A:1", "B:1", "C:1", "D:1", "E:1")),
            Set.of("D", "E")),
        arguments(named("a dropped session's later command is refused and does not come back",
            List.of("A:1", "B:1", "C:1", "D:1", "B:2", "E:1")), Set.of("D", "E")));
  }

  private static Command evictionCommand(String spec) {
    if (spec.equals("-")) {
      return put("/untracked", "x");
    }
    String[] parts = spec.split(":");
    return as(parts[0], Long.parseLong(parts[1]), put("/c/" + parts[0] + "/" + parts[1], "v"));
  }

  @ParameterizedTest(name = "maxSessions=2: {0}")
  @MethodSource("evictionCases")
  void sessionEvictionIsLeastRecentByLogIndex(List<String> log, Set<String> survivors) {
    KvStore first = new KvStore(2);
    KvStore second = new KvStore(2);
    Map<String, Reply> lastReply = new HashMap<>();
    Map<String, String> lastSpec = new HashMap<>();
    long index = 0;
    for (String spec : log) {
      index++;
      KvStore.Applied applied = first.apply(index, evictionCommand(spec));
      assertThat(second.apply(index, evictionCommand(spec))).isEqualTo(applied);
      if (!spec.equals("-")) {
        String client = spec.split(":")[0];
        lastReply.put(client, applied.reply());
        lastSpec.put(client, spec);
      }
    }

    Set<String> remembered = new LinkedHashSet<>();
    for (Session s : first.toSnapshot().getSessionsList()) {
      remembered.add(s.getClientId().toStringUtf8());
    }
    assertThat(remembered).containsExactlyInAnyOrderElementsOf(survivors);
    assertThat(first.sessionCount()).isEqualTo(survivors.size());
    assertThat(second.toSnapshot().toByteArray()).isEqualTo(first.toSnapshot().toByteArray());
    // Survivors still get exactly-once behaviour.
    for (String client : survivors) {
      index++;
      KvStore.Applied retry = first.apply(index, evictionCommand(lastSpec.get(client)));
      assertThat(retry.reply()).as("retry of %s", lastSpec.get(client)).isEqualTo(lastReply.get(client));
      assertThat(retry.changes()).isEmpty();
    }
  }

  /**
   * WHY: a client whose session was dropped and that retries an already-applied command must not get a
   * second application; it gets INVALID "session expired" and the state is untouched.
   */
  @Test
  void aRetryFromADroppedSessionIsRefusedNotReapplied() {
    KvStore store = new KvStore(1);
    Command firstPut = as("A", 2, put("/k", "v"));
    assertThat(store.apply(1, as("A", 1, put("/k", "v"))).reply().getSucceeded()).isTrue();
    assertThat(store.apply(2, firstPut).reply().getSucceeded()).isTrue();
    store.apply(3, as("B", 1, put("/other", "x"))); // evicts A
    KvStore.Applied retry = store.apply(4, firstPut);
    assertThat(retry.reply().getFailure()).isEqualTo(Failure.INVALID);
    assertThat(retry.reply().getDetail()).startsWith(KvStore.SESSION_EXPIRED);
    assertThat(retry.changes()).isEmpty();
    assertThat(store.get("/k").getVersion()).isEqualTo(2);
    assertThat(store.get("/k").getModRevision()).isEqualTo(2);
  }

  /** WHY: a prefix ending in U+FFFF must not break the range computation (it would throw inside apply). */
  @Test
  void prefixesEndingInTheLastCharacterStillWork() {
    KvStore store = new KvStore();
    store.apply(1, put("/x\uffff/k", "1"));
    store.apply(2, put("/x\uffff\uffff", "2"));
    store.apply(3, put("/y", "3"));
    assertThat(store.read("/x\uffff")).extracting(Entry::getKey).containsExactly("/x\uffff/k", "/x\uffff\uffff");
    assertThat(store.read("\uffff")).isEmpty();
    KvStore.Applied deleted = store.apply(4, Command.newBuilder()
        .setDeletePrefix(io.pgquorum.dcs.proto.DeletePrefix.newBuilder().setPrefix("/x\uffff")).build());
    assertThat(deleted.reply().getDeleted()).isEqualTo(2);
    assertThat(store.read("")).extracting(Entry::getKey).containsExactly("/y");
  }

  // ---------------------------------------------------------------------------------------------------------
  // Validation and log order
  //
  // WHY: a malformed command, or one from a newer version, must get the same deterministic answer on every
  // member instead of an exception (an exception in apply stops the replica). A non-increasing index, on the
  // other hand, is a bug in the host that would make replicas diverge, so it must throw and change nothing.
  // ---------------------------------------------------------------------------------------------------------

  static Stream<Arguments> invalidCommands() {
    return Stream.of(
        arguments(named("command without an operation", Command.newBuilder().setStampMillis(5).build()),
            "no operation"),
        arguments(named("put with empty key", put("", "v")), "key must not be empty"),
        arguments(named("put with negative ttl", putLease("/k", "v", -1, "me")), "ttl_millis must be >= 0"),
        arguments(named("conditional put with negative ttl", putLease("/new", "v", -5, "me", absent())),
            "ttl_millis must be >= 0"));
  }

  @ParameterizedTest(name = "{0} -> INVALID")
  @MethodSource("invalidCommands")
  void malformedCommandsAreAnsweredInvalidWithoutChangingState(Command command, String detail) {
    KvStore store = new KvStore();
    store.apply(1, put("/k", "v"));
    List<Entry> before = store.read("");

    KvStore.Applied applied = store.apply(2, command);

    assertThat(applied.reply().getSucceeded()).isFalse();
    assertThat(applied.reply().getFailure()).isEqualTo(Failure.INVALID);
    assertThat(applied.reply().getDetail()).contains(detail);
    assertThat(applied.reply().getRevision()).isEqualTo(2);
    assertThat(applied.changes()).isEmpty();
    assertThat(store.read("")).isEqualTo(before);
    assertThat(store.lastIndex()).as("the index is consumed even by an invalid command").isEqualTo(2);
  }

  static Stream<Arguments> nonIncreasingIndexes() {
    return Stream.of(
        arguments(named("same index as the last applied", 5L)),
        arguments(named("an earlier index", 4L)),
        arguments(named("index 0", 0L)));
  }

  @ParameterizedTest(name = "{0} throws")
  @MethodSource("nonIncreasingIndexes")
  void nonIncreasingIndexThrowsAndChangesNothing(long index) {
    KvStore store = new KvStore();
    store.apply(2, as("A", 1, put("/k", "v")));
    store.apply(5, put("/j", "w"));
    byte[] before = store.toSnapshot().toByteArray();

    assertThatThrownBy(() -> store.apply(index, as("A", 2, put("/k", "changed"))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("log index " + index)
        .hasMessageContaining("after 5");
    assertThat(store.lastIndex()).isEqualTo(5);
    assertThat(store.toSnapshot().toByteArray()).isEqualTo(before);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Snapshots
  //
  // WHY: a member that installs a snapshot must continue exactly like one that replayed the log, including
  // dedup of retries that straddle the snapshot; otherwise a retry after a leader change is applied twice or
  // members answer the same command differently. An unknown format must be refused, never half-read.
  // ---------------------------------------------------------------------------------------------------------

  /** History used by the snapshot tests; ends at index 6. */
  private static KvStore storeWithHistory() {
    KvStore store = new KvStore();
    store.apply(1, as("n1", 1, stamped(100, putLease("/leader", "n1", 3_000, "n1", absent()))));
    store.apply(2, as("A", 1, put("/config", "v")));
    store.apply(3, as("A", 2, 2, put("/members/a", "a")));
    store.apply(4, as("n1", 2, 2, stamped(200, refresh("/leader", "n1", 1))));
    store.apply(5, put("/plain", "p"));
    store.apply(6, as("B", 1, put("/config", "other", absent())));
    return store;
  }

  @Test
  void snapshotRoundTripGivesIdenticalStateAndIdenticalFutureReplies() throws Exception {
    KvStore source = storeWithHistory();
    byte[] image = source.toSnapshot().toByteArray();
    KvStore restored = new KvStore();
    restored.restore(Snapshot.parseFrom(image));

    assertThat(restored.read("")).isEqualTo(source.read(""));
    assertThat(restored.lastIndex()).isEqualTo(6).isEqualTo(source.lastIndex());
    assertThat(restored.leases()).isEqualTo(source.leases());
    assertThat(restored.sessionCount()).isEqualTo(source.sessionCount()).isEqualTo(3);
    assertThat(restored.toSnapshot().toByteArray()).isEqualTo(image);

    List<Command> next = List.of(
        as("A", 2, 2, put("/members/a", "a")),         // 7: retry across the snapshot -> cached reply of 3
        as("A", 1, 0, put("/config", "v")),              // 8: below acked_below -> duplicate
        as("B", 1, put("/config", "other", absent())),  // 9: failed CAS retried -> cached failure of 6
        expire("/leader", 1),                            // 10: refreshed at 4 -> no-op
        expire("/leader", 4),                            // 11: deletes
        as("C", 1, put("/new", "n")),                    // 12: new session
        deletePrefix("/members/"));                      // 13
    List<Reply> restoredReplies = new ArrayList<>();
    long index = 7;
    for (Command command : next) {
      KvStore.Applied expected = source.apply(index, command);
      KvStore.Applied actual = restored.apply(index, command);
      assertThat(actual).as("apply at index %d", index).isEqualTo(expected);
      restoredReplies.add(actual.reply());
      index++;
    }
    // Equality alone would also hold if both stores forgot the sessions; check dedup really happened.
    assertThat(restoredReplies.get(0).getRevision()).as("cached reply of index 3").isEqualTo(3);
    assertThat(restoredReplies.get(1).getDetail()).contains("duplicate");
    assertThat(restoredReplies.get(2).getRevision()).as("cached reply of index 6").isEqualTo(6);
    assertThat(restoredReplies.get(2).getFailure()).isEqualTo(Failure.CONDITION_FAILED);
    assertThat(restoredReplies.get(3).getFailure()).isEqualTo(Failure.CONDITION_FAILED);
    assertThat(restoredReplies.get(4).getDeleted()).isEqualTo(1);
    assertThat(restored.get("/members/a")).isNull();
    assertThat(restored.get("/config").getVersion()).isEqualTo(1);
    assertThat(restored.toSnapshot().toByteArray()).isEqualTo(source.toSnapshot().toByteArray());
  }

  @Test
  void restoreReplacesAllPreviousState() throws Exception {
    Snapshot image = Snapshot.parseFrom(storeWithHistory().toSnapshot().toByteArray());
    KvStore target = new KvStore();
    target.apply(1, as("Z", 1, put("/stale", "s")));
    target.apply(50, putLease("/old-lock", "z", 1_000, "z"));

    target.restore(image);

    assertThat(target.get("/stale")).isNull();
    assertThat(target.get("/old-lock")).isNull();
    assertThat(target.lastIndex()).isEqualTo(6);
    assertThat(target.toSnapshot()).isEqualTo(image);
    // Z's session is gone with the rest: the same (client, seq) now executes as new.
    assertThat(target.apply(7, as("Z", 1, put("/stale", "s"))).reply().getRevision()).isEqualTo(7);
  }

  static Stream<Arguments> unknownFormats() {
    return Stream.of(
        arguments(named("format 0 (unset)", 0)),
        arguments(named("format 2 (newer)", 2)),
        arguments(named("format 99", 99)));
  }

  @ParameterizedTest(name = "restore of {0} is refused")
  @MethodSource("unknownFormats")
  void restoreOfUnknownFormatThrowsAndKeepsState(int format) {
    KvStore store = storeWithHistory();
    byte[] before = store.toSnapshot().toByteArray();
    Snapshot foreign = new KvStore().toSnapshot().toBuilder().setFormat(format).setLastIndex(1_000).build();

    assertThatThrownBy(() -> store.restore(foreign))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("snapshot format " + format);
    assertThat(store.toSnapshot().toByteArray()).isEqualTo(before);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Determinism
  //
  // WHY: this is the whole contract of a replicated state machine. Two members applying the same log must end
  // in byte-identical state (a later snapshot from one is installed on the other), and a member restored from
  // a snapshot half-way must end in the same state too.
  // ---------------------------------------------------------------------------------------------------------

  static Stream<Arguments> seeds() {
    long fresh = new Random().nextLong();
    return Stream.of(1L, 42L, 20_240_601L, -7_331_519_260_817_263L, fresh)
        .map(seed -> arguments(named("seed " + seed, seed)));
  }

  private record Logged(long index, Command command, KvStore.Applied applied) {}

  private static final List<String> RANDOM_KEYS = List.of("/a", "/a/b", "/a/c", "/ab", "/b", "/lock", "/leader");
  private static final List<String> RANDOM_PREFIXES = List.of("/a", "/a/", "/", "/z", "/lock");
  private static final List<String> OWNERS = List.of("n1", "n2");
  private static final List<String> CLIENTS = List.of("c1", "c2", "c3", "c4");

  private static <T> T pick(Random random, List<T> list) {
    return list.get(random.nextInt(list.size()));
  }

  /** A command chosen with a view of {@code store}, so conditions and lease revisions often match. */
  private static Command randomOp(Random random, KvStore store) {
    String key = pick(random, RANDOM_KEYS);
    Entry current = store.get(key);
    int kind = random.nextInt(100);
    if (kind < 35) {
      long ttl = random.nextBoolean() ? 0 : 1 + random.nextInt(5_000);
      return stamped(random.nextInt(1_000_000),
          putLease(key, "v" + random.nextInt(5), ttl, pick(random, OWNERS), randomCondition(random, current)));
    } else if (kind < 50) {
      return delete(key, random.nextBoolean() ? null : randomCondition(random, current));
    } else if (kind < 55) {
      return deletePrefix(pick(random, RANDOM_PREFIXES));
    } else if (kind < 75) {
      long createRevision = switch (random.nextInt(3)) {
        case 0 -> 0;
        case 1 -> current == null ? 1 : current.getCreateRevision();
        default -> random.nextInt(50);
      };
      return stamped(random.nextInt(1_000_000), refresh(key, pick(random, OWNERS), createRevision));
    } else if (kind < 95) {
      long leaseRevision = current != null && random.nextInt(3) > 0 ? current.getLeaseRevision() : random.nextInt(50);
      return expire(key, leaseRevision);
    } else if (kind < 97) {
      return Command.getDefaultInstance();
    } else {
      return putLease(random.nextBoolean() ? "" : key, "bad", -1, "n1");
    }
  }

  private static Precondition randomCondition(Random random, Entry current) {
    return switch (random.nextInt(5)) {
      case 0 -> null;
      case 1 -> absent();
      case 2 -> modRevision(current != null && random.nextBoolean() ? current.getModRevision() : random.nextInt(50));
      case 3 -> value(current != null && random.nextBoolean() ? current.getValue().toStringUtf8() : "v" + random.nextInt(5));
      default -> Precondition.getDefaultInstance();
    };
  }

  private static List<Logged> randomLog(long seed, KvStore store, int length) {
    Random random = new Random(seed);
    Map<String, Long> nextSeq = new HashMap<>();
    Map<String, Long> acked = new HashMap<>();
    List<Command> sent = new ArrayList<>();
    List<Logged> log = new ArrayList<>();
    long index = 0;
    for (int i = 0; i < length; i++) {
      index += 1 + random.nextInt(3);
      Command command;
      int who = random.nextInt(10);
      if (who < 2 && !sent.isEmpty()) {
        command = sent.get(random.nextInt(sent.size()));     // a retry, possibly stale, possibly acked
      } else if (who < 4) {
        command = randomOp(random, store);                   // untracked (or a leader-proposed expire)
      } else {
        String client = pick(random, CLIENTS);
        long seq = nextSeq.merge(client, 1L, Long::sum);
        long ackedBelow = acked.merge(client, (long) random.nextInt(2), (a, b) -> Math.min(seq, a + b));
        command = as(client, seq, ackedBelow, randomOp(random, store));
        sent.add(command);
      }
      log.add(new Logged(index, command, store.apply(index, command)));
    }
    return log;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("seeds")
  void sameLogGivesByteIdenticalSnapshotsAndReplies(long seed) throws Exception {
    int maxSessions = 3;  // small, so eviction is part of what must be deterministic
    KvStore original = new KvStore(maxSessions);
    List<Logged> log = randomLog(seed, original, 600);

    KvStore replica = new KvStore(maxSessions);
    KvStore fromSnapshot = new KvStore(maxSessions);
    int half = log.size() / 2;
    for (int i = 0; i < log.size(); i++) {
      Logged entry = log.get(i);
      assertThat(replica.apply(entry.index(), entry.command()))
          .as("seed %d: replica's apply at index %d of %s", seed, entry.index(), entry.command())
          .isEqualTo(entry.applied());
      if (i == half) {
        fromSnapshot.restore(Snapshot.parseFrom(replica.toSnapshot().toByteArray()));
      } else if (i > half) {
        assertThat(fromSnapshot.apply(entry.index(), entry.command()))
            .as("seed %d: snapshot-restored apply at index %d of %s", seed, entry.index(), entry.command())
            .isEqualTo(entry.applied());
      }
    }

    byte[] expected = original.toSnapshot().toByteArray();
    assertThat(replica.toSnapshot().toByteArray()).as("seed %d: replica snapshot bytes", seed).isEqualTo(expected);
    assertThat(fromSnapshot.toSnapshot().toByteArray()).as("seed %d: restored replica snapshot bytes", seed)
        .isEqualTo(expected);
    // The log must actually have exercised both outcomes, or the comparison proves little.
    assertThat(log).as("seed %d: log has successes", seed).anyMatch(l -> l.applied().reply().getSucceeded());
    assertThat(log).as("seed %d: log has failures", seed).anyMatch(l -> !l.applied().reply().getSucceeded());
    assertThat(log).as("seed %d: log has effective changes", seed).anyMatch(l -> !l.applied().changes().isEmpty());
  }
}
