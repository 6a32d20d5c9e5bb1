package io.pgquorum.bench.dcs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/** Distinct free TCP ports on 127.0.0.1, chosen by the kernel (bind to port 0). */
final class FreePorts {
  private FreePorts() {}

  /**
   * {@code count} distinct ports that were free a moment ago. The sockets are closed before the ports are used,
   * so another process could take one in between; the clusters then fail to start with a message naming it.
   */
  static int[] take(int count) {
    Set<Integer> seen = new HashSet<>();
    int[] ports = new int[count];
    int i = 0;
    while (i < count) {
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        if (seen.add(s.getLocalPort())) {
          ports[i++] = s.getLocalPort();
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot find a free port on 127.0.0.1", e);
      }
    }
    return ports;
  }
}
