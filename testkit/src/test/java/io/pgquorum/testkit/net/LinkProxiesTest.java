package io.pgquorum.testkit.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgquorum.testkit.FreePorts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxies on real loopback sockets: three "nodes", each an echo server, linked through per-link proxies. */
class LinkProxiesTest {
  private static final int SERVICE = 9;
  private final List<EchoServer> servers = new ArrayList<>();
  private final List<Socket> clients = new ArrayList<>();
  private LinkProxies proxies;

  @BeforeEach
  void setUp() throws IOException {
    proxies = new LinkProxies(SERVICE);
    for (int i = 0; i < 3; i++) {
      servers.add(new EchoServer(FreePorts.next()));
    }
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        if (i != j) {
          proxies.add(i, j, servers.get(j).port());
        }
      }
    }
  }

  @AfterEach
  void tearDown() throws IOException {
    proxies.close();
    for (Socket s : clients) {
      s.close();
    }
    for (EchoServer s : servers) {
      s.close();
    }
  }

  @Test
  void addressesAndHostsFileFollowTheServiceOctetScheme() {
    assertThat(proxies.address(0, 2)).isEqualTo("127.9.1.3");
    assertThat(new LinkProxies(0).address(1, 0)).isEqualTo("127.0.2.1");
    assertThat(proxies.hostsFile(1, 3, i -> "node" + (i + 1) + ".test")).isEqualTo("""
        127.0.0.1 localhost
        127.9.2.1 node1.test
        127.0.0.1 node2.test
        127.9.2.3 node3.test
        """);
    assertThatThrownBy(() -> new LinkProxies(255)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new LinkProxies(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> proxies.loss(1.5)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void forwardsBothWaysToTheTargetPort() throws IOException {
    Socket s = connect(0, 1);
    assertThat(echo(s, "hello")).isEqualTo("hello");
    assertThat(echo(s, "again")).isEqualTo("again");
    assertThat(servers.get(1).accepted()).isEqualTo(1);
    assertThat(servers.get(2).accepted()).isZero();
  }

  @Test
  void aCutClosesOpenConnectionsAndRefusesNewOnesUntilRestored() throws IOException {
    Socket open = connect(0, 1);
    Socket other = connect(1, 0);
    assertThat(echo(open, "before")).isEqualTo("before");

    proxies.cut(0, 1);
    assertThat(proxies.isCut(0, 1)).isTrue();
    assertThat(proxies.isCut(1, 0)).as("the other direction").isFalse();
    assertThat(closedByPeer(open)).as("the open connection through the cut link ends").isTrue();
    assertThat(cannotReach(0, 1)).as("a new connection over the cut link").isTrue();
    assertThat(echo(other, "still")).as("the reverse link is untouched").isEqualTo("still");

    proxies.restore(0, 1);
    assertThat(proxies.isCut(0, 1)).isFalse();
    assertThat(echo(connect(0, 1), "after")).isEqualTo("after");
  }

  @Test
  void isolateCutsEveryLinkToAndFromANodeAndHealAllRestoresThem() throws IOException {
    proxies.isolate(2);
    for (int[] l : new int[][] {{0, 2}, {2, 0}, {1, 2}, {2, 1}}) {
      assertThat(proxies.isCut(l[0], l[1])).as("%d->%d", l[0], l[1]).isTrue();
      assertThat(cannotReach(l[0], l[1])).as("new connection %d->%d", l[0], l[1]).isTrue();
    }
    assertThat(proxies.isCut(0, 1)).isFalse();
    assertThat(echo(connect(1, 0), "between the others")).isEqualTo("between the others");

    proxies.healAll();
    assertThat(echo(connect(0, 2), "healed")).isEqualTo("healed");
    assertThat(echo(connect(2, 1), "healed")).isEqualTo("healed");
    assertThat(proxies.isCut(2, 0)).isFalse();
  }

  @Test
  void aMissingLinkIsNeverCutAndCuttingItIsANoOp() {
    proxies.cut(0, 0);
    proxies.restore(5, 6);
    assertThat(proxies.isCut(0, 0)).isFalse();
  }

  @Test
  void delayHoldsEachChunk() throws IOException {
    Socket s = connect(0, 1);
    assertThat(echo(s, "warm")).isEqualTo("warm");
    proxies.delay(150);
    long start = System.nanoTime();
    assertThat(echo(s, "slow")).isEqualTo("slow");
    // Each direction waits once: the request on its way in, the echo on its way back.
    assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(300);
    proxies.delay(0);
    start = System.nanoTime();
    assertThat(echo(s, "fast")).isEqualTo("fast");
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(300);
  }

  @Test
  void closeRemovesEveryListener() throws IOException {
    Socket s = connect(0, 1);
    proxies.close();
    assertThat(closedByPeer(s)).isTrue();
    assertThat(cannotReach(0, 1)).isTrue();
  }

  private Socket connect(int from, int to) throws IOException {
    Socket s = new Socket();
    clients.add(s);
    s.connect(new InetSocketAddress(proxies.address(from, to), servers.get(to).port()), 2000);
    s.setSoTimeout(5000);
    return s;
  }

  /**
   * True when nothing gets through from→to: the connection is refused, or it is closed without forwarding a
   * byte (a connect right after the cut can still complete its handshake while the listener's accept thread is
   * being woken from the kernel; seen here under load).
   */
  private boolean cannotReach(int from, int to) throws IOException {
    Socket s;
    try {
      s = connect(from, to);
    } catch (ConnectException e) {
      return true;
    }
    try {
      s.getOutputStream().write('x');
      s.getOutputStream().flush();
    } catch (IOException e) {
      return true;
    }
    return closedByPeer(s);
  }

  private static String echo(Socket s, String text) throws IOException {
    byte[] out = text.getBytes(StandardCharsets.UTF_8);
    s.getOutputStream().write(out);
    s.getOutputStream().flush();
    byte[] in = s.getInputStream().readNBytes(out.length);
    return new String(in, StandardCharsets.UTF_8);
  }

  /** True when the peer closed (or reset) the connection: a read ends instead of timing out. */
  private static boolean closedByPeer(Socket s) {
    try {
      return s.getInputStream().read() < 0;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }

  /** Echoes every connection's bytes back; counts connections. */
  private static final class EchoServer implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> accepted = new ArrayList<>();

    EchoServer(int port) throws IOException {
      server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
      Thread t = new Thread(this::serve, "echo-" + port);
      t.setDaemon(true);
      t.start();
    }

    int port() {
      return server.getLocalPort();
    }

    synchronized int accepted() {
      return accepted.size();
    }

    private void serve() {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          synchronized (this) {
            accepted.add(s);
          }
          Thread t = new Thread(() -> {
            try (InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
              in.transferTo(out);
            } catch (IOException e) {
              // the test closed it
            }
          }, "echo-conn");
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          return;
        }
      }
    }

    @Override
    public synchronized void close() throws IOException {
      server.close();
      for (Socket s : accepted) {
        s.close();
      }
    }
  }
}
