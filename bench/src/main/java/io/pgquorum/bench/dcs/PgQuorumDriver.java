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

  public PgQuorumDriver(RatisDcsClient client) {
    this.client = client;
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
    // What the coordinator's HA loop does every cycle while it holds the lock (ClusterStore.refreshLeader).
    return List.of(new LeaseRefresh("", () -> client.refresh(key, fencingToken).succeeded()));
  }

  private static long modRevision(String key, WriteResult r) {
    return r.entry().map(KeyValue::modRevision)
        .orElseThrow(() -> new IllegalStateException("pgquorum write of " + key + " returned no entry: " + r));
  }

  @Override
  public void close() {
    client.close();
  }
}
