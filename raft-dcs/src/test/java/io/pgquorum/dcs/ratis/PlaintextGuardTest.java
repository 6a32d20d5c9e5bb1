package io.pgquorum.dcs.ratis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgquorum.dcs.api.DcsConfigException;
import io.pgquorum.dcs.testing.TestPki;
import io.pgquorum.testkit.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 (hole 7): without TLS the Raft port accepts writes and membership changes from anyone who can reach
 * it. A member on a non-loopback address must have raft.tls, or the operator's explicit raft.insecure.
 */
class PlaintextGuardTest {

  private static DcsServerConfig.Builder member(Path dir) {
    return DcsServerConfig.builder().groupName("g").selfAddr("127.0.0.1:" + FreePorts.next()).dataDir(dir);
  }

  @Test
  void loopbackOnlyNeedsNothing() {
    assertThat(PlaintextGuard.whyNotLoopback("127.0.0.1")).isNull();
    assertThat(PlaintextGuard.whyNotLoopback("127.3.1.1")).isNull();
    assertThat(PlaintextGuard.whyNotLoopback("[::1]")).isNull();
    assertThat(PlaintextGuard.whyNotLoopback("localhost")).isNull();
    assertThat(PlaintextGuard.whyNotLoopback("192.0.2.1")).isEqualTo("resolves to 192.0.2.1");
    assertThat(PlaintextGuard.whyNotLoopback("0.0.0.0")).contains("wildcard");
    assertThat(PlaintextGuard.whyNotLoopback("no-such-host.invalid")).isEqualTo("does not resolve here");
  }

  @Test
  void aWildcardBindWithoutTlsRefusesToStartAndSaysHowToFixIt(@TempDir Path dir) {
    Path data = dir.resolve("raft");
    DcsServerConfig config = member(data).bindAddr("0.0.0.0:" + FreePorts.next()).build();

    assertThatThrownBy(() -> DcsServer.start(config)).isInstanceOf(DcsConfigException.class)
        .hasMessageContaining("raft.bind_addr = '0.0.0.0:")
        .hasMessageContaining("accepts writes and membership changes from anyone who can reach it")
        .hasMessageContaining("raft.tls: {certfile:")
        .hasMessageContaining("raft.insecure: true (PATRONI_RAFT_INSECURE=true)");
    assertThat(data).as("refused before anything was written").doesNotExist();
  }

  @Test
  void aNonLoopbackPartnerOrSelfAddressIsNamed(@TempDir Path dir) {
    // 192.0.2.0/24 is TEST-NET-1 (RFC 5737); the guard refuses before anything is bound or dialled.
    assertThatThrownBy(() -> DcsServer.start(member(dir).partnerAddrs(List.of("127.0.0.1:1", "192.0.2.7:5010"))
        .build()))
        .isInstanceOf(DcsConfigException.class)
        .hasMessageContaining("raft.partner_addrs[1] = '192.0.2.7:5010' (resolves to 192.0.2.7)");
    assertThatThrownBy(() -> DcsServer.start(member(dir).selfAddr("n1@192.0.2.7:5010").build()))
        .hasMessageContaining("raft.self_addr = '192.0.2.7:5010'");
  }

  @Test
  void theOperatorCanOptInOrUseTls(@TempDir Path dir) throws Exception {
    try (DcsServer insecure = DcsServer.start(member(dir.resolve("a")).bindAddr("0.0.0.0:" + FreePorts.next())
        .insecure(true).build())) {
      assertThat(insecure.currentMembers()).hasSize(1);
    }
    TestPki pki = TestPki.create(dir.resolve("pki"), "cluster");
    try (DcsServer tls = DcsServer.start(member(dir.resolve("b")).bindAddr("0.0.0.0:" + FreePorts.next())
        .tls(pki.issue("m1").tlsFiles()).build())) {
      assertThat(tls.currentMembers()).hasSize(1);
    }
    assertThat(Files.isDirectory(dir.resolve("b"))).isTrue();
  }
}
