package io.pgquorum.coordinator.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-link network faults between DCS members on loopback, without root: every directed link i→j gets its own
 * TCP proxy on a distinct loopback address {@code 127.0.<i+1>.<j+1>} (same port as member j), and member i's JVM
 * resolves member j's host name to that address through its own hosts file ({@code -Djdk.net.hosts.file}). A
 * Ratis member cannot bind the source address of its outgoing connections, so this is how "i cannot reach j" is
 * told apart from "k cannot reach j" here. Cutting a link closes its listener and every open connection through
 * it; healing reopens the listener.
 */
final class LinkProxies implements AutoCloseable {
  private final Map<String, Link> links = new ConcurrentHashMap<>();

  /** The address member {@code from} uses to reach member {@code to}. */
  static String linkAddress(int from, int to) {
    return "127.0." + (from + 1) + "." + (to + 1);
  }

  /** Starts a proxy for the link from→to, forwarding to 127.0.0.1:port. */
  void add(int from, int to, int port) throws IOException {
    Link link = new Link(linkAddress(from, to), port);
    link.open();
    links.put(from + ">" + to, link);
  }

  /** Cuts every link to and from {@code node}: it can neither reach nor be reached by any other member. */
  void isolate(int node) {
    links.forEach((k, l) -> {
      String[] p = k.split(">");
      if (Integer.parseInt(p[0]) == node || Integer.parseInt(p[1]) == node) {
        l.cut();
      }
    });
  }

  /** Heals every link. */
  void healAll() throws IOException {
    for (Link l : links.values()) {
      l.open();
    }
  }

  @Override
  public void close() {
    links.values().forEach(Link::cut);
  }

  private static final class Link {
    private final String address;
    private final int port;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private ServerSocket server;

    Link(String address, int port) {
      this.address = address;
      this.port = port;
    }

    synchronized void open() throws IOException {
      if (server != null) {
        return;
      }
      ServerSocket s = new ServerSocket();
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getByName(address), port));
      server = s;
      Thread t = new Thread(() -> accept(s), "link-" + address + ":" + port);
      t.setDaemon(true);
      t.start();
    }

    synchronized void cut() {
      if (server != null) {
        closeQuietly(server);
        server = null;
      }
      List<Socket> all = new ArrayList<>(open);
      open.clear();
      all.forEach(Link::closeQuietly);
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
          open.add(in);
          open.add(out);
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
            os.write(buf, 0, n);
            os.flush();
          }
        } catch (IOException e) {
          // connection ended or was cut
        } finally {
          closeQuietly(from);
          closeQuietly(to);
          open.remove(from);
          open.remove(to);
        }
      }, "pump");
      t.setDaemon(true);
      t.start();
    }

    private static void closeQuietly(AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        // nothing to do
      }
    }
  }
}
