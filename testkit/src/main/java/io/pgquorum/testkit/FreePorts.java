package io.pgquorum.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free TCP ports on 127.0.0.1 for test clusters, the one helper every module uses.
 *
 * <p>Why not "bind to port 0 and let the kernel choose": the kernel chooses from the ephemeral range
 * ({@code net.ipv4.ip_local_port_range}, 32768-60999 by default), the same range it takes the source port of every
 * outgoing connection from. Our tests stop members and start them again on the same port, while the surviving
 * members keep reconnecting to it (gRPC retries every few milliseconds); one of those connections can be given the
 * stopped member's port as its source port, and the restart then fails with "address already in use". So ports
 * come from below the ephemeral range, where the kernel never hands out source ports, chosen at random (other test
 * JVMs on the machine pick too) and checked by binding. A port is handed out once per JVM.
 */
public final class FreePorts {
  /** Lowest port we hand out: below it live well-known and registered services (PostgreSQL 5432, 8008, ...). */
  static final int LOWEST = 10_000;
  private static final Set<Integer> HANDED_OUT = new HashSet<>();
  private static final int[] RANGE = range(ephemeralRange());

  private FreePorts() {}

  /** One port that was free a moment ago and that this JVM has not handed out before. */
  public static synchronized int next() {
    for (int attempt = 0; attempt < 1_000; attempt++) {
      int port = RANGE[0] + ThreadLocalRandom.current().nextInt(RANGE[1] - RANGE[0] + 1);
      if (!HANDED_OUT.contains(port) && bindable(port)) {
        HANDED_OUT.add(port);
        return port;
      }
    }
    throw new IllegalStateException("no free port on 127.0.0.1 between " + RANGE[0] + " and " + RANGE[1]
        + " after 1000 attempts");
  }

  /** {@code count} distinct ports (see {@link #next}). */
  public static int[] take(int count) {
    int[] ports = new int[count];
    for (int i = 0; i < count; i++) {
      ports[i] = next();
    }
    return ports;
  }

  private static boolean bindable(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The ports to choose from, given the kernel's ephemeral range {@code [low, high]}. */
  static int[] range(int[] ephemeral) {
    int low = ephemeral[0];
    int high = ephemeral[1];
    if (low - LOWEST >= 2_000) {
      return new int[] {LOWEST, low - 1};
    }
    if (65_535 - high >= 2_000) {
      return new int[] {high + 1, 65_535};
    }
    // The ephemeral range covers nearly everything: no port is safe from it; pick among all.
    return new int[] {LOWEST, 65_535};
  }

  static int[] ephemeralRange() {
    try {
      String[] parts = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
      return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
    } catch (IOException | RuntimeException e) {
      return new int[] {32_768, 60_999}; // Linux's default
    }
  }
}
