package io.pgquorum.bench.dcs;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The DCS operations the benchmarks measure, as one system performs them through its own client. Every
 * operation blocks until that system confirms it (a write is committed by a majority, a read is linearizable).
 * Implementations are thread-safe: the in-flight measurements call one driver from many threads.
 */
public interface DcsDriver extends AutoCloseable {

  /** The system's name in results ({@link io.pgquorum.bench.report.Result#PGQUORUM} or ETCD). */
  String system();

  /** Unconditional write; returns the key's new modification revision. */
  long put(String key, String value) throws Exception;

  /**
   * Compare-and-set: writes {@code value} only if the key's modification revision is still
   * {@code expectedModRevision}; returns the new modification revision, or -1 when the condition did not hold.
   */
  long cas(String key, long expectedModRevision, String value) throws Exception;

  /** Linearizable read of one key. */
  Optional<String> get(String key) throws Exception;

  /** Linearizable read of every key under {@code prefix}; returns how many there are. */
  int readPrefix(String prefix) throws Exception;

  /**
   * Makes {@code key} a leader lock held by this client with {@code value} and lease {@code ttl}, and returns the
   * ways this system refreshes such a lock (one for pgquorum; etcd has two, see {@link EtcdDriver}).
   */
  List<LeaseRefresh> leaderLock(String key, String value, Duration ttl) throws Exception;

  @Override
  void close();

  /**
   * One way of refreshing a leader lock.
   *
   * @param variant how (becomes the result's variant; "" when the system has only one way)
   * @param refresh performs one refresh; returns whether the system reported success
   */
  record LeaseRefresh(String variant, Refresh refresh) {}

  /** One refresh of a leader lock. */
  @FunctionalInterface
  interface Refresh {
    boolean run() throws Exception;
  }
}
