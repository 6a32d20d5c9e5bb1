package io.pgquorum.dcs.ratis;

import io.pgquorum.dcs.api.RaftStats;
import java.io.File;
import java.util.Optional;
import org.apache.ratis.metrics.LongCounter;
import org.apache.ratis.metrics.MetricRegistries;
import org.apache.ratis.metrics.RatisMetricRegistry;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.metrics.LeaderElectionMetrics;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.statemachine.SnapshotInfo;

/**
 * Reads one {@link RaftStats} from a division. Local reads only (no request to another member); the log size is a
 * directory listing. The election counts are Ratis' own ({@link LeaderElectionMetrics}), read from the registry
 * Ratis reports them into, so that they are not counted a second time here.
 */
final class RaftStatsSampler {
  private RaftStatsSampler() {}

  static RaftStats sample(RaftServer.Division d) {
    // Applied before committed: an index is applied only after it is committed, and both only grow, so read in
    // this order the sample never shows more applied than committed.
    long applied = d.getInfo().getLastAppliedIndex();
    RaftLog log = d.getRaftLog();
    long commit = log.getLastCommittedIndex();
    long start = log.getStartIndex();
    long next = log.getNextIndex();
    long snapshotIndex = 0;
    long snapshotBytes = 0;
    SnapshotInfo snapshot = d.getStateMachine().getLatestSnapshot();
    if (snapshot != null) {
      snapshotIndex = snapshot.getIndex();
      for (FileInfo f : snapshot.getFiles()) {
        snapshotBytes += f.getFileSize();
      }
    }
    Optional<RatisMetricRegistry> elections = electionRegistry(d);
    return new RaftStats(d.getInfo().getCurrentTerm(), d.getInfo().isLeader() && d.getInfo().isAlive(),
        Optional.ofNullable(d.getInfo().getLeaderId()).map(Object::toString), Math.max(0, commit),
        Math.max(0, applied), Math.max(0, next - start),
        logBytes(d.getRaftStorage().getStorageDir().getCurrentDir()),
        Math.max(0, snapshotIndex), snapshotBytes,
        elections.map(r -> count(r, LeaderElectionMetrics.LEADER_ELECTION_COUNT_METRIC)).orElse(0L),
        elections.map(r -> count(r, LeaderElectionMetrics.LEADER_ELECTION_TIMEOUT_COUNT_METRIC)).orElse(0L));
  }

  /**
   * This division's leader-election registry. Looked up by its name parts rather than rebuilt: Ratis names it by
   * the member id ({@code peer@group-...}) and its component, and several members of one JVM (tests) have one each.
   */
  private static Optional<RatisMetricRegistry> electionRegistry(RaftServer.Division d) {
    String prefix = d.getMemberId().toString();
    return MetricRegistries.global().getMetricRegistries().stream()
        .filter(r -> LeaderElectionMetrics.RATIS_LEADER_ELECTION_METRICS.equals(
            r.getMetricRegistryInfo().getMetricsComponentName()))
        .filter(r -> prefix.equals(r.getMetricRegistryInfo().getPrefix()))
        .findFirst();
  }

  private static long count(RatisMetricRegistry r, String name) {
    // counter() returns the registered one (Dropwizard's getOrAdd); Ratis registered it when the division started.
    LongCounter c = r.counter(name);
    return c.getCount();
  }

  /** Sum of the log segment files ({@code log_*}, open and closed) in the division's current directory. */
  static long logBytes(File currentDir) {
    File[] files = currentDir.listFiles((dir, name) -> name.startsWith("log_"));
    long sum = 0;
    if (files != null) {
      for (File f : files) {
        sum += f.length();
      }
    }
    return sum;
  }
}
