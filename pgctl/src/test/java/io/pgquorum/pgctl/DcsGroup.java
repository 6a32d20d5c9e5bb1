package io.pgquorum.pgctl;

import static org.awaitility.Awaitility.await;

import io.pgquorum.dcs.ratis.DcsServer;
import io.pgquorum.dcs.ratis.DcsServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real Raft DCS group of N members in this JVM on free loopback ports, addressed the way a node
 * configuration's raft section lists them ({@code host:port}, the address doubling as the member id).
 * Adapted from raft-dcs's test cluster.
 */
final class DcsGroup implements AutoCloseable {
  private final String group;
  private final Path root;
  private final List<String> addresses = new ArrayList<>();
  private final Map<String, DcsServer> running = new LinkedHashMap<>();

  private DcsGroup(String group, Path root) {
    this.group = group;
    this.root = root;
  }

  static DcsGroup start(String group, int size) {
    DcsGroup g;
    try {
      g = new DcsGroup(group, Files.createTempDirectory("pgctl-dcs-"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (int i = 0; i < size; i++) {
      g.addresses.add("127.0.0.1:" + freePort());
    }
    try {
      g.addresses.forEach(g::startMember);
    } catch (RuntimeException e) {
      g.close();
      throw e;
    }
    return g;
  }

  private void startMember(String address) {
    List<String> partners = addresses.stream().filter(a -> !a.equals(address)).toList();
    running.put(address, DcsServer.start(DcsServerConfig.builder()
        .groupName(group).selfAddr(address).partnerAddrs(partners)
        .dataDir(root.resolve(address.replace(':', '_'))).build()));
  }

  List<String> addresses() {
    return List.copyOf(addresses);
  }

  DcsServer member(String address) {
    return running.get(address);
  }

  void stop(String address) {
    DcsServer s = running.remove(address);
    if (s != null) {
      s.close();
    }
  }

  /** Waits until exactly one running member leads, and returns its address. */
  String awaitLeader(Duration timeout) {
    String[] leader = new String[1];
    await().atMost(timeout).pollInterval(Duration.ofMillis(20)).until(() -> {
      List<String> leaders = running.entrySet().stream().filter(e -> e.getValue().isLeader())
          .map(Map.Entry::getKey).toList();
      leader[0] = leaders.size() == 1 ? leaders.get(0) : null;
      return leader[0] != null;
    });
    return leader[0];
  }

  @Override
  public void close() {
    new ArrayList<>(running.keySet()).forEach(this::stop);
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a temp dir
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
