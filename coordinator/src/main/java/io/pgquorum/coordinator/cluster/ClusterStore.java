package io.pgquorum.coordinator.cluster;

import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.dcs.api.Dcs;
import io.pgquorum.dcs.api.KeyValue;
import io.pgquorum.dcs.api.Precondition;
import io.pgquorum.dcs.api.PrefixSnapshot;
import io.pgquorum.dcs.api.WatchResult;
import io.pgquorum.dcs.api.WriteResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's DCS operations, in Patroni's key layout, over the abstract {@link Dcs} API (so it runs against
 * the Ratis DCS and the in-memory one alike). Most methods are one DCS round trip; {@link #appendHistory} is a
 * compare-and-set loop, and the owner-checked ones ({@link #releaseLeader}, {@link #deleteMember}, a
 * {@link #refreshLeader} that takes over, a {@link #touchMember} that lost its compare-and-set) take two or three.
 * A DCS that cannot be reached throws
 * {@link io.pgquorum.dcs.api.DcsUnavailableException}; a lost race is a normal return value.
 *
 * <p>Identity. The keys named after this member ({@code members/<name>}, and {@code leader} while it holds this
 * name) are written by, and leases on them owned by, this daemon's incarnation ({@link Dcs#ownerId()}, see
 * {@link LeaseOwner}), not by the bare name. Keys owned by an <em>earlier incarnation of this node</em> (a daemon
 * that ran here before and is provably dead, see {@code node.NodeIncarnation}) are this daemon's to adopt: it takes
 * them over with a compare-and-set that keeps the key's create revision (the fencing token). Keys owned by anyone
 * else with the same name are never refreshed, overwritten or deleted: {@link #load()} reports them as a
 * {@link DuplicateNameException} until they expire, and reports the other daemon as alive once it writes them.
 */
public final class ClusterStore {
  private static final Logger log = LoggerFactory.getLogger(ClusterStore.class);

  private final Dcs dcs;
  private final ClusterCodec codec;
  private final String name;
  private final Predicate<String> earlierIncarnation;
  /** Foreign keys named after us as first seen, by key: a later read that differs proves their owner alive. */
  private final Map<String, KeyValue> suspects = new HashMap<>();
  private volatile Consumer<DuplicateNameException> onConfirmedDuplicate = e -> { };
  private volatile Predicate<String> apiAnswers = url -> false;
  private volatile Optional<LocalWatch> localWatch = Optional.empty();
  /** The mod revision of our member key as last read or written (0: absent or not known). */
  private volatile long memberRevision;

  /**
   * A store whose only identity is its client's owner id (tests and tools: no earlier incarnations to adopt).
   */
  public ClusterStore(Dcs dcs, DcsKeys keys, String name) {
    this(dcs, keys, name, owner -> false);
  }

  /**
   * @param dcs a DCS client whose owner id is this daemon's incarnation ({@link LeaseOwner#id()}), so that the
   *     leader and member leases belong to this running daemon and to no other daemon with the same name
   * @param earlierIncarnation true for an owner id that is an earlier, dead, start of this same node (its keys
   *     may be taken over)
   */
  public ClusterStore(Dcs dcs, DcsKeys keys, String name, Predicate<String> earlierIncarnation) {
    this.dcs = dcs;
    this.codec = new ClusterCodec(keys);
    this.name = name;
    this.earlierIncarnation = earlierIncarnation;
  }

  /** Called (on the loading thread) when another daemon with this name is seen alive; replaces the previous. */
  public void onConfirmedDuplicate(Consumer<DuplicateNameException> listener) {
    this.onConfirmedDuplicate = listener;
  }

  /**
   * How to ask another daemon's REST API whether it runs (true: it answered), as Patroni's start-up check does.
   * Asked once per newly seen foreign member key, on the loading thread; without it only the DCS tells.
   */
  public void livenessProbe(Predicate<String> apiUrlAnswers) {
    this.apiAnswers = apiUrlAnswers;
  }

  /**
   * A watch on this node's own DCS member ({@code DcsServer.watchLocal}), or none (a client of another node's
   * members: tools, tests). Waits in {@link #awaitClusterChange} go to the local member when set.
   */
  public void localWatch(LocalWatch watch) {
    this.localWatch = Optional.of(watch);
  }

  /** How to wait for a change in the node's own DCS member's applied state (see {@link #localWatch}). */
  @FunctionalInterface
  public interface LocalWatch {
    WatchResult watch(List<String> prefixes, long afterRevision, Duration maxWait);
  }

  /** The owner id this store writes with: this daemon's incarnation. */
  public String ownerId() {
    return dcs.ownerId();
  }

  /** Ours: written by this daemon, or by an earlier (dead) start of this node that we adopt. */
  private boolean ours(String owner) {
    return owner.equals(dcs.ownerId()) || earlierIncarnation.test(owner);
  }

  public DcsKeys keys() {
    return codec.keys();
  }

  /**
   * One linearizable read of every key of the cluster.
   *
   * @throws DuplicateNameException when a key named after this member belongs to another daemon (see the class
   *     comment); {@linkplain DuplicateNameException#confirmed() confirmed} once that daemon was seen writing it
   */
  public ClusterSnapshot load() {
    PrefixSnapshot read = dcs.read(codec.keys().prefix());
    checkName(read);
    return codec.decode(read);
  }

  /**
   * One linearizable read of every key of the cluster, for readers other than the HA loop (the REST API): unlike
   * {@link #load()} it leaves the duplicate-name guard alone (its bookkeeping belongs to the loop's thread).
   */
  public ClusterSnapshot peek() {
    return codec.decode(dcs.read(codec.keys().prefix()));
  }

  /**
   * The duplicate-name guard. A foreign key is first only suspected: its owner may be dead (a crashed daemon on
   * another machine, or this node's own previous start when its incarnation record was lost), and then the DCS
   * deletes the key within about one ttl. It is confirmed alive when its REST API answers (asked once, when the
   * key is first seen), or when a later read shows the key written or refreshed again (another mod or lease
   * revision, or another owner). Member keys are rewritten every ttl/3 and the leader key refreshed every
   * loop_wait, so a live duplicate is confirmed within ttl/3 plus a cycle even when its API cannot be reached,
   * and a dead one is gone within ttl * (1+rho)/(1-rho) plus the DCS leader's expiry check.
   */
  private void checkName(PrefixSnapshot read) {
    Finding found = observe(read);
    if (found == null) {
      return;
    }
    DuplicateNameException e = found.exception();
    if (!e.confirmed() && found.firstSeen() && e.apiUrl().isPresent() && apiAnswers.test(e.apiUrl().get())) {
      e = e.confirmedBy("its REST API " + e.apiUrl().get() + " answers and it owns " + e.key());
    }
    if (e.confirmed()) {
      onConfirmedDuplicate.accept(e);
    }
    throw e;
  }

  private record Finding(DuplicateNameException exception, boolean firstSeen) {}

  private synchronized Finding observe(PrefixSnapshot read) {
    String memberKey = codec.keys().member(name);
    Optional<KeyValue> member = read.get(memberKey);
    Optional<KeyValue> leader = read.get(codec.keys().leader()).filter(kv -> kv.value().equals(name));
    memberRevision = member.filter(kv -> ours(kv.owner())).map(KeyValue::modRevision).orElse(0L);
    Finding found = null;
    for (Optional<KeyValue> candidate : List.of(member, leader)) {
      if (candidate.isEmpty()) {
        continue;
      }
      KeyValue kv = candidate.get();
      if (ours(kv.owner())) {
        suspects.remove(kv.key());
        continue;
      }
      KeyValue first = suspects.putIfAbsent(kv.key(), kv);
      boolean rewritten = first != null && (first.modRevision() != kv.modRevision()
          || first.leaseRevision() != kv.leaseRevision() || !first.owner().equals(kv.owner()));
      Optional<String> url = kv.key().equals(memberKey) ? apiUrl(kv) : Optional.empty();
      DuplicateNameException e = new DuplicateNameException(name, kv.key(), kv.owner(), url,
          rewritten ? Optional.of("it keeps writing " + kv.key() + ", owner " + kv.owner()) : Optional.empty());
      if (found == null || (e.confirmed() && !found.exception().confirmed())) {
        found = new Finding(e, first == null);
      }
    }
    if (member.isEmpty()) {
      suspects.remove(memberKey);
    }
    if (leader.isEmpty()) {
      suspects.remove(codec.keys().leader());
    }
    return found;
  }

  private static Optional<String> apiUrl(KeyValue member) {
    try {
      String url = ClusterCodec.JSON.readTree(member.value()).path("api_url").asText("");
      return url.isEmpty() ? Optional.empty() : Optional.of(url);
    } catch (java.io.IOException e) {
      return Optional.empty();
    }
  }

  /**
   * Blocks until the leader key changes after {@code revision} or {@code maxWait} passes, which lets a replica react
   * to an expired or released lock at once instead of at its next loop_wait tick; also waking when the keys a
   * replica's decision reads change: {@code failover} (a switchover or failover request naming it), {@code config}
   * (an edited configuration, pause and resume), {@code sync} (who may be promoted) and {@code initialize}. Not the
   * member keys: they change whenever any member's status does, and a replica decides nothing from them between
   * leader changes. One watch; a DCS member that predates watches of several prefixes watches the leader key alone
   * (a later wake, never a missed one).
   */
  public boolean awaitClusterChange(long revision, Duration maxWait) {
    return awaitClusterChange(revision, maxWait, Optional.empty());
  }

  /**
   * As above, also waking when the member key of {@code alsoMember} changes: a synchronous standby leaving its duty
   * waits for the leader's member key to stop naming it in {@code synchronous_standby_names}
   * (LocalOperations.onSyncDuty), and goes on as soon as it does rather than at its next loop_wait tick. The key is
   * watched as a prefix, so {@code members/node1} also wakes on {@code members/node10}: an early cycle, harmless.
   */
  public boolean awaitClusterChange(long revision, Duration maxWait, Optional<String> alsoMember) {
    DcsKeys k = codec.keys();
    List<String> keys = new ArrayList<>(
        List.of(k.leader(), k.failover(), k.config(), k.sync(), k.initialize()));
    alsoMember.ifPresent(m -> keys.add(k.member(m)));
    // Why the node's own member when there is one: the answer is a wake-up hint (the woken cycle reads the keys
    // linearizably before deciding anything), so it needs no quorum round, and a linearizable watch costs one:
    // a ReadIndex heartbeat to every member plus the client's RPC for every slice of the wait (a slice is half the
    // client's request timeout, 250 ms at retry_timeout 1), on every replica, all the time: about two fifths of an
    // idle three-node cluster's DCS requests by count (estimated 2026-12-07 from a packet capture; their CPU was
    // within the spread between runs, see bench/results/idle-cost-2026-12-07). The local member learns a
    // committed change with the leader's next append (see DcsServer.watchLocal); one that is cut off wakes nobody,
    // and the loop then cycles at loop_wait, as it does when a remote watch fails.
    Optional<LocalWatch> local = localWatch;
    WatchResult r = local.isPresent()
        ? local.get().watch(keys, revision, maxWait)
        : dcs.watch(keys, revision, maxWait);
    return r.changed();
  }

  /**
   * Creates the leader key if absent: the atomic step that elects a primary. The returned lock's ttl is the one
   * the DCS stored (from its reply), which is what the holder's deadline must be derived from.
   */
  public Optional<LeaderLock> acquireLeader(Duration ttl) {
    WriteResult r = dcs.put(codec.keys().leader(), name, Precondition.absent(), ttl);
    if (!r.succeeded()) {
      return Optional.empty();
    }
    long token = r.entry().map(e -> e.createRevision()).orElse(r.revision());
    Duration stored = r.entry().map(KeyValue::ttl).orElse(ttl);
    return Optional.of(new LeaderLock(name, r.revision(), token, stored));
  }

  /**
   * Re-arms this member's leader lease, only if the key is still the incarnation with {@code fencingToken}.
   * False means the lock is lost (taken over, expired, or deleted): the caller must stop being a primary.
   *
   * <p>A lease still owned by an earlier start of this node (this daemon was restarted after a crash while its
   * PostgreSQL kept running) is taken over: a compare-and-set put on the key's mod revision, with the same value
   * and ttl, which keeps the create revision, so the fencing token does not change. Safe because that earlier
   * daemon is dead (its node lock was free), so no one else refreshes or acts on the lease; and the new deadline
   * is timed from this put's send, like an acquire. A lease owned by any other daemon is never touched.
   */
  public boolean refreshLeader(long fencingToken) {
    return renewLeader(fencingToken).isPresent();
  }

  /**
   * As {@link #refreshLeader}, returning what the DCS confirmed: the key with the ttl it is stored with (a refresh
   * re-arms the lease with that stored ttl, whatever the configuration says now). Empty means the lock is lost.
   */
  public Optional<LeaseGrant> renewLeader(long fencingToken) {
    WriteResult r = dcs.refresh(codec.keys().leader(), fencingToken);
    if (r.succeeded()) {
      return Optional.of(r.entry().map(e -> grant(e)).orElseThrow(() -> new IllegalStateException(
          "the DCS confirmed a refresh of the leader key without returning the key")));
    }
    Optional<KeyValue> current = r.entry();
    if (r.outcome() != WriteResult.Outcome.NOT_OWNER || current.isEmpty()) {
      return Optional.empty();
    }
    KeyValue kv = current.get();
    if (!kv.value().equals(name) || !earlierIncarnation.test(kv.owner())
        || (fencingToken != 0 && kv.createRevision() != fencingToken)) {
      return Optional.empty();
    }
    // Taken over with the ttl stored on the key, exactly like a refresh: a ttl change is the caller's re-arm.
    WriteResult taken = dcs.put(kv.key(), name, Precondition.modRevision(kv.modRevision()), kv.ttl());
    Optional<KeyValue> e = taken.succeeded() ? taken.entry() : Optional.empty();
    if (e.isEmpty() || e.get().createRevision() != kv.createRevision()) {
      return Optional.empty();
    }
    log.info("took over the leader lease of this node's previous daemon ({}), fencing token {} unchanged",
        kv.owner(), kv.createRevision());
    return Optional.of(grant(e.get()));
  }

  /**
   * Re-puts the leader key with a new ttl, keeping its value, its owner and its create revision (so the fencing
   * token stays): a compare-and-set on the mod revision of {@code current}, which must come from a refresh this
   * member just made (the refresh checked the owner and the incarnation; any write since then changed the mod
   * revision, so the condition fails instead of overwriting someone else's key). Empty means the condition failed:
   * the key changed under us and the caller must treat the lock as lost.
   */
  public Optional<LeaseGrant> rearmLeader(LeaseGrant current, Duration ttl) {
    WriteResult r = dcs.put(codec.keys().leader(), current.value(), Precondition.modRevision(current.modRevision()),
        ttl);
    if (!r.succeeded()) {
      return Optional.empty();
    }
    LeaseGrant g = r.entry().map(e -> grant(e)).orElseThrow(() -> new IllegalStateException(
        "the DCS confirmed a re-arm of the leader key without returning the key"));
    if (g.fencingToken() != current.fencingToken()) {
      // Cannot happen with a mod-revision condition (a re-created key has a new mod revision); checked because
      // the fencing token's meaning rests on it.
      throw new IllegalStateException("re-arming the leader key changed its fencing token from "
          + current.fencingToken() + " to " + g.fencingToken());
    }
    return Optional.of(g);
  }

  private static LeaseGrant grant(KeyValue e) {
    return new LeaseGrant(e.createRevision(), e.modRevision(), e.value(), e.ttl());
  }

  /**
   * As {@link #releaseLeader()}, first trying one compare-and-delete on {@code confirmed}: the key as the DCS last
   * confirmed it to this holder (its acquire, refresh or re-arm). Only if that fails (the key was written since: a
   * re-arm of ours that was not recorded, or someone else's key) does it fall back to reading the key and checking
   * its value and owner.
   *
   * <p>Why: the release is on a switchover's critical path (no node accepts writes until the candidate sees it),
   * and the read before the delete was one linearizable round trip of it. Why this deletes nothing the read-check
   * would have kept: a mod revision names exactly one write of the key, and this one was confirmed as our lease
   * (the DCS checks the owner and the incarnation on a refresh; an acquire or re-arm is our own write). Refreshes
   * do not change the mod revision; any other write does, including a new holder's creation after an expiry or a
   * deletion, so the condition then fails and nothing is deleted.
   */
  public boolean releaseLeader(Optional<LeaseGrant> confirmed) {
    if (confirmed.isPresent() && confirmed.get().value().equals(name)
        && dcs.delete(codec.keys().leader(), Precondition.modRevision(confirmed.get().modRevision())).succeeded()) {
      return true;
    }
    return releaseLeader();
  }

  /** Deletes the leader key if it names this member and is ours (handover without waiting for expiry). */
  public boolean releaseLeader() {
    Optional<KeyValue> kv = dcs.get(codec.keys().leader());
    if (kv.isEmpty() || !kv.get().value().equals(name) || !ours(kv.get().owner())) {
      return false;
    }
    return dcs.delete(kv.get().key(), Precondition.modRevision(kv.get().modRevision())).succeeded();
  }

  /**
   * The {@code failover} key's mod revision as stored now (0: absent), read on its own: what a following
   * {@link #writeFailover} is conditioned on. A key holding {@code {}} (Patroni's "cleared") has a revision too.
   */
  public long failoverRevision() {
    return dcs.get(codec.keys().failover()).map(KeyValue::modRevision).orElse(0L);
  }

  /**
   * Writes a switchover or failover request, only if the key is still at {@code expectedRevision} (0: absent), so
   * two requests at once cannot overwrite each other unseen. False when the key changed meanwhile.
   */
  public boolean writeFailover(Optional<String> leader, Optional<String> member, Optional<String> scheduledAt,
      long expectedRevision) {
    Precondition cond = unchangedSince(expectedRevision);
    return dcs.put(codec.keys().failover(), ClusterCodec.encodeFailover(leader, member, scheduledAt), cond, null)
        .succeeded();
  }

  /**
   * Clears a handled (or cancelled) request by writing {@code {}}, as Patroni does, only if the key is still at
   * {@code modRevision}: a newer request written meanwhile is not lost. False when the key changed.
   */
  public boolean clearFailover(long modRevision) {
    return dcs.put(codec.keys().failover(), ClusterCodec.encodeFailover(Optional.empty(), Optional.empty(),
        Optional.empty()), Precondition.modRevision(modRevision), null).succeeded();
  }

  /**
   * Writes the {@code sync} key, only if it is still at {@code expectedRevision} (0: absent): the primary's
   * synchronous replication state must never overwrite a change it has not seen (another primary's, after a
   * failover). Returns the state as stored (with its new revision); empty when the key changed meanwhile, and then
   * the caller stops this cycle's synchronous replication steps (Patroni: "Synchronous replication key updated by
   * someone else").
   */
  public Optional<SyncState> writeSync(SyncState next, long expectedRevision) {
    Precondition cond = unchangedSince(expectedRevision);
    WriteResult r = dcs.put(codec.keys().sync(), ClusterCodec.encodeSync(next), cond, null);
    if (!r.succeeded()) {
      return Optional.empty();
    }
    return Optional.of(next.at(r.entry().map(KeyValue::modRevision).orElse(r.revision())));
  }

  /**
   * Deletes the {@code sync} key (synchronous mode turned off), only if it is still at {@code expectedRevision}.
   * True when deleted; false when it changed meanwhile or was already gone.
   */
  public boolean deleteSync(long expectedRevision) {
    return dcs.delete(codec.keys().sync(), Precondition.modRevision(expectedRevision)).succeeded();
  }

  /** The bootstrap race: creates {@code initialize} with "" if absent. True means this node bootstraps. */
  public boolean raceInitialize() {
    return dcs.put(codec.keys().initialize(), "", Precondition.absent(), null).succeeded();
  }

  /** Records the new cluster's system identifier (only replacing the "" placeholder or an absent key). */
  public boolean writeInitialize(String systemIdentifier, Optional<Initialize> current) {
    Precondition cond = current.map(c -> Precondition.modRevision(c.modRevision())).orElse(Precondition.absent());
    return dcs.put(codec.keys().initialize(), systemIdentifier, cond, null).succeeded();
  }

  /** Gives up a failed bootstrap so another node (or a retry) can run it. */
  public boolean cancelInitialize(Initialize current) {
    return dcs.delete(codec.keys().initialize(), Precondition.modRevision(current.modRevision())).succeeded();
  }

  /** Seeds the dynamic configuration if the key is absent. */
  public boolean writeConfigIfAbsent(DynamicConfig config) {
    return dcs.put(codec.keys().config(), ClusterCodec.encodeConfig(config), Precondition.absent(), null)
        .succeeded();
  }

  /**
   * The config key as stored (its JSON text) with the revision it was last written at, whether or not it holds a
   * valid configuration (a snapshot drops an invalid one); empty when the key does not exist. Linearizable.
   */
  public Optional<Versioned<String>> readConfigText() {
    return dcs.get(codec.keys().config()).map(kv -> new Versioned<>(kv.value(), kv.modRevision()));
  }

  /**
   * Writes the dynamic configuration: a compare-and-set on {@code revision} (the one it was read at), or
   * unconditionally when {@code revision} is empty. Returns the DCS's outcome ({@code CONDITION_FAILED} when the
   * key changed since it was read).
   */
  public WriteResult.Outcome writeConfig(DynamicConfig config, Optional<Long> revision) {
    Precondition condition = revision.map(Precondition::modRevision).orElse(Precondition.none());
    return dcs.put(codec.keys().config(), ClusterCodec.encodeConfig(config), condition, null).outcome();
  }

  /**
   * Publishes this member's status with a TTL lease, so a dead node's key disappears on its own; returns the key's
   * revision as stored (what a later snapshot shows for it).
   *
   * <p>Compare-and-set, never a blind put: the key is created if absent, or replaced at the revision last seen
   * as ours. A key that another daemon with this name wrote in between is left alone
   * ({@link DuplicateNameException}, unconfirmed: the next {@link #load()} decides).
   */
  public long touchMember(Map<String, Object> fields, Duration ttl) {
    return touchMemberKey(fields, ttl);
  }

  /**
   * Re-arms the lease of this member's key, left as this daemon last wrote it ({@link #touchMember}); the value and
   * revision stay. Empty when the DCS refused (the key expired, was deleted, or is not this incarnation's): the
   * caller then writes it anew.
   *
   * @return the key's revision, unchanged by the refresh
   */
  public java.util.OptionalLong refreshMember() {
    String key = codec.keys().member(name);
    // 0: no create-revision check. Ownership is the DCS's check (a lease owned by this client only), and a key
    // re-created by this daemon since is still its own, whose revision the next cycle's snapshot compares.
    WriteResult r = dcs.refresh(key, 0);
    if (!r.succeeded()) {
      return java.util.OptionalLong.empty();
    }
    long revision = r.entry().map(KeyValue::modRevision).orElse(memberRevision);
    return revision == 0 ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(revision);
  }

  private long touchMemberKey(Map<String, Object> fields, Duration ttl) {
    String key = codec.keys().member(name);
    String value = ClusterCodec.encodeMember(fields);
    long expected = memberRevision;
    for (int attempt = 0; attempt < 3; attempt++) {
      Precondition cond = unchangedSince(expected);
      WriteResult r = dcs.put(key, value, cond, ttl);
      if (r.succeeded()) {
        long revision = r.entry().map(KeyValue::modRevision).orElse(r.revision());
        memberRevision = revision;
        return revision;
      }
      Optional<KeyValue> current = r.entry();
      if (current.isPresent() && !ours(current.get().owner())) {
        memberRevision = 0;
        throw new DuplicateNameException(name, key, current.get().owner(), apiUrl(current.get()), Optional.empty());
      }
      // Ours at another revision (a write whose answer we missed), or gone: retry against what is there now.
      expected = current.map(KeyValue::modRevision).orElse(0L);
    }
    throw new io.pgquorum.dcs.api.DcsException("could not write " + key + ": it kept changing under this node");
  }

  /** Deletes this member's key, if it is ours (a duplicate never deletes the other daemon's key). */
  public void deleteMember() {
    Optional<KeyValue> kv = dcs.get(codec.keys().member(name));
    if (kv.isPresent() && ours(kv.get().owner())) {
      dcs.delete(kv.get().key(), Precondition.modRevision(kv.get().modRevision()));
    }
    memberRevision = 0;
  }

  /** The leader publishes its WAL position after each refresh; replicas compare against it. */
  public void writeStatus(long optime, Map<String, Long> slots) {
    writeStatus(optime, slots, List.of());
  }

  /**
   * A stopped primary's last position, only if {@code status} is still at {@code expectedRevision} (0: absent), so
   * that it never replaces a newer primary's status. False when the key changed meanwhile.
   */
  public boolean writeLastPosition(long optime, long expectedRevision) {
    return putStatus(optime, Map.of(), List.of(), unchangedSince(expectedRevision));
  }

  /** As above, with the member slots the leader keeps ({@code retain_slots}, Patroni 4). */
  public void writeStatus(long optime, Map<String, Long> slots, List<String> retainSlots) {
    putStatus(optime, slots, retainSlots, Precondition.none());
  }

  private boolean putStatus(long optime, Map<String, Long> slots, List<String> retainSlots, Precondition cond) {
    return dcs.put(codec.keys().status(), ClusterCodec.encodeStatus(optime, slots, retainSlots), cond, null)
        .succeeded();
  }

  /**
   * Adds a timeline switch to {@code history} unless an entry for that timeline exists (idempotent, so a retried
   * promotion or a holder re-checking every cycle does not record twice), keeping the list ordered by timeline
   * (a switch filled in late goes where it belongs, not after later ones). Compare-and-set on the key's revision,
   * retried a few times; false when it kept losing.
   */
  public boolean appendHistory(HistoryEntry entry) {
    for (int attempt = 0; attempt < 5; attempt++) {
      // One read gives both the list and the revision the compare-and-set is conditioned on.
      Optional<io.pgquorum.dcs.api.KeyValue> current = dcs.get(codec.keys().history());
      List<HistoryEntry> history = current.map(ClusterCodec::decodeHistory).orElse(List.of());
      if (history.stream().anyMatch(h -> h.timeline() == entry.timeline())) {
        return true;
      }
      List<HistoryEntry> next = new ArrayList<>(history);
      int at = 0;
      while (at < next.size() && next.get(at).timeline() < entry.timeline()) {
        at++;
      }
      next.add(at, entry);
      Precondition cond = current.map(kv -> Precondition.modRevision(kv.modRevision()))
          .orElse(Precondition.absent());
      if (dcs.put(codec.keys().history(), ClusterCodec.encodeHistory(next), cond, null).succeeded()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Writes {@code record} to the {@code backups} key if the key is still at {@code record.modRevision()} (absent
   * when 0): the claim of a slot or a timeline, or a claimed run's outcome. Returns the key's new revision, empty
   * when another write came first (the claim is lost: someone else has it, or a newer one exists).
   */
  public java.util.OptionalLong claimBackup(BackupRecord record) {
    Precondition cond = unchangedSince(record.modRevision());
    WriteResult r = dcs.put(codec.keys().backups(), ClusterCodec.encodeBackups(record), cond, null);
    return r.succeeded() ? java.util.OptionalLong.of(r.entry().map(io.pgquorum.dcs.api.KeyValue::modRevision)
        .orElse(r.revision())) : java.util.OptionalLong.empty();
  }

  /**
   * Writes the {@code failsafe} key (the leader's list of the members failsafe mode asks); an empty map deletes it.
   * Unconditional, like Patroni's: only the lock holder plans it, and the next holder rewrites it from its snapshot.
   */
  public boolean writeFailsafe(Map<String, String> members) {
    if (members.isEmpty()) {
      return dcs.delete(codec.keys().failsafe(), Precondition.none()).succeeded();
    }
    return dcs.put(codec.keys().failsafe(), ClusterCodec.encodeFailsafe(members), Precondition.none(), null)
        .succeeded();
  }

  /**
   * Writes {@code record} to the {@code restore} key if the key is still at {@code record.modRevision()} (absent
   * when 0). False when another write came first (the caller reads the key again).
   */
  public boolean writeRestore(RestoreRecord record) {
    Precondition cond = unchangedSince(record.modRevision());
    return dcs.put(codec.keys().restore(), ClusterCodec.encodeRestore(record), cond, null).succeeded();
  }

  /**
   * A restore's reset, once every member has stopped and moved its data aside: removes what would make a node
   * follow or trust the old cluster ({@code initialize}, {@code status}, {@code failover}, {@code sync}), then moves
   * the record to {@code next} (bootstrapping) by compare-and-set. The deletes come first: a record that says
   * bootstrapping must never be seen with the old {@code initialize} still there (the nodes would wait for a leader
   * that never comes).
   *
   * <p>Safety: nothing here may take a lock or a bootstrap race from a member that won it after the decision's
   * snapshot. The Decider plans the reset only once the leader lock is gone, so the lock is never deleted here (a
   * lock taken since belongs to a holder whose PostgreSQL may be writable under it). {@code initialize} is deleted
   * only at the revision the decision saw ({@code seen}): a late or second resetter (the first member by name
   * changed when a member key expired) must not delete the initialize key of the new bootstrap race. And nothing is
   * deleted unless the restore key is still at {@code next}'s revision (still the stopping record the decision saw).
   * {@code config} and {@code history} stay (the cluster's settings, and the record of its timelines).
   */
  public boolean resetForRestore(RestoreRecord next, Optional<Initialize> seen) {
    Optional<KeyValue> now = dcs.get(codec.keys().restore());
    if (now.isEmpty() || now.get().modRevision() != next.modRevision()) {
      return false; // another write moved the restore on: this reset is stale
    }
    if (seen.isPresent()
        && !dcs.delete(codec.keys().initialize(), Precondition.modRevision(seen.get().modRevision())).succeeded()) {
      return false; // changed since the snapshot: decided again from a fresh one, never bootstrapping beside it
    }
    for (String key : List.of(codec.keys().status(), codec.keys().failover(), codec.keys().sync())) {
      dcs.delete(key, Precondition.none());
    }
    return writeRestore(next);
  }

  /**
   * The condition of a compare-and-set against a key's revision as last read: unchanged since {@code revision}, or
   * still absent when it is 0 (the key did not exist then).
   */
  private static Precondition unchangedSince(long revision) {
    return revision == 0 ? Precondition.absent() : Precondition.modRevision(revision);
  }
}
