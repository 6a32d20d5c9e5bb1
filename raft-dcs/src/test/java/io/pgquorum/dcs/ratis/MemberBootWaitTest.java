package io.pgquorum.dcs.ratis;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.testkit.FreePorts;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a member without a log waits between rounds of asking its partners ({@link MemberBoot#untilOneListens}). */
class MemberBootWaitTest {
  @Test
  void aWatchedPartnerThatListensEndsTheWait() throws Exception {
    PeerAddress refusing = new PeerAddress("m2", "127.0.0.1", FreePorts.next());
    try (ServerSocket up = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      PeerAddress listening = new PeerAddress("m3", "127.0.0.1", up.getLocalPort());
      assertThat(MemberBoot.untilOneListens(List.of(refusing, listening), Duration.ofSeconds(30))).isTrue();
    }
  }

  @Test
  void withNobodyListeningTheWaitEndsAtItsBound() {
    PeerAddress refusing = new PeerAddress("m2", "127.0.0.1", FreePorts.next());
    assertThat(MemberBoot.untilOneListens(List.of(refusing), Duration.ofMillis(200))).isFalse();
  }

  @Test
  void withNoPartnerToWatchItIsAPlainPause() {
    assertThat(MemberBoot.untilOneListens(List.of(), Duration.ofMillis(100))).isFalse();
  }
}
