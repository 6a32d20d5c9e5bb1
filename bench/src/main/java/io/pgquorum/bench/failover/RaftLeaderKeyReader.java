package io.pgquorum.bench.failover;

import io.pgquorum.dcs.api.DcsException;
import io.pgquorum.dcs.api.KeyValue;
import io.pgquorum.dcs.ratis.DcsClientConfig;
import io.pgquorum.dcs.ratis.PeerAddress;
import io.pgquorum.dcs.ratis.RatisDcsClient;
import io.pgquorum.jepsen.stack.NodeAddresses;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads pgquorum's leader key straight from its Raft DCS, from the bench JVM: one {@link RatisDcsClient} per
 * contact member, each call a linearizable get (Ratis ReadIndex, answered by the Raft leader whichever member is
 * contacted first), as the Patroni side reads etcd. Nothing is asked of the daemons' HA loops.
 *
 * <p>Addresses. The members know each other by their Raft host names ({@code nodeN.pgq.test:port}), which only
 * the daemons' JVMs resolve (each has its own hosts file mapping them to per-link proxies). The bench JVM cannot
 * use those names, so its clients list <em>every</em> member under its Raft peer id (the {@code raft.self_addr}
 * text, which is the id when none is given) but with the member's bind address on 127.0.0.1. Ratis' client keeps
 * the first address it was given per peer id: leader hints and peer lists in NotLeader replies carry the group
 * configuration's unresolvable names, but they only add peers the client does not know yet (Ratis 3.3
 * {@code PeerProxyMap.addRaftPeers} is a computeIfAbsent by id). Listing all members, the dead one included, thus
 * means every hint points at an address the bench can dial.
 */
final class RaftLeaderKeyReader implements AutoCloseable {
  /** Bound on one read; like the Patroni side's 1 s HTTP timeout, a read that does not finish counts as "no answer". */
  static final Duration READ_TIMEOUT = Duration.ofSeconds(1);

  private final String key;
  private final List<RatisDcsClient> clients = new ArrayList<>();
  private final DcsClientConfig readConfig;
  private RatisDcsClient admin;

  /**
   * @param group the Raft group name (the cluster's scope)
   * @param key the leader key, e.g. {@code /service/jepsen/leader}
   * @param members every member's addresses, index = node
   */
  RaftLeaderKeyReader(String group, String key, List<NodeAddresses> members) {
    this.key = key;
    this.readConfig = config(group, members, 0);
    for (int via = 0; via < members.size(); via++) {
      clients.add(RatisDcsClient.connect(config(group, members, via), "bench-leader-observer-" + via));
    }
  }

  /** The client of contact member {@code via}: that member first (Ratis starts there), then all the others. */
  static DcsClientConfig config(String group, List<NodeAddresses> members, int via) {
    List<PeerAddress> peers = new ArrayList<>();
    peers.add(peer(members.get(via)));
    for (int i = 0; i < members.size(); i++) {
      if (i != via) {
        peers.add(peer(members.get(i)));
      }
    }
    return DcsClientConfig.builder().groupName(group).members(peers).operationTimeout(READ_TIMEOUT)
        .requestTimeout(READ_TIMEOUT.dividedBy(2)).build();
  }

  /** Peer id as the group knows it (the self address text), address where the bench JVM can reach it. */
  static PeerAddress peer(NodeAddresses a) {
    PeerAddress self = PeerAddress.parse("raft.self_addr", a.raftSelf());
    PeerAddress bind = PeerAddress.parse("raft.bind_addr", a.raftBind());
    return new PeerAddress(self.id(), bind.host(), bind.port());
  }

  /**
   * The leader key's holder by a linearizable read starting at member {@code via}: the name, "" when the DCS
   * answered that there is no leader key, null when no answer came within {@link #READ_TIMEOUT} (no Raft leader,
   * no majority, member dead): "unavailable" never passes for "key gone".
   */
  String leader(int via) {
    try {
      Optional<KeyValue> kv = clients.get(via).get(key);
      return kv.map(KeyValue::value).orElse("");
    } catch (DcsException e) {
      return null;
    }
  }

  /**
   * Every member's Raft role by member id, as each member itself reports it ({@link RatisDcsClient#roles()}: asked
   * at the bind addresses the bench can reach).
   */
  Map<String, String> roles() {
    return clients.get(0).roles();
  }

  /**
   * Asks the group's leader to hand leadership to {@code memberId} (a Raft member id); throws DcsException. Through
   * a client of its own, made on first use: Ratis answers a transfer only once the target leads, longer than the
   * readers' request timeout allows.
   */
  synchronized void transferLeadership(String memberId, Duration timeout) {
    if (admin == null) {
      DcsClientConfig reads = readConfig;
      admin = RatisDcsClient.connect(DcsClientConfig.builder().groupName(reads.groupName()).members(reads.members())
          .operationTimeout(timeout.plusSeconds(2)).requestTimeout(timeout.plusSeconds(1)).build(),
          "bench-leadership-transfer");
    }
    admin.transferLeadership(memberId, timeout);
  }

  @Override
  public void close() {
    synchronized (this) {
      if (admin != null) {
        admin.close();
      }
    }
    for (RatisDcsClient c : clients) {
      try {
        c.close();
      } catch (RuntimeException e) {
        // closing a client of a dead member: nothing left to release
      }
    }
  }
}
