package io.pgquorum.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The two clusters' files, character for character as their own templates wrote them before they shared this one
 * (the expected texts are those templates with the values filled in).
 */
class NodeYamlTest {

  @Test
  void localClusterFileWithAStandbyClusterAndExtraKeys() {
    String yaml = new NodeYaml()
        .scope("it", "/service/")
        .name("node2")
        .rest("127.0.0.1:5002", "127.0.0.1:5002")
        .raft("node2.pgq.test:5001", "127.0.0.1:5001", List.of("node1.pgq.test:4001", "127.0.0.1:9001"),
            Path.of("/tmp/c/node2/raft"))
        .dcs(6, 1, 2, 1_048_576)
        .useSlots(false)
        .dcsExtra("\n    standby_cluster:\n      host: 127.0.0.1\n      port: 6000")
        .postgres("127.0.0.1:5003", "127.0.0.1:5003", Path.of("/tmp/c/node2/pgdata"), Path.of("/tmp/c/node2/pgpass"))
        .passwords("s3", "r3")
        .render() + "tags:\n  nofailover: true\n";
    assertThat(yaml).isEqualTo("""
        scope: it
        namespace: /service/
        name: node2
        log:
          level: INFO
        restapi:
          listen: 127.0.0.1:5002
          connect_address: 127.0.0.1:5002
        raft:
          self_addr: node2.pgq.test:5001
          bind_addr: 127.0.0.1:5001
          partner_addrs:
            - node1.pgq.test:4001
            - 127.0.0.1:9001
          data_dir: /tmp/c/node2/raft
        bootstrap:
          dcs:
            ttl: 6
            loop_wait: 1
            retry_timeout: 2
            maximum_lag_on_failover: 1048576
            postgresql:
              use_pg_rewind: true
              use_slots: false
              parameters:
                wal_keep_size: 64MB
                max_connections: 40
            standby_cluster:
              host: 127.0.0.1
              port: 6000
          initdb:
            - encoding: UTF8
            - data-checksums
        postgresql:
          listen: 127.0.0.1:5003
          connect_address: 127.0.0.1:5003
          data_dir: /tmp/c/node2/pgdata
          bin_dir: /usr/lib/postgresql/15/bin
          pgpass: /tmp/c/node2/pgpass
          authentication:
            superuser:
              username: postgres
              password: s3
            replication:
              username: replicator
              password: r3
          parameters:
            shared_buffers: 16MB
        tags:
          nofailover: true
        """);
  }

  @Test
  void jepsenFileWithInsecureRaftAndPgHba() {
    String yaml = new NodeYaml()
        .scope("jepsen", "/service/")
        .name("n1")
        .rest("10.77.0.2:8008", "10.77.0.2:8008")
        .raft("10.77.0.2:7000", "0.0.0.0:7000", List.of("10.77.0.3:7000", "10.77.0.4:7000"), "/r/n1/raft")
        .raftInsecure(true)
        .dcs(8, 2, 3, 500)
        .pgHba(List.of("host all all 127.0.0.0/8 md5", "host replication replicator 10.0.0.0/8 md5"))
        .postgres("10.77.0.2:5432", "10.77.0.2:5432", "/r/n1/data", "/r/n1/pgpass")
        .passwords("su", "re")
        .render();
    assertThat(yaml).isEqualTo("""
        scope: jepsen
        namespace: /service/
        name: n1
        log:
          level: INFO
        restapi:
          listen: 10.77.0.2:8008
          connect_address: 10.77.0.2:8008
        raft:
          self_addr: 10.77.0.2:7000
          bind_addr: 0.0.0.0:7000
          partner_addrs:
            - 10.77.0.3:7000
            - 10.77.0.4:7000
          data_dir: /r/n1/raft
          insecure: true
        bootstrap:
          dcs:
            ttl: 8
            loop_wait: 2
            retry_timeout: 3
            maximum_lag_on_failover: 500
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
            - host replication replicator 10.0.0.0/8 md5
        postgresql:
          listen: 10.77.0.2:5432
          connect_address: 10.77.0.2:5432
          data_dir: /r/n1/data
          bin_dir: /usr/lib/postgresql/15/bin
          pgpass: /r/n1/pgpass
          authentication:
            superuser:
              username: postgres
              password: su
            replication:
              username: replicator
              password: re
          parameters:
            shared_buffers: 16MB
        """);
  }

  @Test
  void aMissingSettingIsNamed() {
    assertThatThrownBy(() -> new NodeYaml().scope("s", "/service/").render())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("name(...) was not set");
  }
}
