package io.pgquorum.bench.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.dcs.ratis.DcsClientConfig;
import io.pgquorum.dcs.ratis.PeerAddress;
import io.pgquorum.jepsen.stack.NodeAddresses;
import java.util.List;
import org.junit.jupiter.api.Test;

class RaftLeaderKeyReaderTest {
  private static NodeAddresses node(int n, int raftPort) {
    return new NodeAddresses("node" + n + ".pgq.test:" + raftPort, "127.0.0.1:" + raftPort, "127.0.0.1:1",
        "node" + n + "-api.pgq.test:1", "127.0.0.1:2", "127.3.1.1:2", "127.0.0.1");
  }

  @Test
  void aPeerKeepsTheGroupsIdButIsDialledOnItsBindAddress() {
    PeerAddress p = RaftLeaderKeyReader.peer(node(2, 4711));
    // the id the daemons derive from raft.self_addr when none is given, so NotLeader hints name a known peer
    assertThat(p.id()).isEqualTo("node2.pgq.test:4711");
    assertThat(p.address()).isEqualTo("127.0.0.1:4711");
  }

  @Test
  void everyMemberIsListedWithTheContactMemberFirst() {
    List<NodeAddresses> members = List.of(node(1, 1001), node(2, 1002), node(3, 1003));
    DcsClientConfig c = RaftLeaderKeyReader.config("jepsen", members, 1);
    assertThat(c.groupName()).isEqualTo("jepsen");
    assertThat(c.members()).extracting(PeerAddress::id)
        .containsExactly("node2.pgq.test:1002", "node1.pgq.test:1001", "node3.pgq.test:1003");
    assertThat(c.members()).extracting(PeerAddress::host).containsOnly("127.0.0.1");
    assertThat(c.operationTimeout()).isEqualTo(RaftLeaderKeyReader.READ_TIMEOUT);
  }
}
