package io.pgquorum.dcs.ratis;

import io.pgquorum.dcs.statemachine.Codec;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * Translates our configuration into Ratis properties. Every Ratis key pgquorum sets is set here, with the
 * reason (see also {@code shared/reference/ratis-3.3.0-notes.md}).
 */
final class RatisSettings {
  /** The largest AppendEntries batch, and so the largest log entry (see {@link #server}). */
  static final int APPEND_BATCH_BYTES = Codec.MAX_WRITE_BYTES + Codec.COMMAND_OVERHEAD_BYTES + 64 * 1024;

  private RatisSettings() {}

  /** A stable group id derived from the group name, so every member computes the same one. */
  static RaftGroupId groupId(String groupName) {
    return RaftGroupId.valueOf(UUID.nameUUIDFromBytes(("pgquorum-dcs/" + groupName).getBytes(StandardCharsets.UTF_8)));
  }

  static RaftProperties server(DcsServerConfig config, File storageDir) {
    DcsTuning t = config.tuning();
    RaftProperties p = new RaftProperties();
    RaftServerConfigKeys.setStorageDir(p, List.of(storageDir));
    // Bind explicitly: Ratis' defaults (0.0.0.0 and a random port) ignore the configured address.
    GrpcConfigKeys.Server.setHost(p, config.bindHost());
    GrpcConfigKeys.Server.setPort(p, config.bindPort());
    RaftServerConfigKeys.Rpc.setTimeoutMin(p, ms(t.electionTimeoutMin().toMillis()));
    RaftServerConfigKeys.Rpc.setTimeoutMax(p, ms(t.electionTimeoutMax().toMillis()));
    RaftServerConfigKeys.Rpc.setRequestTimeout(p, ms(t.requestTimeout().toMillis()));
    // DEFAULT reads skip the quorum check, so a partitioned leader could answer stale: always ReadIndex.
    RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
    // Pre-vote stops a member that was partitioned away from disrupting the leader when it returns.
    RaftServerConfigKeys.LeaderElection.setPreVote(p, true);
    // Bounded log: snapshot every N entries and purge what the snapshot covers (pysyncobj never did).
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, t.snapshotThreshold());
    RaftServerConfigKeys.Snapshot.setCreationGap(p, Math.min(1024, t.snapshotThreshold()));
    RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 2);
    RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
    RaftServerConfigKeys.Log.setPurgeGap(p, t.purgeGap());
    RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(t.logSegmentSize()));
    // A member whose log was purged past its position catches up by snapshot installation.
    RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(p, true);
    // Ratis' default back-off left a restarted member uncontacted for 2-14 s; this brought catch-up to <0.5 s.
    RaftServerConfigKeys.Log.Appender.setRetryPolicy(p, "1ms,10, 100ms,100000");
    // Ratis' default (on) makes the leader append a METADATA entry (the new commit index) after every commit
    // (LeaderStateImpl.updateCommit -> logMetadata -> RaftLog.appendMetadata): each DCS write became two log
    // entries, two fsyncs on every member and a second replication round that the next write queued behind
    // (CAS p50 ~3.9 -> ~2.8 ms, p99 halved, 3 members on 2 cores). The entry is only read back at restart
    // (RaftLogBase.open) to pre-set the commit index; without it a restarted member learns the commit index
    // from the leader's next AppendEntries, as in standard Raft where commitIndex is volatile state. Elections,
    // the durability of acknowledged entries (each is still fsynced on a majority before it commits), and
    // ReadIndex reads do not use it. Entries written while it was on are still read normally.
    RaftServerConfigKeys.Log.setLogMetadataEnabled(p, false);
    // Ratis' default 1 ms makes the leader's appender sleep until 1 ms has passed since its last AppendEntries
    // to that follower (GrpcLogAppender.appendLog: getRemainingWaitTime() -> sleep). After every commit the
    // leader sends the new commit index, so the next sequential write usually found a send < 1 ms old and
    // waited (CAS p50 ~2.9 -> ~2.1 ms). It only paces sends: what is sent, fsync-before-acknowledge and the
    // commit rule are unchanged, and in-flight appends stay bounded by
    // raft.grpc.server.leader.outstanding.appends.max (default 8), so a write burst cannot flood a follower.
    RaftServerConfigKeys.Log.Appender.setWaitTimeMin(p, TimeDuration.ZERO);
    // The log worker's write buffer is a direct buffer Ratis allocates (and zeroes, so it stays resident) once per
    // member: 8 MiB by default, about a tenth of an idle daemon's private memory. Ratis requires it to hold one
    // AppendEntries batch (the appender's byte limit) plus 8 bytes, and its log refuses an entry over that limit
    // ("exceeds the max buffer limit"). Entries are bounded by the commands the members accept
    // (Codec.MAX_WRITE_BYTES plus COMMAND_OVERHEAD_BYTES, checked in DcsStateMachine.startTransaction) plus what
    // Ratis' LogEntryProto adds (term, index, client and call ids: well under 1 KiB); 64 KiB covers that with room
    // to spare. Smaller batches only matter to a follower catching up through many entries: more, smaller rounds.
    RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, SizeInBytes.valueOf(APPEND_BATCH_BYTES));
    RaftServerConfigKeys.Log.setWriteBufferSize(p, SizeInBytes.valueOf(APPEND_BATCH_BYTES + 8));
    return p;
  }

  static Parameters parameters(DcsServerConfig config) {
    return config.tls().map(RatisSettings::tlsParameters).orElseGet(Parameters::new);
  }

  /**
   * TLS only takes effect through {@link Parameters}; the RaftProperties TLS keys are ignored in 3.3.0.
   * The one setting covers the server, admin and client services.
   */
  static Parameters tlsParameters(TlsFiles tls) {
    Parameters parameters = new Parameters();
    GrpcTlsConfig conf = new GrpcTlsConfig(tls.privateKey().toFile(), tls.certChain().toFile(),
        tls.trustedCa().toFile(), true);
    GrpcConfigKeys.TLS.setConf(parameters, conf);
    return parameters;
  }

  static TimeDuration ms(long millis) {
    return TimeDuration.valueOf(millis, TimeUnit.MILLISECONDS);
  }
}
