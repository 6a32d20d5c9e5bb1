package io.pgquorum.coordinator.cluster;

import io.pgquorum.dcs.api.Dcs;
import io.pgquorum.dcs.api.KeyValue;
import io.pgquorum.dcs.api.LocalView;
import io.pgquorum.dcs.api.Precondition;
import io.pgquorum.dcs.api.PrefixSnapshot;
import io.pgquorum.dcs.api.WatchResult;
import io.pgquorum.dcs.api.WriteResult;
import java.time.Duration;
import java.util.Optional;

/** A {@link Dcs} that forwards every call to another: tests override the calls they observe or delay. */
public class ForwardingDcs implements Dcs {
  private final Dcs delegate;

  public ForwardingDcs(Dcs delegate) {
    this.delegate = delegate;
  }

  @Override
  public String ownerId() {
    return delegate.ownerId();
  }

  @Override
  public PrefixSnapshot read(String prefix) {
    return delegate.read(prefix);
  }

  @Override
  public Optional<KeyValue> get(String key) {
    return delegate.get(key);
  }

  @Override
  public LocalView readLocal(String prefix) {
    return delegate.readLocal(prefix);
  }

  @Override
  public WriteResult put(String key, String value, Precondition condition, Duration ttl) {
    return delegate.put(key, value, condition, ttl);
  }

  @Override
  public WriteResult refresh(String key, long createRevision) {
    return delegate.refresh(key, createRevision);
  }

  @Override
  public WriteResult delete(String key, Precondition condition) {
    return delegate.delete(key, condition);
  }

  @Override
  public long deletePrefix(String prefix) {
    return delegate.deletePrefix(prefix);
  }

  @Override
  public WatchResult watch(String prefix, long afterRevision, Duration maxWait) {
    return delegate.watch(prefix, afterRevision, maxWait);
  }

  @Override
  public WatchResult watch(java.util.List<String> prefixes, long afterRevision, Duration maxWait) {
    return delegate.watch(prefixes, afterRevision, maxWait);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
