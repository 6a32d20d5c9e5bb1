package io.pgquorum.bench.dcs;

import io.pgquorum.bench.report.Result;
import io.pgquorum.dcs.api.KeyValue;
import io.pgquorum.dcs.api.Precondition;
import io.pgquorum.dcs.api.WriteResult;
import io.pgquorum.dcs.ratis.RatisDcsClient;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The measured operations through pgquorum's own client, {@link RatisDcsClient}: the calls the coordinator
 * makes (a compare-and-set on the modification revision, a linearizable get, and the leader lock refresh of
 * {@code ClusterStore.refreshLeader}).
 */
public final class PgQuorumDriver implements DcsDriver {
  private final RatisDcsClient client;
  /** The same owner's client in leader-local refresh mode, or null to measure the logged refresh only. */
  private final RatisDcsClient leaderLocal;

  public PgQuorumDriver(RatisDcsClient client) {
    this(client, null);
  }

  /** With {@code leaderLocal} (same owner id, leader-local mode) the lock refresh is measured both ways. */
  public PgQuorumDriver(RatisDcsClient client, RatisDcsClient leaderLocal) {
    this.client = client;
    this.leaderLocal = leaderLocal;
  }

  @Override
  public String system() {
    return Result.PGQUORUM;
  }

  @Override
  public long put(String key, String value) {
    return modRevision(key, client.put(key, value));
  }

  @Override
  public long cas(String key, long expectedModRevision, String value) {
    WriteResult r = client.put(key, value, Precondition.modRevision(expectedModRevision), null);
    return r.succeeded() ? modRevision(key, r) : -1;
  }

  @Override
  public Optional<String> get(String key) {
    return client.get(key).map(KeyValue::value);
  }

  @Override
  public int readPrefix(String prefix) {
    return client.read(prefix).entries().size();
  }

  @Override
  public List<LeaseRefresh> leaderLock(String key, String value, Duration ttl) {
    WriteResult r = client.put(key, value, Precondition.none(), ttl);
    if (!r.succeeded() || r.entry().isEmpty()) {
      throw new IllegalStateException("pgquorum did not create the leader lock " + key + ": " + r);
    }
    long fencingToken = r.entry().get().createRevision();
    // The refresh as a Raft log entry (raft.lease_refresh: durable). Unlabelled only when it is all this driver
    // measures; beside the leader-local one it is "durable", so that the README's like-for-like table (which pairs
    // an unlabelled pgquorum row with every etcd variant) shows the daemons' default, leader-local refresh.
    LeaseRefresh logged = new LeaseRefresh(leaderLocal == null ? "" : "durable",
        () -> client.refresh(key, fencingToken).succeeded());
    if (leaderLocal == null) {
      return List.of(logged);
    }
    // What the coordinator's lease keeper and HA loop send while the node holds the lock, at the default
    // raft.lease_refresh: leader_local (ClusterStore.refreshLeader). Counts as a success only when the leader
    // served it locally: a silent fallback to the log would measure the logged refresh under the wrong name.
    return List.of(logged, new LeaseRefresh("", () -> {
      long before = leaderLocal.leaderLocalRefreshes();
      return leaderLocal.refresh(key, fencingToken).succeeded() && leaderLocal.leaderLocalRefreshes() > before;
    }));
  }

  private static long modRevision(String key, WriteResult r) {
    return r.entry().map(KeyValue::modRevision)
        .orElseThrow(() -> new IllegalStateException("pgquorum write of " + key + " returned no entry: " + r));
  }

  @Override
  public void close() {
    if (leaderLocal != null) {
      leaderLocal.close();
    }
    client.close();
  }
}
