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
import io.pgquorum.testkit.FreePorts;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A real Ratis group of N members in this JVM, each on its own loopback port with its own data dir.
 * Members can be stopped and restarted (same port, same dir) to exercise recovery, wiped (a lost disk), and
 * joined as new members.
 */
public final class RatisTestCluster implements AutoCloseable {
  private final String group;
  private final Path root;
  private final DcsTuning tuning;
  private final Function<String, TlsFiles> tlsFor;
  /** Members whose tuning differs from the group's ({@link #tuneMember}), e.g. a group mixing refresh modes. */
  private final Map<String, DcsTuning> memberTuning = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<String, PeerAddress> addresses = new LinkedHashMap<>();
  private final Map<String, DcsServer> running = new LinkedHashMap<>();
  private final List<RatisDcsClient> clients = new ArrayList<>();
  /** Runs starts that may block (a member without a log waits for its partners before it runs). */
  private final ExecutorService starters = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "test-member-start");
    t.setDaemon(true);
    return t;
  });

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
    RatisTestCluster c = create(group, size, tuning, tlsFor);
    c.startConcurrently(List.copyOf(c.addresses.keySet()));
    return c;
  }

  /** Addresses and data dirs for members m1..m{size}, none started. */
  public static RatisTestCluster create(String group, int size, DcsTuning tuning,
      Function<String, TlsFiles> tlsFor) {
    try {
      RatisTestCluster c = new RatisTestCluster(group, Files.createTempDirectory("dcs-"), tuning, tlsFor);
      for (int i = 1; i <= size; i++) {
        String name = "m" + i;
        c.addresses.put(name, new PeerAddress(name, "127.0.0.1", FreePorts.next()));
      }
      return c;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts founding members at the same time and waits for all: each one's start blocks until a majority of
   * them answers, so starting them one after another would wait on itself.
   */
  public void startConcurrently(List<String> names) {
    List<CompletableFuture<DcsServer>> starts = names.stream().map(this::startMemberAsync).toList();
    for (CompletableFuture<DcsServer> f : starts) {
      try {
        f.get(60, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
      } catch (InterruptedException | TimeoutException e) {
        throw new IllegalStateException("members " + names + " did not start", e);
      }
    }
  }

  /** Starts a member of the initial configuration in the background (see {@link #startMember}). */
  public CompletableFuture<DcsServer> startMemberAsync(String name) {
    return CompletableFuture.supplyAsync(() -> startMember(name), starters);
  }

  /**
   * Starts a member with raft.join (its partners: the other members this cluster knows) in the background;
   * {@code name} may be new (it gets an address) or an existing member whose data dir was lost.
   */
  public CompletableFuture<DcsServer> joinMemberAsync(String name) {
    addresses.computeIfAbsent(name, n -> new PeerAddress(n, "127.0.0.1", FreePorts.next()));
    return CompletableFuture.supplyAsync(() -> start(name, true, PlantedBugs.NONE), starters);
  }

  /**
   * Stops a member and leaves its data dir as kill -9 would: Ratis fsyncs every entry before acknowledging it,
   * so the files of an idle member are what a crash leaves, whereas a clean close also writes a snapshot
   * (Ratis' snapshot-on-stop), which a crashed member does not have. That matters after a restart: with the log
   * metadata entry off (RatisSettings), a member that crashed knows no commit index until a leader tells it.
   * Call it while no write is in flight.
   */
  public void stopMemberAsIfKilled(String name) {
    Path dir = dataDir(name);
    Path image = root.resolve(name + ".crash-image");
    copyTree(dir, image);
    stopMember(name);
    wipe(name);
    copyTree(image, dir);
    try (Stream<Path> files = Files.walk(image)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void copyTree(Path from, Path to) {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes a stopped member's data dir, as a lost disk would. */
  public void wipe(String name) {
    if (running.containsKey(name)) {
      throw new IllegalStateException("stop " + name + " before wiping its data dir");
    }
    // Files.delete, not File.delete: a file that cannot be deleted must fail the test here, not leave a
    // half-wiped directory that the next start mistakes for a member with a log.
    try (Stream<Path> files = Files.walk(dataDir(name))) {
      for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot wipe the data dir of " + name, e);
    }
  }

  public String group() {
    return group;
  }

  public Path dataDir(String name) {
    return root.resolve(name);
  }

  /**
   * (Re)starts a member with its own port and dir; its partners are the other members this cluster knows.
   * Blocks while a member without a log waits for its partners (see DcsServer.start).
   */
  public DcsServer startMember(String name) {
    return start(name, false, PlantedBugs.NONE);
  }

  /** (Re)starts a member with planted bugs (tests of the planted-bug hooks only). */
  public DcsServer startMember(String name, PlantedBugs bugs) {
    return start(name, false, bugs);
  }

  private DcsServer start(String name, boolean join, PlantedBugs bugs) {
    List<String> partners = addresses.values().stream().filter(p -> !p.id().equals(name))
        .map(PeerAddress::toString).toList();
    DcsServer server = DcsServer.start(config(name).partnerAddrs(partners).joining(join).plantedBugs(bugs)
        .build());
    synchronized (running) {
      running.put(name, server);
    }
    return server;
  }

  /** The configuration member {@code name} starts with (partners not set). */
  public DcsServerConfig.Builder config(String name) {
    return DcsServerConfig.builder().groupName(group).selfAddr(addresses.get(name).toString())
        .dataDir(dataDir(name)).tuning(memberTuning.getOrDefault(name, tuning)).tls(tlsFor.apply(name));
  }

  /** Member {@code name}, when it next starts, runs with {@code memberTuning} instead of the group's tuning. */
  public void tuneMember(String name, DcsTuning memberTuning) {
    this.memberTuning.put(name, memberTuning);
  }

  /**
   * Starts a new, empty member with raft.join and no partners, in the background: it waits until a member of the
   * group adds it (RatisDcsClient.addMember); the future completes then.
   */
  public CompletableFuture<DcsServer> startJoiningMember(String name) {
    PeerAddress self = new PeerAddress(name, "127.0.0.1", FreePorts.next());
    addresses.put(name, self);
    return CompletableFuture.supplyAsync(() -> {
      DcsServer server = DcsServer.start(config(name).joining(true).build());
      synchronized (running) {
        running.put(name, server);
      }
      return server;
    }, starters);
  }

  public PeerAddress address(String name) {
    return addresses.get(name);
  }

  public void stopMember(String name) {
    DcsServer server;
    synchronized (running) {
      server = running.remove(name);
    }
    if (server != null) {
      server.close();
    }
  }

  public DcsServer member(String name) {
    synchronized (running) {
      return running.get(name);
    }
  }

  public List<String> runningMembers() {
    synchronized (running) {
      return List.copyOf(running.keySet());
    }
  }

  /** Waits until exactly one running member says it leads, and returns its name. */
  public String awaitLeader(Duration timeout) {
    String[] leader = new String[1];
    await().atMost(timeout).pollInterval(Duration.ofMillis(20)).until(() -> {
      List<String> leaders;
      synchronized (running) {
        leaders = running.entrySet().stream().filter(e -> e.getValue().isLeader()).map(Map.Entry::getKey).toList();
      }
      leader[0] = leaders.size() == 1 ? leaders.get(0) : null;
      return leader[0] != null;
    });
    return leader[0];
  }

  public Optional<String> currentLeader() {
    synchronized (running) {
      return running.entrySet().stream().filter(e -> e.getValue().isLeader()).map(Map.Entry::getKey).findFirst();
    }
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
        .leaseRefresh(tuning.leaseRefresh()) // the members' mode, as a member's localClient does
        .build(), owner);
    clients.add(client);
    return client;
  }

  @Override
  public void close() {
    clients.forEach(RatisDcsClient::close);
    starters.shutdownNow(); // abandons starts still waiting for their partners
    try {
      starters.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    runningMembers().forEach(this::stopMember);
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: temp dir
    }
  }
}
