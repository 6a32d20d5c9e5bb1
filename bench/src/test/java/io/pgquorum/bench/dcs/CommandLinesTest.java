package io.pgquorum.bench.dcs;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.dcs.ratis.PeerAddress;
import io.pgquorum.testkit.FreePorts;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommandLinesTest {

  @Test
  void etcdMemberListensOnLoopbackOnlyAndJoinsTheNewCluster() {
    List<String> cmd = EtcdCluster.memberCommand(Path.of("/usr/bin/etcd"), "etcd2", 40001, 40002,
        "etcd1=http://127.0.0.1:40000,etcd2=http://127.0.0.1:40002", Path.of("/tmp/x/data"), "tok");

    assertThat(cmd.get(0)).isEqualTo("/usr/bin/etcd");
    assertThat(String.join(" ", cmd))
        .contains("--name etcd2")
        .contains("--data-dir /tmp/x/data")
        .contains("--listen-client-urls http://127.0.0.1:40001")
        .contains("--advertise-client-urls http://127.0.0.1:40001")
        .contains("--listen-peer-urls http://127.0.0.1:40002")
        .contains("--initial-advertise-peer-urls http://127.0.0.1:40002")
        .contains("--initial-cluster etcd1=http://127.0.0.1:40000,etcd2=http://127.0.0.1:40002")
        .contains("--initial-cluster-state new")
        .contains("--initial-cluster-token tok")
        // Durable like pgquorum: nothing that would skip the WAL fsync.
        .doesNotContain("unsafe");
  }

  @Test
  void pgquorumMemberRunsDcsMemberMainWithTheGivenJvmOptionsAndDirectPartners() {
    List<PeerAddress> members = List.of(new PeerAddress("node1", "127.0.0.1", 5001),
        new PeerAddress("node2", "127.0.0.1", 5002), new PeerAddress("node3", "127.0.0.1", 5003));

    List<String> cmd = PgQuorumDcsCluster.memberCommand("/jdk/bin/java", "a.jar:b.jar", Path.of("/d/logback.xml"),
        "grp", members, 1, Path.of("/d/node2/data"), 4242, List.of("-Xmx96m", "-XX:+UseSerialGC"));

    assertThat(cmd).startsWith("/jdk/bin/java", "-Xmx96m", "-XX:+UseSerialGC",
        "-Dlogback.configurationFile=/d/logback.xml", "-cp", "a.jar:b.jar",
        "io.pgquorum.jepsen.dcs.DcsMemberMain");
    assertThat(cmd.subList(7, cmd.size())).containsExactly("node2", "grp", "127.0.0.1:5002",
        "node1@127.0.0.1:5001,node3@127.0.0.1:5003", "/d/node2/data", "--exit-with=4242",
        "--lease-refresh=leader-local");
  }

  @Test
  void freePortsAreDistinct() {
    int[] ports = FreePorts.take(10);
    assertThat(ports).doesNotHaveDuplicates();
    assertThat(java.util.Arrays.stream(ports)).allMatch(p -> p > 0 && p < 65536);
  }
}
