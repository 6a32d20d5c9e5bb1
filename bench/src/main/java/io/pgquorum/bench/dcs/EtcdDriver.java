package io.pgquorum.bench.dcs;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.pgquorum.bench.report.Result;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The measured operations through etcd's official Java client (jetcd), in the benchmark's JVM.
 *
 * <ul>
 *   <li>compare-and-set: one transaction {@code If(mod_revision == expected) Then(put)};
 *   <li>linearizable read: a default range request (serializable=false, so etcd confirms leadership through a
 *       ReadIndex round first);
 *   <li>leader lock refresh, two ways: a lease keep-alive (what keeps an etcd3 leader key alive between writes;
 *       etcd renews leases on the leader without a Raft write) and the transaction that rewrites the key with
 *       the lease when its value is still ours (what a Patroni-style refresh sends when it rewrites the key).
 * </ul>
 */
public final class EtcdDriver implements DcsDriver {
  private static final long TIMEOUT_SECONDS = 5;

  private final Client client;
  private final KV kv;

  /** A client of the given endpoints (http://host:port). */
  public EtcdDriver(List<String> endpoints) {
    this.client = Client.builder().endpoints(endpoints.toArray(String[]::new)).build();
    this.kv = client.getKVClient();
  }

  @Override
  public String system() {
    return Result.ETCD;
  }

  @Override
  public long put(String key, String value) throws Exception {
    return await(kv.put(bytes(key), bytes(value))).getHeader().getRevision();
  }

  @Override
  public long cas(String key, long expectedModRevision, String value) throws Exception {
    ByteSequence k = bytes(key);
    TxnResponse r = await(kv.txn()
        .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(expectedModRevision)))
        .Then(Op.put(k, bytes(value), PutOption.DEFAULT))
        .commit());
    // A transaction that wrote makes exactly one new revision: the key's new mod_revision.
    return r.isSucceeded() ? r.getHeader().getRevision() : -1;
  }

  @Override
  public Optional<String> get(String key) throws Exception {
    GetResponse r = await(kv.get(bytes(key)));
    return r.getKvs().isEmpty() ? Optional.empty()
        : Optional.of(r.getKvs().get(0).getValue().toString(StandardCharsets.UTF_8));
  }

  @Override
  public int readPrefix(String prefix) throws Exception {
    return await(kv.get(bytes(prefix), GetOption.builder().isPrefix(true).build())).getKvs().size();
  }

  @Override
  public List<LeaseRefresh> leaderLock(String key, String value, Duration ttl) throws Exception {
    long lease = await(client.getLeaseClient().grant(Math.max(1, ttl.toSeconds()))).getID();
    ByteSequence k = bytes(key);
    ByteSequence v = bytes(value);
    PutOption withLease = PutOption.builder().withLeaseId(lease).build();
    await(kv.put(k, v, withLease));
    return List.of(
        new LeaseRefresh("keepalive-once",
            () -> await(client.getLeaseClient().keepAliveOnce(lease)).getTTL() > 0),
        new LeaseRefresh("txn value=ours, put with lease",
            () -> await(kv.txn()
                .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.value(v)))
                .Then(Op.put(k, v, withLease))
                .commit()).isSucceeded()));
  }

  private static <T> T await(CompletableFuture<T> f) throws Exception {
    return f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    client.close();
  }
}
