package io.pgquorum.jepsen.stack;

import io.pgquorum.coordinator.cluster.ClusterCodec;
import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.ClusterStatus;
import io.pgquorum.coordinator.cluster.DcsKeys;
import io.pgquorum.coordinator.cluster.LeaderLock;
import io.pgquorum.dcs.api.DcsException;
import io.pgquorum.dcs.ratis.DcsClientConfig;
import io.pgquorum.dcs.ratis.PeerAddress;
import io.pgquorum.dcs.ratis.RatisDcsClient;
import io.pgquorum.jepsen.checker.DurabilityChecker;
import io.pgquorum.jepsen.history.HistoryRecorder;
import io.pgquorum.jepsen.history.Op;
import io.pgquorum.jepsen.history.OpType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Samples the cluster's DCS the way the coordinators see it: every ~200 ms one linearizable read of the cluster's
 * keys (through a Raft client of the harness's own that reaches every member directly, outside any fault, like
 * Jepsen's control node), decoded with the coordinator's own codec. Records an INFO event
 * {@code dcs} (process {@code dcs-observer}) whenever the sample changes, value
 * {@code [leader, token, optime, statusRevision]}: the leader key's holder and fencing token, and the
 * {@code status} key's optime (the WAL position the primary last published) and mod revision; null where a key
 * is absent. A read that fails is recorded once per outage with the error and a null value.
 *
 * <p>{@link DurabilityChecker} uses these samples for the last status an old primary published before a failover.
 * Sampling can miss a value between two samples; a missed status only makes the checker's bound lower (more
 * lenient), never wrong.
 */
public final class DcsObserver implements Workload {
  /** The scope PgCluster gives its clusters (the Raft group name) and Patroni's default namespace. */
  static final String SCOPE = "jepsen";
  static final String KEY_PREFIX = "/service/" + SCOPE + "/";
  static final String PROCESS = "dcs-observer";

  private final PgCluster cluster;
  private final HistoryRecorder recorder;
  private final Duration interval;
  private Thread thread;
  private volatile boolean running;

  public DcsObserver(PgCluster cluster, HistoryRecorder recorder) {
    this(cluster, recorder, Duration.ofMillis(200));
  }

  public DcsObserver(PgCluster cluster, HistoryRecorder recorder, Duration interval) {
    this.cluster = cluster;
    this.recorder = recorder;
    this.interval = interval;
  }

  @Override
  public synchronized void start() {
    if (thread != null) {
      throw new IllegalStateException("DCS observer already started");
    }
    running = true;
    thread = new Thread(this::loop, "dcs-observer");
    thread.setDaemon(true);
    thread.start();
  }

  private RatisDcsClient connect() {
    List<PeerAddress> members = new ArrayList<>();
    for (int i = 0; i < cluster.size(); i++) {
      NodeAddresses a = cluster.network().addresses(i);
      // The members' peer ids are their raft.self_addr text; dial each one directly (harness host, Raft port),
      // so leader hints from the members map onto these addresses.
      PeerAddress self = PeerAddress.parse("raft.self_addr", a.raftSelf());
      members.add(new PeerAddress(self.id(), a.harnessHost(), cluster.ports(i).raftPort()));
    }
    return RatisDcsClient.connect(DcsClientConfig.builder()
        .groupName(SCOPE)
        .members(members)
        .operationTimeout(Duration.ofSeconds(2))
        .requestTimeout(Duration.ofSeconds(1))
        .build(), PROCESS);
  }

  private void loop() {
    ClusterCodec codec = new ClusterCodec(new DcsKeys(KEY_PREFIX));
    Object[] last = null;
    boolean failing = false;
    try (RatisDcsClient dcs = connect()) {
      while (running) {
        try {
          ClusterSnapshot c = codec.decode(dcs.read(KEY_PREFIX));
          Object[] now = {
              c.leader().map(LeaderLock::name).orElse(null),
              c.leader().map(LeaderLock::fencingToken).orElse(null),
              c.status().map(ClusterStatus::optime).orElse(null),
              c.status().map(ClusterStatus::modRevision).orElse(null)};
          if (last == null || !Arrays.equals(last, now) || failing) {
            recorder.record(Op.of(PROCESS, OpType.INFO, DurabilityChecker.DCS, null, Arrays.asList(now), null,
                null));
            last = now;
          }
          failing = false;
        } catch (DcsException | IllegalStateException e) {
          if (!failing) {
            recorder.record(Op.of(PROCESS, OpType.INFO, DurabilityChecker.DCS, null, null, null,
                Objects.toString(e.getMessage(), e.getClass().getSimpleName())));
          }
          failing = true;
        }
        PgCluster.sleep(interval.toMillis()); // the observer's sampling rate
      }
    } catch (RuntimeException e) {
      recorder.record(Op.of(PROCESS, OpType.INFO, DurabilityChecker.DCS, null, null, null,
          "DCS observer stopped: " + e.getMessage()));
    }
  }

  @Override
  public void close() {
    running = false;
    Thread t = thread;
    if (t != null) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
