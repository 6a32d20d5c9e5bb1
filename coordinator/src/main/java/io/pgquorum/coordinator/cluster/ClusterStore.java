package io.pgquorum.coordinator.cluster;

import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.dcs.api.Dcs;
import io.pgquorum.dcs.api.KeyValue;
import io.pgquorum.dcs.api.Precondition;
import io.pgquorum.dcs.api.WatchResult;
import io.pgquorum.dcs.api.WriteResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The cluster's DCS operations, in Patroni's key layout, over the abstract {@link Dcs} API (so it runs against
 * the Ratis DCS and the in-memory one alike). Every method is one DCS round trip, except {@link
 * #appendHistory}, which is a compare-and-set loop. A DCS that cannot be reached throws
 * {@link io.pgquorum.dcs.api.DcsUnavailableException}; a lost race is a normal return value.
 */
public final class ClusterStore {
  private final Dcs dcs;
  private final ClusterCodec codec;
  private final String name;

  /**
   * @param dcs a DCS client whose owner id is this member's name, so that the leader and member leases are owned
   *     by the member (and a restarted daemon with the same name can refresh its own unexpired lease)
   */
  public ClusterStore(Dcs dcs, DcsKeys keys, String name) {
    this.dcs = dcs;
    this.codec = new ClusterCodec(keys);
    this.name = name;
  }

  public DcsKeys keys() {
    return codec.keys();
  }

  /** One linearizable read of every key of the cluster. */
  public ClusterSnapshot load() {
    return codec.decode(dcs.read(codec.keys().prefix()));
  }

  /**
   * Blocks until the leader key changes after {@code revision} or {@code maxWait} passes: lets a replica react
   * to an expired lock at once instead of at its next loop_wait tick.
   */
  public boolean awaitLeaderChange(long revision, Duration maxWait) {
    WatchResult r = dcs.watch(codec.keys().leader(), revision, maxWait);
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
    if (!r.succeeded()) {
      return Optional.empty();
    }
    return Optional.of(r.entry().map(e -> grant(e)).orElseThrow(() -> new IllegalStateException(
        "the DCS confirmed a refresh of the leader key without returning the key")));
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

  /** Deletes the leader key if it still names this member (handover without waiting for expiry). */
  public boolean releaseLeader() {
    return dcs.delete(codec.keys().leader(), Precondition.value(name)).succeeded();
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

  /** Publishes this member's status with a TTL lease, so a dead node's key disappears on its own. */
  /** Writes this member's key; returns the key's revision as stored (what a later snapshot shows for it). */
  public long touchMember(Map<String, Object> fields, Duration ttl) {
    WriteResult r = dcs.put(codec.keys().member(name), ClusterCodec.encodeMember(fields), Precondition.none(), ttl);
    return r.entry().map(io.pgquorum.dcs.api.KeyValue::modRevision).orElse(r.revision());
  }

  public void deleteMember() {
    dcs.delete(codec.keys().member(name), Precondition.none());
  }

  /** The leader publishes its WAL position after each refresh; replicas compare against it. */
  public void writeStatus(long optime, Map<String, Long> slots) {
    dcs.put(codec.keys().status(), ClusterCodec.encodeStatus(optime, slots), Precondition.none(), null);
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
}
