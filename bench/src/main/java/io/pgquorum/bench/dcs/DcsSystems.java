package io.pgquorum.bench.dcs;

import io.pgquorum.bench.BenchContext;
import io.pgquorum.bench.failover.PgQuorumCluster;
import io.pgquorum.bench.report.Result;
import io.pgquorum.dcs.ratis.LeaseRefreshMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * pgquorum's DCS and etcd, each with the same number of members on 127.0.0.1, data under the same scratch
 * directory (same disk), and a driver for each. etcd is optional: without it the pgquorum half still runs and
 * the missing half is recorded as skipped, with the install command.
 */
final class DcsSystems implements AutoCloseable {
  private final PgQuorumDcsCluster pgquorum;
  private final EtcdCluster etcd;
  private final List<DcsDriver> drivers;
  private final Map<String, Map<String, String>> notes;

  private DcsSystems(PgQuorumDcsCluster pgquorum, EtcdCluster etcd, List<DcsDriver> drivers,
      Map<String, Map<String, String>> notes) {
    this.pgquorum = pgquorum;
    this.etcd = etcd;
    this.drivers = drivers;
    this.notes = notes;
  }

  /** Starts both systems with {@code members} members each; {@code label} names this part in skip records. */
  static DcsSystems start(BenchContext ctx, int members, String label) throws IOException {
    Path dir = ctx.scratchDir(label.replaceAll("[^A-Za-z0-9]+", "-"));
    String disk = filesystem(dir);
    PgQuorumDcsCluster pg = null;
    EtcdCluster etcd = null;
    List<DcsDriver> drivers = new ArrayList<>();
    Map<String, Map<String, String>> notes = new LinkedHashMap<>();
    try {
      ctx.progress(label + ": starting " + members + " pgquorum DCS members");
      String jvm = PgQuorumCluster.javaOptions(ctx.tools().pgquorumHome());
      pg = PgQuorumDcsCluster.start(members, Files.createDirectories(dir.resolve("pgquorum")),
          List.of(jvm.split("\\s+")));
      drivers.add(new PgQuorumDriver(pg.client("bench"), pg.client("bench", LeaseRefreshMode.LEADER_LOCAL)));
      notes.put(Result.PGQUORUM, pgquorumNotes(members, disk, jvm));
      if (ctx.tools().hasEtcd()) {
        ctx.progress(label + ": starting " + members + " etcd members");
        etcd = EtcdCluster.start(ctx.tools().etcd(), members, Files.createDirectories(dir.resolve("etcd")));
        drivers.add(new EtcdDriver(List.of(etcd.leaderClientUrl())));
        notes.put(Result.ETCD, etcdNotes(members, disk, ctx.tools().versions().getOrDefault("etcd", "etcd")));
      } else {
        ctx.results().skipped(label + ": etcd", "etcd is not installed at " + ctx.tools().etcd()
            + " (apt-get install etcd-server); only pgquorum was measured");
      }
    } catch (IOException | RuntimeException e) {
      drivers.forEach(DcsDriver::close);
      if (etcd != null) {
        etcd.close();
      }
      if (pg != null) {
        pg.close();
      }
      throw e;
    }
    return new DcsSystems(pg, etcd, List.copyOf(drivers), notes);
  }

  static Map<String, String> pgquorumNotes(int members, String disk, String jvmOptions) {
    Map<String, String> n = new LinkedHashMap<>();
    n.put("members", members + " JVMs (DcsMemberMain with bin/pgquorum's JVM options: " + jvmOptions
        + "), direct gRPC on 127.0.0.1");
    n.put("durability", "Raft log forced to disk (fdatasync) before an entry counts as written, with group commit"
        + " (Ratis 3.3.0: force.sync.num 128, unsafe-flush and async-flush off); raft-dcs turns off Ratis'"
        + " per-commit log-metadata entries and its 1 ms appender pacing (RatisSettings), neither of which"
        + " changes what is fsynced before a commit");
    n.put("client", "RatisDcsClient in the bench JVM (finds the leader itself)");
    n.put("disk", disk);
    return n;
  }

  static Map<String, String> etcdNotes(int members, String disk, String version) {
    Map<String, String> n = new LinkedHashMap<>();
    n.put("members", members + " processes (" + version + "), 127.0.0.1");
    n.put("durability", "write-ahead log fsynced per Raft batch (etcd default; 3.4 has no switch to turn it off)");
    n.put("client", "jetcd in the bench JVM, connected to the leader's endpoint (no follower forwarding hop)");
    n.put("disk", disk);
    return n;
  }

  /** The filesystem type and mount point holding {@code dir}, so the report shows what the fsyncs hit. */
  static String filesystem(Path dir) {
    try {
      var store = Files.getFileStore(dir);
      return store.type() + " (" + store.name() + "), same for both systems";
    } catch (IOException e) {
      return "unknown filesystem, same directory tree for both systems";
    }
  }

  List<DcsDriver> drivers() {
    return drivers;
  }

  Map<String, String> notes(String system) {
    return notes.getOrDefault(system, Map.of());
  }

  @Override
  public void close() {
    drivers.forEach(DcsDriver::close);
    RuntimeException failure = null;
    for (AutoCloseable c : new AutoCloseable[] {etcd, pgquorum}) {
      if (c == null) {
        continue;
      }
      try {
        c.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException("could not stop all members: " + e.getMessage(), e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
