package io.pgquorum.jepsen.stack;

import io.pgquorum.testkit.NodeYaml;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code pgquorum.yml} of one node of a {@link PgCluster}: what this harness sets in the shared template
 * ({@link NodeYaml}, also the coordinator ITs' LocalCluster's).
 */
final class NodeConfigYaml {
  /** The cluster's scope (also the DCS group name) and key namespace. */
  static final String SCOPE = "jepsen";
  static final String NAMESPACE = "/service/";
  /** The PostgreSQL 15 binaries. */
  static final String PG_BIN = NodeYaml.PG_BIN;
  /** Loopback (proxy network) and the namespace network's 10.77.x addresses may connect, with passwords. */
  private static final List<String> PG_HBA = List.of("host all all 127.0.0.0/8 md5",
      "host replication replicator 127.0.0.0/8 md5", "host all all 10.0.0.0/8 md5",
      "host replication replicator 10.0.0.0/8 md5");

  private NodeConfigYaml() {}

  /**
   * @param insecureRaft {@code raft.insecure}: the namespace network gives every node a 10.77.x address, where
   *     pgquorum refuses plaintext Raft unless the operator opts in; the harness's private bridge is a network it
   *     trusts, so it opts in (as an operator on such a network would). The proxy network is loopback only and
   *     needs no opt-in.
   */
  static String render(StackNode n, List<StackNode> nodes, PgClusterSpec spec, boolean insecureRaft,
      Passwords passwords) {
    List<String> partners = new ArrayList<>();
    for (StackNode o : nodes) {
      if (o != n) {
        partners.add(o.addr.raftSelf());
      }
    }
    return new NodeYaml()
        .scope(SCOPE, NAMESPACE)
        .name(n.name())
        .rest(n.addr.restListen(), n.addr.restConnect())
        .raft(n.addr.raftSelf(), n.addr.raftBind(), partners, n.raftDir())
        .raftInsecure(insecureRaft)
        .dcs(spec.ttl(), spec.loopWait(), spec.retryTimeout(), spec.maximumLagOnFailover())
        .dcsExtra(spec.dcsExtra())
        .pgHba(PG_HBA)
        .postgres(n.addr.pgListen(), n.addr.pgConnect(), n.dataDir(), n.pgpass())
        .binDir(PG_BIN)
        .passwords(passwords.superuser(), passwords.replication())
        .render();
  }
}
