package io.pgquorum.jepsen.dcs;

import io.pgquorum.dcs.planted.PlantedBugs;
import io.pgquorum.dcs.ratis.DcsClientConfig;
import io.pgquorum.dcs.ratis.LeaseRefreshMode;
import io.pgquorum.dcs.ratis.PeerAddress;
import io.pgquorum.dcs.ratis.RatisDcsClient;
import io.pgquorum.jepsen.fault.Component;
import io.pgquorum.jepsen.fault.FaultTarget;
import io.pgquorum.jepsen.fault.Link;
import io.pgquorum.testkit.FreePorts;
import io.pgquorum.testkit.net.LinkProxies;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * A DCS-level cluster for fault injection: N raft-dcs members, each in its own JVM ({@link DcsMemberMain} says
 * why), talking to each other only through per-link loopback proxies ({@link LinkProxies}, service octet
 * {@value #SERVICE_OCTET}).
 *
 * <p>Layout: node {@code i} (0-based) is the member {@code node<i+1>}, listening on {@code 127.0.0.1:<port i>}; its
 * JVM resolves every other member's host name {@code node<j+1>} to the link address {@code 127.1.<i+1>.<j+1>}, where
 * the proxy for link i→j listens and forwards to {@code 127.0.0.1:<port j>}. Cutting, delaying or losing traffic on
 * a link therefore affects exactly that direction's connections.
 *
 * <p>The harness is Jepsen's control node: {@link #client} connects straight to {@code 127.0.0.1:<port>} of every
 * member, bypassing the proxies, so partitions never cut the harness off; a client call fails only when the
 * members it reaches cannot form a working majority (or are dead or paused). That is the question a
 * linearizability test asks: what do clients observe while the members are partitioned from each other.
 *
 * <p>Faults ({@link #supports}): every partition shape (as link cuts), kill -9 / restart and SIGSTOP / SIGCONT of
 * {@link Component#DCS_MEMBER}, clock-rate skew (the member restarts under libfaketime), packet loss and delay on
 * every member-to-member link. A restart keeps the member's port and data dir, so it recovers its log and rejoins.
 *
 * <p>Planted bugs ({@link #start(int, Path, PlantedBugs)}, harness only): every member JVM gets
 * {@value PlantedBugs#VARIABLE} with the harness opt-in (so {@link DcsMemberMain} plants them in its server), every
 * member log line starts with {@code [PLANTED BUG ...]}, and the harness's own clients carry them too (the Ratis
 * client is part of the DCS under test; the {@code stale-read} hook sits in it).
 */
public final class DcsTestbed implements FaultTarget, AutoCloseable {
  /** Second octet of the link-proxy addresses of DCS peer traffic. */
  public static final int SERVICE_OCTET = 1;
  private static final Duration CLIENT_OPERATION_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration CLIENT_REQUEST_TIMEOUT = Duration.ofSeconds(1);

  private final String group;
  private final Path dir;
  private final int[] ports;
  private final List<MemberProcess> members = new ArrayList<>();
  private final LinkProxies proxies = new LinkProxies(SERVICE_OCTET);
  private final List<RatisDcsClient> clients = new CopyOnWriteArrayList<>();
  private final PlantedBugs bugs;
  private final LeaseRefreshMode leaseRefresh;
  /** Counts clients, to give each its local member in turn. */
  private final AtomicInteger clientCount = new AtomicInteger();
  private volatile boolean keepFiles = Boolean.getBoolean("jepsen.keep");

  private DcsTestbed(String group, Path dir, int[] ports, PlantedBugs bugs, LeaseRefreshMode leaseRefresh) {
    this.group = group;
    this.dir = dir;
    this.ports = ports;
    this.bugs = bugs;
    this.leaseRefresh = leaseRefresh;
  }

  /**
   * Starts {@code size} members under {@code dir} (one sub-directory per member with its data dir, hosts file,
   * status file and {@code member.log}) and returns once every member serves; a leader may not be elected yet
   * ({@link #awaitLeader}).
   */
  public static DcsTestbed start(int size, Path dir) {
    return start(size, dir, PlantedBugs.NONE);
  }

  /** As {@link #start(int, Path)}, with {@code bugs} planted in every member and every harness client. */
  public static DcsTestbed start(int size, Path dir, PlantedBugs bugs) {
    return start(size, dir, bugs, LeaseRefreshMode.DURABLE);
  }

  /** As {@link #start(int, Path, PlantedBugs)}, with every member and harness client in {@code leaseRefresh} mode. */
  public static DcsTestbed start(int size, Path dir, PlantedBugs bugs, LeaseRefreshMode leaseRefresh) {
    if (size < 1 || size > 9) {
      throw new IllegalArgumentException("size must be 1..9 members, got " + size);
    }
    int[] ports = IntStream.range(0, size).map(i -> FreePorts.next()).toArray();
    DcsTestbed bed = new DcsTestbed("jepsen-" + Long.toHexString(System.nanoTime()), dir, ports, bugs,
        leaseRefresh);
    try {
      bed.init();
    } catch (RuntimeException e) {
      bed.close();
      throw e;
    }
    return bed;
  }

  private void init() {
    try {
      Files.createDirectories(dir);
      Path logback = dir.resolve("member-logback.xml");
      Files.writeString(logback, LOGBACK.replace("%d{HH:mm:ss.SSS}", bugs.logPrefix() + "%d{HH:mm:ss.SSS}"),
          StandardCharsets.UTF_8);
      Map<String, String> env = bugs.isEmpty() ? Map.of() : Map.of(PlantedBugs.VARIABLE, String.join(",", bugs.ids()),
          PlantedBugs.OPT_IN, PlantedBugs.OPT_IN_VALUE);
      for (int i = 0; i < ports.length; i++) {
        for (int j = 0; j < ports.length; j++) {
          if (i != j) {
            proxies.add(i, j, ports[j]);
          }
        }
      }
      for (int i = 0; i < ports.length; i++) {
        Path home = dir.resolve(name(i));
        Files.createDirectories(home);
        Path hosts = home.resolve("hosts");
        Files.writeString(hosts, proxies.hostsFile(i, ports.length, DcsTestbed::name), StandardCharsets.UTF_8);
        List<String> partners = new ArrayList<>();
        for (int j = 0; j < ports.length; j++) {
          if (j != i) {
            partners.add(name(j) + "@" + name(j) + ":" + ports[j]);
          }
        }
        List<String> args = List.of(name(i), group, name(i) + ":" + ports[i], String.join(",", partners),
            home.resolve("data").toString(), "--bind=127.0.0.1:" + ports[i],
            "--status=" + home.resolve("status"), "--exit-with=" + ProcessHandle.current().pid(),
            "--lease-refresh=" + leaseRefresh.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        members.add(new MemberProcess(name(i), MemberProcess.javaCommand(hosts, logback, args),
            home.resolve("member.log"), home.resolve("status"), env));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the DCS testbed in " + dir, e);
    }
    // Launch all, then wait: JVM start-up dominates, and the members find each other in any order.
    members.forEach(m -> m.launch(1.0));
    members.forEach(MemberProcess::awaitReady);
  }

  /**
   * Member name of node {@code i}: {@code node1, node2, ...} (as in nemesis events) (also its host name and Raft peer
   * id).
   */
  public static String name(int node) {
    return "node" + (node + 1);
  }

  public String group() {
    return group;
  }

  public int port(int node) {
    check(node);
    return ports[node];
  }

  /** The member's log (stdout and stderr of every start, appended). */
  public Path logFile(int node) {
    check(node);
    return members.get(node).logFile();
  }

  public long pid(int node) {
    check(node);
    return members.get(node).pid();
  }

  public boolean isRunning(int node) {
    check(node);
    return members.get(node).alive();
  }

  public boolean isPaused(int node) {
    check(node);
    return members.get(node).paused();
  }

  /** Whether node's last fresh status says it is the Raft leader (a paused or dead member never is). */
  public boolean claimsLeadership(int node) {
    check(node);
    return members.get(node).claimsLeadership();
  }

  /** The last Raft index node applied, from its status file; -1 when unknown (not started, paused, dead). */
  public long appliedIndex(int node) {
    check(node);
    return members.get(node).appliedIndex();
  }

  /** Files stay on disk after {@link #close} (also with {@code -Djepsen.keep=true}), for post-mortems. */
  public DcsTestbed keepFiles(boolean keep) {
    this.keepFiles = keep;
    return this;
  }

  /** The bugs planted in this testbed's members and clients ({@link PlantedBugs#NONE} normally). */
  public PlantedBugs plantedBugs() {
    return bugs;
  }

  /**
   * A client of the group for the harness, owning leases as {@code ownerId}, with a 2 s operation timeout. It
   * reaches every member directly (not through the link proxies; see the class comment). Clients get their local
   * member (the one answering {@code readLocal}, as a coordinator's co-located member would) in turn: the k-th
   * client created has node {@code k mod size}. Closed with the testbed.
   */
  public RatisDcsClient client(String ownerId) {
    return client(ownerId, CLIENT_OPERATION_TIMEOUT);
  }

  /** As {@link #client(String)} with a chosen operation timeout. */
  public RatisDcsClient client(String ownerId, Duration operationTimeout) {
    List<PeerAddress> direct = new ArrayList<>();
    for (int i = 0; i < ports.length; i++) {
      // Same peer ids as the members use, so that leader hints from the members map onto these addresses.
      direct.add(new PeerAddress(name(i), "127.0.0.1", ports[i]));
    }
    RatisDcsClient c = RatisDcsClient.connect(DcsClientConfig.builder()
        .groupName(group)
        .members(direct)
        .localMember(direct.get(Math.floorMod(clientCount.getAndIncrement(), ports.length)))
        .plantedBugs(bugs)
        .leaseRefresh(leaseRefresh)
        .operationTimeout(operationTimeout)
        .requestTimeout(CLIENT_REQUEST_TIMEOUT.compareTo(operationTimeout) < 0 ? CLIENT_REQUEST_TIMEOUT
            : operationTimeout.dividedBy(2))
        .build(), ownerId);
    clients.add(c);
    return c;
  }

  /** Waits until exactly one member claims leadership and returns it. */
  public int awaitLeader(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      int p = primary();
      if (p >= 0) {
        return p;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no single DCS leader within " + timeout.toMillis() + " ms (claims: "
            + IntStream.range(0, size()).filter(this::claimsLeadership).boxed().toList() + ")");
      }
      try {
        Thread.sleep(20); // polling the members' status files
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for a DCS leader", e);
      }
    }
  }

  // ---- FaultTarget ----

  @Override
  public int size() {
    return ports.length;
  }

  @Override
  public boolean canKill(Component component) {
    return component == Component.DCS_MEMBER;
  }

  @Override
  public boolean canPause(Component component) {
    return component == Component.DCS_MEMBER;
  }

  @Override
  public boolean canSkewClocks() {
    return true;
  }

  @Override
  public boolean canDropPackets() {
    return true;
  }

  @Override
  public boolean canDelay() {
    return true;
  }

  /**
   * The member whose fresh status says it leads, or -1 when none or several do (after a partition the old leader
   * may still believe it leads for about an election timeout after the new one took over). Reads status files
   * only; never blocks on a member.
   */
  @Override
  public int primary() {
    int found = -1;
    for (int i = 0; i < ports.length; i++) {
      if (members.get(i).claimsLeadership()) {
        if (found >= 0) {
          return -1;
        }
        found = i;
      }
    }
    return found;
  }

  @Override
  public void cut(Set<Link> links) {
    links.forEach(this::check);
    links.forEach(l -> proxies.cut(l.from(), l.to()));
  }

  @Override
  public void restore(Set<Link> links) {
    links.forEach(this::check);
    links.forEach(l -> proxies.restore(l.from(), l.to()));
  }

  /** The directed links that are cut right now. */
  public Set<Link> cutLinks() {
    Set<Link> out = new HashSet<>();
    for (int i = 0; i < ports.length; i++) {
      for (int j = 0; j < ports.length; j++) {
        if (i != j && proxies.isCut(i, j)) {
          out.add(new Link(i, j));
        }
      }
    }
    return out;
  }

  @Override
  public void kill(int node, Component component) {
    member(node, component, "kill").kill();
  }

  /** Starts the member again (same port, data dir and clock rate), killing it first if it still runs. */
  @Override
  public void restart(int node, Component component) {
    MemberProcess m = member(node, component, "restart");
    m.kill();
    m.launch(m.clockRate());
    m.awaitReady();
  }

  @Override
  public void pause(int node, Component component) {
    MemberProcess m = member(node, component, "pause");
    // Generated schedules may overlap a pause and a kill of the same member (seed 4242: the leader paused at 6.2 s
    // for 3.4 s, the same member killed at 8.0 s): a dead member has nothing to pause or resume, and the kill's
    // own restart brings it back running. As the stack target does (StackFaults).
    if (m.alive() && !m.paused()) {
      m.pause();
    }
  }

  @Override
  public void resume(int node, Component component) {
    MemberProcess m = member(node, component, "resume");
    if (m.paused() && m.alive()) {
      m.resume();
    }
  }

  /**
   * Restarts the member with its clocks (wall and monotonic) running at {@code rate} through libfaketime, or
   * without libfaketime for 1.0. The restart is part of the fault: a running JVM cannot change its clock rate.
   */
  @Override
  public void clockRate(int node, double rate) {
    check(node);
    if (!(rate > 0 && rate <= 100)) {
      throw new IllegalArgumentException("clock rate must be in (0, 100], got " + rate);
    }
    if (rate != 1.0 && !Files.isReadable(Path.of(MemberProcess.LIBFAKETIME))) {
      throw new IllegalStateException("clock-rate skew needs libfaketime at " + MemberProcess.LIBFAKETIME
          + " (Debian package libfaketime)");
    }
    MemberProcess m = members.get(node);
    m.kill();
    m.launch(rate);
    m.awaitReady();
  }

  /** The clock rate node runs at (1.0 unless {@link #clockRate(int, double)} changed it). */
  public double clockRateOf(int node) {
    check(node);
    return members.get(node).clockRate();
  }

  @Override
  public void packetLoss(double probability) {
    proxies.loss(probability);
  }

  @Override
  public void delay(int millis) {
    if (millis < 0) {
      throw new IllegalArgumentException("delay must be >= 0 ms, got " + millis);
    }
    proxies.delay(millis);
  }

  /** Kills every member by PID, closes clients and proxies, and deletes the files unless kept. */
  @Override
  public void close() {
    clients.forEach(RatisDcsClient::close);
    clients.clear();
    RuntimeException failure = null;
    for (MemberProcess m : members) {
      try {
        m.kill();
      } catch (RuntimeException e) {
        failure = e;
      }
    }
    proxies.close();
    if (!keepFiles) {
      deleteOwnFiles();
    }
    if (failure != null) {
      throw failure;
    }
  }

  private void deleteOwnFiles() {
    List<Path> own = new ArrayList<>();
    own.add(dir.resolve("member-logback.xml"));
    for (int i = 0; i < ports.length; i++) {
      own.add(dir.resolve(name(i)));
    }
    for (Path p : own) {
      if (!Files.exists(p)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(p)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      } catch (IOException e) {
        // best effort: the caller's directory is temporary
      }
    }
  }

  private MemberProcess member(int node, Component component, String what) {
    check(node);
    if (component != Component.DCS_MEMBER) {
      throw new UnsupportedOperationException("the DCS testbed cannot " + what + " " + component
          + " (it runs DCS members only; use DCS_MEMBER)");
    }
    return members.get(node);
  }

  private void check(int node) {
    if (node < 0 || node >= ports.length) {
      throw new IllegalArgumentException("node " + node + " is outside 0.." + (ports.length - 1));
    }
  }

  private void check(Link l) {
    check(l.from());
    check(l.to());
    if (l.from() == l.to()) {
      throw new IllegalArgumentException("link " + l + " connects a node to itself");
    }
  }


  /** Member JVM logging: Ratis quiet except role changes, which explain a run's history. */
  private static final String LOGBACK = """
      <configuration>
        <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
          <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{24} - %msg%n</pattern></encoder>
        </appender>
        <include resource="io/pgquorum/dcs/logback-ratis-quiet.xml"/>
        <logger name="org.apache.ratis.server.RaftServer$Division" level="INFO"/>
        <root level="INFO"><appender-ref ref="OUT"/></root>
      </configuration>
      """;
}
