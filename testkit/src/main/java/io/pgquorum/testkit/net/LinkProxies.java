package io.pgquorum.testkit.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntFunction;

/**
 * Per-link network faults on loopback without root. Every directed link i→j (for one service, e.g. Raft) gets its
 * own TCP proxy on the loopback address {@code 127.<service>.<i+1>.<j+1>}, listening on the same port as the
 * target and forwarding to {@code 127.0.0.1:port}. Node i's JVM resolves node j's host name to that address
 * through its own hosts file ({@code -Djdk.net.hosts.file}, see {@link #hostsFile}); a process cannot bind the
 * source address of its outgoing connections, so this is how "i cannot reach j" is told apart from "k cannot
 * reach j".
 *
 * <p>Faults:
 * <ul>
 *   <li>cut: closes the link's listener and every connection through it (new connections are refused, like a
 *       REJECT rule; a DROP would only make the peer wait for its timeout); restore reopens the listener;
 *   <li>delay: each forwarded chunk waits this long before it is written (latency per direction);
 *   <li>loss: TCP retransmits lost packets, so what a peer sees of packet loss is stalls and, rarely, a reset.
 *       With probability p per chunk the chunk is held for a retransmission timeout (200 ms, doubling while the
 *       dice keep failing, as TCP backs off), and with probability p/20 the connection is reset. Bytes are never
 *       dropped from inside a stream (that would corrupt it, which real TCP does not do).
 * </ul>
 */
public final class LinkProxies implements AutoCloseable {
  private final int service;
  private final Map<Long, Proxy> links = new ConcurrentHashMap<>();
  private volatile int delayMillis;
  private volatile double loss;

  /**
   * @param service second octet of the proxy addresses (0..254), so several services (Raft, REST, PostgreSQL)
   *     can each have their own per-link proxies on the same ports scheme
   */
  public LinkProxies(int service) {
    if (service < 0 || service > 254) {
      throw new IllegalArgumentException("service octet must be 0..254, got " + service);
    }
    this.service = service;
  }

  /** The address node {@code from} uses to reach node {@code to} for this service. */
  public String address(int from, int to) {
    return "127." + service + "." + (from + 1) + "." + (to + 1);
  }

  /** Starts the proxy for from→to, forwarding to {@code 127.0.0.1:port}; it listens on the same port. */
  public void add(int from, int to, int port) {
    Proxy p = new Proxy(address(from, to), port);
    p.open();
    links.put(key(from, to), p);
  }

  /**
   * Hosts-file lines for node {@code self}: every other node's host name mapped to its link address, itself to
   * 127.0.0.1. {@code hostName} gives node i's name.
   */
  public String hostsFile(int self, int size, IntFunction<String> hostName) {
    StringBuilder sb = new StringBuilder("127.0.0.1 localhost\n");
    for (int j = 0; j < size; j++) {
      sb.append(j == self ? "127.0.0.1" : address(self, j)).append(' ').append(hostName.apply(j)).append('\n');
    }
    return sb.toString();
  }

  /** Cuts the link from→to, if it exists. */
  public void cut(int from, int to) {
    Proxy p = links.get(key(from, to));
    if (p != null) {
      p.cut();
    }
  }

  /** Restores the link from→to, if it exists. */
  public void restore(int from, int to) {
    Proxy p = links.get(key(from, to));
    if (p != null) {
      p.open();
    }
  }

  /** Cuts every link to and from {@code node}: it can neither reach nor be reached by any other node. */
  public void isolate(int node) {
    links.forEach((k, p) -> {
      if (from(k) == node || to(k) == node) {
        p.cut();
      }
    });
  }

  /** Restores every link. */
  public void healAll() {
    links.values().forEach(Proxy::open);
  }

  /** True when the link exists and is currently cut. */
  public boolean isCut(int from, int to) {
    Proxy p = links.get(key(from, to));
    return p != null && !p.isOpen();
  }

  /** Delay added to every forwarded chunk on every link, in milliseconds (0 = none). */
  public void delay(int millis) {
    this.delayMillis = Math.max(0, millis);
  }

  /** Loss probability per forwarded chunk on every link (see the class comment for what loss means here). */
  public void loss(double probability) {
    if (probability < 0 || probability > 1) {
      throw new IllegalArgumentException("loss probability must be within 0..1, got " + probability);
    }
    this.loss = probability;
  }

  @Override
  public void close() {
    links.values().forEach(Proxy::cut);
    links.clear();
  }

  private static long key(int from, int to) {
    return ((long) from << 32) | (to & 0xffffffffL);
  }

  private static int from(long key) {
    return (int) (key >>> 32);
  }

  private static int to(long key) {
    return (int) key;
  }

  private final class Proxy {
    private final String address;
    private final int port;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private ServerSocket server;

    Proxy(String address, int port) {
      this.address = address;
      this.port = port;
    }

    synchronized boolean isOpen() {
      return server != null;
    }

    synchronized void open() {
      if (server != null) {
        return;
      }
      try {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getByName(address), port));
        server = s;
        Thread t = new Thread(() -> accept(s), "link-" + address + ":" + port);
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot listen on " + address + ":" + port, e);
      }
    }

    synchronized void cut() {
      if (server != null) {
        closeQuietly(server);
        server = null;
      }
      List<Socket> all = new ArrayList<>(open);
      open.clear();
      all.forEach(LinkProxies::closeQuietly);
    }

    private void accept(ServerSocket s) {
      while (!s.isClosed()) {
        try {
          Socket in = s.accept();
          Socket out = new Socket();
          try {
            out.connect(new InetSocketAddress("127.0.0.1", port), 2000);
          } catch (IOException e) {
            closeQuietly(in);
            continue;
          }
          in.setTcpNoDelay(true);
          out.setTcpNoDelay(true);
          synchronized (this) {
            if (server != s) { // cut while connecting: the connection must not survive the cut
              closeQuietly(in);
              closeQuietly(out);
              return;
            }
            open.add(in);
            open.add(out);
          }
          pump(in, out);
          pump(out, in);
        } catch (IOException e) {
          return; // closed by cut()
        }
      }
    }

    private void pump(Socket from, Socket to) {
      Thread t = new Thread(() -> {
        byte[] buf = new byte[16384];
        try (InputStream is = from.getInputStream(); OutputStream os = to.getOutputStream()) {
          int n;
          while ((n = is.read(buf)) >= 0) {
            impair();
            os.write(buf, 0, n);
            os.flush();
          }
        } catch (IOException | InterruptedException e) {
          // connection ended, was cut, or reset by the loss emulation
        } finally {
          closeQuietly(from);
          closeQuietly(to);
          open.remove(from);
          open.remove(to);
        }
      }, "pump-" + address);
      t.setDaemon(true);
      t.start();
    }

    /** Applies the configured delay and loss to one chunk (see the class comment). */
    private void impair() throws InterruptedException, IOException {
      int d = delayMillis;
      if (d > 0) {
        Thread.sleep(d); // the delay itself is the fault being injected
      }
      double p = loss;
      if (p > 0) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        if (r.nextDouble() < p / 20) {
          throw new IOException("connection reset by loss emulation");
        }
        long rto = 200;
        while (r.nextDouble() < p && rto <= 3200) {
          Thread.sleep(rto); // a retransmission timeout: the fault being injected
          rto *= 2;
        }
      }
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // nothing to do
    }
  }
}
