package io.pgquorum.jepsen.stack;

import java.util.List;

/** The {@code pgquorum.yml} of one node of a {@link PgCluster}: what the harness asks of every daemon. */
final class NodeConfigYaml {
  /** The cluster's scope (also the DCS group name) and key namespace. */
  static final String SCOPE = "jepsen";
  static final String NAMESPACE = "/service/";
  /** The PostgreSQL 15 binaries. */
  static final String PG_BIN = "/usr/lib/postgresql/15/bin";

  private NodeConfigYaml() {}

  /**
   * @param insecureRaft {@code raft.insecure}: the namespace network gives every node a 10.77.x address, where
   *     pgquorum refuses plaintext Raft unless the operator opts in; the harness's private bridge is a network it
   *     trusts, so it opts in (as an operator on such a network would). The proxy network is loopback only and
   *     needs no opt-in.
   */
  static String render(StackNode n, List<StackNode> nodes, PgClusterSpec spec, boolean insecureRaft,
      Passwords passwords) {
    StringBuilder partners = new StringBuilder();
    for (StackNode o : nodes) {
      if (o != n) {
        partners.append("\n    - ").append(o.addr.raftSelf());
      }
    }
    return """
        scope: %s
        namespace: %s
        name: %s
        log:
          level: INFO
        restapi:
          listen: %s
          connect_address: %s
        raft:
          self_addr: %s
          bind_addr: %s
          partner_addrs:%s
          data_dir: %s
          insecure: %s
        bootstrap:
          dcs:
            ttl: %d
            loop_wait: %d
            retry_timeout: %d
            maximum_lag_on_failover: %d
            postgresql:
              use_pg_rewind: true
              use_slots: true
              parameters:
                wal_keep_size: 64MB
                max_connections: 40
          initdb:
            - encoding: UTF8
            - data-checksums
          pg_hba:
            - host all all 127.0.0.0/8 md5
            - host replication replicator 127.0.0.0/8 md5
            - host all all 10.0.0.0/8 md5
            - host replication replicator 10.0.0.0/8 md5
        postgresql:
          listen: %s
          connect_address: %s
          data_dir: %s
          bin_dir: %s
          pgpass: %s
          authentication:
            superuser:
              username: postgres
              password: %s
            replication:
              username: replicator
              password: %s
          parameters:
            shared_buffers: 16MB
        """.formatted(SCOPE, NAMESPACE, n.name(), n.addr.restListen(), n.addr.restConnect(), n.addr.raftSelf(),
        n.addr.raftBind(), partners, n.raftDir(), insecureRaft, spec.ttl(), spec.loopWait(), spec.retryTimeout(),
        spec.maximumLagOnFailover(), n.addr.pgListen(), n.addr.pgConnect(), n.dataDir(), PG_BIN, n.pgpass(),
        passwords.superuser(), passwords.replication());
  }
}
