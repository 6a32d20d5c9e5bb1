package io.pgquorum.dcs.ratis;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgquorum.dcs.api.DcsConfigException;
import io.pgquorum.testkit.FreePorts;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Misconfigurations fail at start with an error that names the offending setting. */
class ConfigErrorsTest {

  private static DcsServerConfig.Builder valid(Path dataDir) {
    return DcsServerConfig.builder().groupName("g").selfAddr("127.0.0.1:" + FreePorts.next())
        .partnerAddrs(List.of("127.0.0.1:1", "127.0.0.1:2")).dataDir(dataDir);
  }

  @Test
  void aPeerListContainingThisMemberNamesTheEntry(@TempDir Path dir) {
    assertThatThrownBy(() -> DcsServerConfig.builder().groupName("g").selfAddr("127.0.0.1:7001")
        .partnerAddrs(List.of("127.0.0.1:7002", "127.0.0.1:7001")).dataDir(dir).build())
        .isInstanceOf(DcsConfigException.class)
        .hasMessageContaining("raft.partner_addrs[1]").hasMessageContaining("is this member itself");
  }

  @Test
  void malformedAndDuplicatePeerAddressesNameTheKey(@TempDir Path dir) {
    assertThatThrownBy(() -> valid(dir).partnerAddrs(List.of("127.0.0.1:7002", "localhost")).build())
        .hasMessageContaining("raft.partner_addrs[1]").hasMessageContaining("host:port");
    assertThatThrownBy(() -> valid(dir).partnerAddrs(List.of("127.0.0.1:99999")).build())
        .hasMessageContaining("raft.partner_addrs[0]").hasMessageContaining("1..65535");
    assertThatThrownBy(() -> valid(dir).partnerAddrs(List.of("127.0.0.1:7002", "127.0.0.1:7002")).build())
        .hasMessageContaining("raft.partner_addrs[1]").hasMessageContaining("more than once");
    assertThatThrownBy(() -> valid(dir).selfAddr("").build()).hasMessageContaining("raft.self_addr");
    assertThatThrownBy(() -> valid(dir).dataDir(null).build()).hasMessageContaining("raft.data_dir");
  }

  @Test
  void anUnbindableBindAddressIsNamed(@TempDir Path dir) throws Exception {
    // 192.0.2.1 is TEST-NET-1 (RFC 5737): never assigned to this host, and no packet is sent to it. Not
    // loopback, so plaintext needs raft.insecure before the bind is even tried (see PlaintextGuardTest).
    assertThatThrownBy(() -> DcsServer.start(valid(dir).bindAddr("192.0.2.1:" + FreePorts.next()).insecure(true)
        .build()))
        .isInstanceOf(DcsConfigException.class).hasMessageContaining("raft.bind_addr 192.0.2.1");
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      assertThatThrownBy(() -> DcsServer.start(valid(dir.resolve("b")).selfAddr("127.0.0.1:" + port).build()))
          .isInstanceOf(DcsConfigException.class).hasMessageContaining("raft.bind_addr 127.0.0.1:" + port);
    }
  }

  @Test
  void aDataDirOfAnotherMemberOrGroupIsRefused(@TempDir Path dir) {
    Path data = dir.resolve("data");
    DcsServer first = DcsServer.start(valid(data).partnerAddrs(List.of()).build()); // alone: founds at once
    String firstId = first.memberId();
    first.close();
    assertThatThrownBy(() -> DcsServer.start(valid(data).build()))
        .isInstanceOf(DcsConfigException.class)
        .hasMessageContaining("raft.data_dir").hasMessageContaining("belongs to member '" + firstId + "'");
    assertThatThrownBy(() -> DcsServer.start(valid(data).groupName("other").selfAddr(firstId).build()))
        .hasMessageContaining("of group 'g'");
  }
}
