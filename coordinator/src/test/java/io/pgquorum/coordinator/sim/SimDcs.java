package io.pgquorum.coordinator.sim;

import io.pgquorum.dcs.api.Dcs;
import io.pgquorum.dcs.api.DcsUnavailableException;
import io.pgquorum.dcs.api.KeyValue;
import io.pgquorum.dcs.api.LocalView;
import io.pgquorum.dcs.api.Precondition;
import io.pgquorum.dcs.api.PrefixSnapshot;
import io.pgquorum.dcs.api.WatchResult;
import io.pgquorum.dcs.api.WriteResult;
import java.time.Duration;
import java.util.Optional;

/**
 * One daemon's DCS client in the simulation: the in-memory store's real client, behind the simulated network. A
 * node that cannot reach a majority of live DCS members gets {@link DcsUnavailableException} (as a Raft client on
 * the minority side times out); a write may be applied and its reply lost (the outcome the caller cannot know).
 * Writes that matter to a reader of a transcript are recorded as the node's effects.
 */
final class SimDcs implements Dcs {
  private final Dcs delegate;
  private final SimCluster cluster;
  private final SimNode node;
  /** The prefix the loop last read (its cluster snapshot). */
  private String lastReadPrefix;
  /** A snapshot read just before the daemon froze, which the interrupted cycle goes on with (one read). */
  private PrefixSnapshot frozenRead;
  /** The lease keeper is calling (its lost replies come from a stream of their own: SimCluster.loseKeeperReply). */
  boolean keeperCalling;

  SimDcs(Dcs delegate, SimCluster cluster, SimNode node) {
    this.delegate = delegate;
    this.cluster = cluster;
    this.node = node;
  }

  private void reach() {
    if (!cluster.dcsReachable(node)) {
      throw unavailable();
    }
  }

  private DcsUnavailableException unavailable() {
    return new DcsUnavailableException("simulated: no DCS majority reachable from " + node.name,
        cluster.options.dyn.retryTimeout(), null, null);
  }

  /** After an applied write: maybe lose its reply (the seed decides). */
  private WriteResult replied(String what, String key, WriteResult r) {
    if (key.endsWith("/leader")) {
      if (r.succeeded() && !what.equals("delete")) {
        cluster.leaderKeyWritten();
      }
      cluster.leaderKeyChanged();
    } else if (cluster.options.wakeOnKeys && r.succeeded() && !what.equals("refresh") && (key.endsWith("/sync")
        || key.endsWith("/failover") || key.endsWith("/config") || key.endsWith("/initialize"))) {
      cluster.watchedKeyChanged();
    } else if (cluster.options.wakeOnKeys && r.succeeded() && !what.equals("refresh") && key.contains("/members/")) {
      cluster.memberKeyChanged(key.substring(key.lastIndexOf('/') + 1));
    }
    if (key.endsWith("/sync") && r.succeeded() && what.equals("put")) {
      cluster.syncKeyWritten();
    }
    String shortKey = key.substring(key.lastIndexOf('/') + 1);
    boolean shown = !key.contains("/members/") && !shortKey.equals("status") && !what.equals("refresh");
    if (shown) {
      cluster.effect(node, "dcs " + what + " " + shortKey + (r.succeeded() ? "" : " (refused)"));
    }
    if (keeperCalling ? cluster.loseKeeperReply() : cluster.loseReply()) {
      cluster.effect(node, "dcs reply lost: " + what + " " + shortKey);
      throw unavailable();
    }
    return r;
  }

  @Override
  public String ownerId() {
    return delegate.ownerId();
  }

  @Override
  public PrefixSnapshot read(String prefix) {
    if (frozenRead != null && prefix.equals(lastReadPrefix)) {
      PrefixSnapshot r = frozenRead;
      frozenRead = null;
      return r;
    }
    reach();
    lastReadPrefix = prefix;
    return delegate.read(prefix);
  }

  /**
   * The daemon freezes right after its loop read the cluster snapshot (now): the next read returns that snapshot,
   * however stale it is by then, as the interrupted cycle goes on with what it had read before the freeze.
   */
  void freezeAfterRead() {
    if (lastReadPrefix != null) {
      frozenRead = delegate.read(lastReadPrefix);
    }
  }

  @Override
  public Optional<KeyValue> get(String key) {
    reach();
    return delegate.get(key);
  }

  @Override
  public LocalView readLocal(String prefix) {
    return delegate.readLocal(prefix);
  }

  @Override
  public WriteResult put(String key, String value, Precondition condition, Duration ttl) {
    reach();
    return replied("put", key, delegate.put(key, value, condition, ttl));
  }

  @Override
  public WriteResult refresh(String key, long createRevision) {
    reach();
    return replied("refresh", key, delegate.refresh(key, createRevision));
  }

  @Override
  public WriteResult delete(String key, Precondition condition) {
    reach();
    return replied("delete", key, delegate.delete(key, condition));
  }

  @Override
  public long deletePrefix(String prefix) {
    reach();
    return delegate.deletePrefix(prefix);
  }

  @Override
  public WatchResult watch(String prefix, long afterRevision, Duration maxWait) {
    // The simulator schedules wake-ups itself (SimCluster.leaderKeyChanged); a loop it drives never watches.
    throw new UnsupportedOperationException("the simulated loop does not watch");
  }

  @Override
  public void close() {}
}
