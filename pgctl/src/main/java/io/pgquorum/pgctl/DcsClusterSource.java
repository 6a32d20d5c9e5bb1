package io.pgquorum.pgctl;

import io.pgquorum.coordinator.cluster.ClusterCodec;
import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.DcsKeys;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.coordinator.config.RaftConfig;
import io.pgquorum.dcs.api.DcsConfigException;
import io.pgquorum.dcs.api.DcsUnavailableException;
import io.pgquorum.dcs.ratis.DcsClientConfig;
import io.pgquorum.dcs.ratis.PeerAddress;
import io.pgquorum.dcs.ratis.RatisDcsClient;
import io.pgquorum.dcs.ratis.TlsFiles;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reads a cluster's keys straight from its DCS, as a client of the Raft group: the group is the configuration's
 * {@code scope}, its members {@code raft.self_addr} and {@code raft.partner_addrs} (with {@code raft.tls} when
 * set). One linearizable read of the cluster's prefix, so the answer is current as long as a majority of the
 * members is up, whichever members those are; none of them has to be the local one.
 */
final class DcsClusterSource implements ClusterSource {
  /** Rides out a Raft leader election (about a second) yet answers "unreachable" quickly enough for a shell. */
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  private final Duration timeout;

  DcsClusterSource(Duration timeout) {
    this.timeout = timeout;
  }

  @Override
  public ClusterSnapshot read(NodeConfig config) {
    try (RatisDcsClient client = connect(config, timeout)) {
      return new ClusterCodec(new DcsKeys(config.keyPrefix())).decode(client.read(config.keyPrefix()));
    } catch (CtlException e) {
      throw e;
    } catch (RuntimeException e) {
      throw unreachable(config, timeout, e);
    }
  }

  /** A client of the cluster's DCS as the configuration describes it; bad addresses name their key. */
  static RatisDcsClient connect(NodeConfig config, Duration timeout) {
    List<PeerAddress> members = members(config.raft());
    DcsClientConfig clientConfig;
    try {
      DcsClientConfig.Builder builder = DcsClientConfig.builder()
          .groupName(config.scope())
          .members(members)
          .operationTimeout(timeout)
          .requestTimeout(timeout.dividedBy(2).compareTo(Duration.ofSeconds(2)) < 0
              ? timeout.dividedBy(2) : Duration.ofSeconds(2));
      config.raft().tls().ifPresent(t -> builder.tls(new TlsFiles(t.certfile(), t.keyfile(), t.cafile())));
      clientConfig = builder.build();
    } catch (DcsConfigException e) {
      throw CtlException.failure("invalid configuration: " + firstLine(e));
    }
    return RatisDcsClient.connect(clientConfig, "pgctl-" + ProcessHandle.current().pid());
  }

  /**
   * DcsUnavailableException (no majority answered in time), NotLeaderException, or anything the Ratis client
   * throws underneath (TLS set-up, closed channels): all mean "no answer from this cluster".
   */
  static CtlException unreachable(NodeConfig config, Duration timeout, RuntimeException e) {
    String where = members(config.raft()).stream().map(PeerAddress::address).collect(Collectors.joining(", "));
    return CtlException.failure("cannot reach the DCS of cluster " + config.scope() + " at " + where + ": "
        + reason(timeout, e));
  }

  /**
   * Why the read failed, in one line. The client's own message for a timeout quotes the last Ratis error, which
   * can include a request dump over several lines: the user needs the gist, not the dump.
   */
  private static String reason(Duration timeout, RuntimeException e) {
    if (e instanceof DcsUnavailableException) {
      Throwable cause = e.getCause();
      return "no majority of its members answered within " + seconds(timeout)
          + (cause == null ? "" : " (last error: " + cause.getClass().getSimpleName() + ")");
    }
    return firstLine(e);
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  /** The group's members as the configuration lists them; errors name the offending key. */
  static List<PeerAddress> members(RaftConfig raft) {
    List<PeerAddress> out = new ArrayList<>();
    try {
      out.add(PeerAddress.parse("raft.self_addr", raft.selfAddr()));
      for (int i = 0; i < raft.partnerAddrs().size(); i++) {
        out.add(PeerAddress.parse("raft.partner_addrs[" + i + "]", raft.partnerAddrs().get(i)));
      }
    } catch (DcsConfigException e) {
      throw CtlException.failure("invalid configuration: " + firstLine(e));
    }
    return out;
  }

  static String firstLine(Throwable e) {
    String m = e.getMessage();
    if (m == null || m.isBlank()) {
      return e.getClass().getSimpleName();
    }
    return m.lines().findFirst().orElse(m);
  }
}
