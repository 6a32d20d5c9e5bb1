package io.pgquorum.dcs.testing;

import static org.awaitility.Awaitility.await;

import io.pgquorum.dcs.planted.PlantedBugs;
import io.pgquorum.dcs.ratis.DcsClientConfig;
import io.pgquorum.dcs.ratis.DcsServer;
import io.pgquorum.dcs.ratis.DcsServerConfig;
import io.pgquorum.dcs.ratis.DcsTuning;
import io.pgquorum.dcs.ratis.PeerAddress;
import io.pgquorum.dcs.ratis.RatisDcsClient;
import io.pgquorum.dcs.ratis.TlsFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A real Ratis group of N members in this JVM, each on its own loopback port with its own data dir.
 * Members can be stopped and restarted (same port, same dir) to exercise recovery.
 */
public final class RatisTestCluster implements AutoCloseable {
  private final String group;
  private final Path root;
  private final DcsTuning tuning;
  private final Function<String, TlsFiles> tlsFor;
  private final Map<String, PeerAddress> addresses = new LinkedHashMap<>();
  private final Map<String, DcsServer> running = new LinkedHashMap<>();
  private final List<RatisDcsClient> clients = new ArrayList<>();

  private RatisTestCluster(String group, Path root, DcsTuning tuning, Function<String, TlsFiles> tlsFor) {
    this.group = group;
    this.root = root;
    this.tuning = tuning;
    this.tlsFor = tlsFor;
  }

  public static RatisTestCluster start(int size) {
    return start(size, DcsTuning.defaults(), name -> null);
  }

  /** A group with a chosen name (tools that find the group by a cluster's scope, such as pgctl). */
  public static RatisTestCluster start(String group, int size) {
    return start(group, size, DcsTuning.defaults(), name -> null);
  }

  public static RatisTestCluster start(int size, DcsTuning tuning, Function<String, TlsFiles> tlsFor) {
    return start("test-" + System.nanoTime(), size, tuning, tlsFor);
  }

  private static RatisTestCluster start(String group, int size, DcsTuning tuning,
      Function<String, TlsFiles> tlsFor) {
    try {
      RatisTestCluster c = new RatisTestCluster(group, Files.createTempDirectory("dcs-"), tuning, tlsFor);
      for (int i = 1; i <= size; i++) {
        String name = "m" + i;
        c.addresses.put(name, new PeerAddress(name, "127.0.0.1", FreePorts.next()));
      }
      c.addresses.keySet().forEach(c::startMember);
      return c;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String group() {
    return group;
  }

  public Path dataDir(String name) {
    return root.resolve(name);
  }

  /** (Re)starts a member of the initial configuration with its own port and dir. */
  public DcsServer startMember(String name) {
    return startMember(name, PlantedBugs.NONE);
  }

  /** (Re)starts a member with planted bugs (tests of the planted-bug hooks only). */
  public DcsServer startMember(String name, PlantedBugs bugs) {
    PeerAddress self = addresses.get(name);
    List<String> partners = addresses.values().stream().filter(p -> !p.id().equals(name))
        .map(PeerAddress::toString).toList();
    DcsServer server = DcsServer.start(DcsServerConfig.builder()
        .groupName(group).selfAddr(self.toString()).partnerAddrs(partners)
        .dataDir(dataDir(name)).tuning(tuning).tls(tlsFor.apply(name)).plantedBugs(bugs).build());
    running.put(name, server);
    return server;
  }

  /** Starts a new, empty member that waits to be added with addMember. */
  public DcsServer startJoiningMember(String name) {
    PeerAddress self = new PeerAddress(name, "127.0.0.1", FreePorts.next());
    addresses.put(name, self);
    DcsServer server = DcsServer.start(DcsServerConfig.builder()
        .groupName(group).selfAddr(self.toString()).joining(true)
        .dataDir(dataDir(name)).tuning(tuning).tls(tlsFor.apply(name)).build());
    running.put(name, server);
    return server;
  }

  public PeerAddress address(String name) {
    return addresses.get(name);
  }

  public void stopMember(String name) {
    DcsServer server = running.remove(name);
    if (server != null) {
      server.close();
    }
  }

  public DcsServer member(String name) {
    return running.get(name);
  }

  public List<String> runningMembers() {
    return List.copyOf(running.keySet());
  }

  /** Waits until exactly one running member says it leads, and returns its name. */
  public String awaitLeader(Duration timeout) {
    String[] leader = new String[1];
    await().atMost(timeout).pollInterval(Duration.ofMillis(20)).until(() -> {
      List<String> leaders = running.entrySet().stream().filter(e -> e.getValue().isLeader())
          .map(Map.Entry::getKey).toList();
      leader[0] = leaders.size() == 1 ? leaders.get(0) : null;
      return leader[0] != null;
    });
    return leader[0];
  }

  public Optional<String> currentLeader() {
    return running.entrySet().stream().filter(e -> e.getValue().isLeader()).map(Map.Entry::getKey).findFirst();
  }

  /** A client that knows every member of the initial configuration; closed with the cluster. */
  public RatisDcsClient client(String owner) {
    return client(owner, addresses.keySet().iterator().next(), Duration.ofSeconds(5));
  }

  public RatisDcsClient client(String owner, String localMember, Duration operationTimeout) {
    RatisDcsClient client = RatisDcsClient.connect(DcsClientConfig.builder()
        .groupName(group)
        .members(List.copyOf(addresses.values()))
        .localMember(addresses.get(localMember))
        .tls(tlsFor.apply(localMember))
        .operationTimeout(operationTimeout)
        .build(), owner);
    clients.add(client);
    return client;
  }

  @Override
  public void close() {
    clients.forEach(RatisDcsClient::close);
    new ArrayList<>(running.keySet()).forEach(this::stopMember);
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: temp dir
    }
  }
}
