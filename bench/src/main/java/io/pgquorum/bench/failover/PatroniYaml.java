package io.pgquorum.bench.failover;

import io.pgquorum.jepsen.stack.PgClusterSpec.SyncMode;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Generates one Patroni node's configuration file: the same bootstrap settings as pgquorum's full-stack clusters
 * ({@code io.pgquorum.jepsen.stack.PgCluster}) so both systems run identical PostgreSQL setups, with the DCS in
 * etcd (v3 API, {@code etcd3:} section).
 *
 * @param scope cluster name
 * @param name member name
 * @param restPort Patroni's REST API port on 127.0.0.1
 * @param pgPort PostgreSQL's port on 127.0.0.1
 * @param etcdClientPorts client ports of every etcd member (127.0.0.1)
 * @param ttl bootstrap.dcs.ttl
 * @param loopWait bootstrap.dcs.loop_wait
 * @param retryTimeout bootstrap.dcs.retry_timeout
 * @param sync bootstrap.dcs.synchronous_mode (and synchronous_mode_strict); {@link SyncMode#QUORUM} is written as
 *     Patroni 4 spells it, which older Patroni versions do not know
 * @param nodeDir the node's directory (data, socket, pgpass)
 * @param pgBin PostgreSQL's bin directory
 * @param superPassword the superuser's password
 * @param replPassword the replication user's password
 */
public record PatroniYaml(String scope, String name, int restPort, int pgPort, List<Integer> etcdClientPorts,
    int ttl, int loopWait, int retryTimeout, SyncMode sync, Path nodeDir, Path pgBin, String superPassword,
    String replPassword) {

  /** Where this node's PostgreSQL data directory goes. */
  public Path dataDir() {
    return nodeDir.resolve("pgdata");
  }

  /** The YAML text. */
  public String render() {
    String hosts = etcdClientPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    return """
        scope: %s
        namespace: /service/
        name: %s
        log:
          level: INFO
        restapi:
          listen: 127.0.0.1:%d
          connect_address: 127.0.0.1:%d
        etcd3:
          hosts: %s
        watchdog:
          mode: off
        bootstrap:
          dcs:
            ttl: %d
            loop_wait: %d
            retry_timeout: %d
            maximum_lag_on_failover: 1048576
        %s    postgresql:
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
        postgresql:
          listen: 127.0.0.1:%d
          connect_address: 127.0.0.1:%d
          data_dir: %s
          bin_dir: %s
          pgpass: %s
          authentication:
            superuser:
              username: postgres
              password: '%s'
            replication:
              username: replicator
              password: '%s'
          parameters:
            shared_buffers: 16MB
            unix_socket_directories: '%s'
        """.formatted(scope, name, restPort, restPort, hosts, ttl, loopWait, retryTimeout, syncLines(), pgPort, pgPort,
        dataDir(), pgBin, nodeDir.resolve("pgpass"), superPassword, replPassword, nodeDir);
  }

  /** The bootstrap.dcs lines of the replication mode (Patroni's spelling), each ending in a newline; none for off. */
  private String syncLines() {
    return switch (sync) {
      case OFF -> "";
      case ON -> "    synchronous_mode: true\n";
      case QUORUM -> "    synchronous_mode: quorum\n";
      case STRICT -> "    synchronous_mode: true\n    synchronous_mode_strict: true\n";
    };
  }

  @Override
  public String toString() {
    // The generated record toString would print the passwords.
    return "PatroniYaml[" + scope + "/" + name + ", ttl=" + ttl + ", loop_wait=" + loopWait + ", retry_timeout="
        + retryTimeout + ", sync=" + sync.word() + "]";
  }
}
