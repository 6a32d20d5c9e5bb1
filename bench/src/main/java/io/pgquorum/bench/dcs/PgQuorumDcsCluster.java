package io.pgquorum.bench.dcs;

import io.pgquorum.dcs.api.DcsException;
import io.pgquorum.dcs.ratis.DcsClientConfig;
import io.pgquorum.dcs.ratis.LeaseRefreshMode;
import io.pgquorum.dcs.ratis.PeerAddress;
import io.pgquorum.dcs.ratis.RatisDcsClient;
import io.pgquorum.jepsen.dcs.DcsMemberMain;
import io.pgquorum.testkit.FreePorts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * N pgquorum DCS members (raft-dcs over Ratis), one JVM each like etcd's one process each, talking to each other
 * directly on 127.0.0.1 (no fault-injection proxies), data directories on the same disk as etcd's. Each member
 * runs {@link DcsMemberMain}; the bench passes the JVM options bin/pgquorum ships, so the DCS is measured as a
 * node runs it.
 *
 * <p>Durability: a member forces (fdatasync) its log before it counts an entry as written, batching entries that
 * queue up meanwhile (group commit); raft-dcs's Ratis settings do not change that (see RatisSettings).
 */
public final class PgQuorumDcsCluster implements AutoCloseable {
  /** JVM options of {@link #start(int, Path)} (tests): a plain small heap. */
  static final List<String> TEST_JVM_OPTIONS = List.of("-Xmx256m", "-XX:+UseSerialGC");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final String LOGBACK = """
      <configuration>
        <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
          <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{24} - %msg%n</pattern></encoder>
        </appender>
        <include resource="io/pgquorum/dcs/logback-ratis-quiet.xml"/>
        <root level="INFO"><appender-ref ref="OUT"/></root>
      </configuration>
      """;

  private final String group;
  private final List<PeerAddress> members = new ArrayList<>();
  private final MemberProcesses processes = new MemberProcesses("pgquorum DCS");
  private final List<RatisDcsClient> clients = new ArrayList<>();

  private PgQuorumDcsCluster(String group) {
    this.group = group;
  }

  /** Starts {@code size} members under {@code dir} with {@link #TEST_JVM_OPTIONS}. */
  public static PgQuorumDcsCluster start(int size, Path dir) throws IOException {
    return start(size, dir, TEST_JVM_OPTIONS);
  }

  /**
   * Starts {@code size} members under {@code dir}, each JVM with {@code jvmOptions}, and returns once the group
   * accepts a write.
   */
  public static PgQuorumDcsCluster start(int size, Path dir, List<String> jvmOptions) throws IOException {
    int[] ports = FreePorts.take(size);
    PgQuorumDcsCluster cluster = new PgQuorumDcsCluster("bench-" + Long.toHexString(System.nanoTime()));
    try {
      Path logback = dir.resolve("member-logback.xml");
      Files.writeString(logback, LOGBACK, StandardCharsets.UTF_8);
      for (int i = 0; i < size; i++) {
        cluster.members.add(new PeerAddress(name(i), "127.0.0.1", ports[i]));
      }
      List<Path> logs = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        Path home = Files.createDirectories(dir.resolve(name(i)));
        Path log = home.resolve("member.log");
        logs.add(log);
        cluster.processes.start(memberCommand(javaExecutable(), System.getProperty("java.class.path"), logback,
            cluster.group, cluster.members, i, home.resolve("data"), ProcessHandle.current().pid(), jvmOptions),
            log);
      }
      long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
      for (int i = 0; i < size; i++) {
        cluster.awaitReady(name(i), logs.get(i), deadline);
      }
      cluster.awaitWritable(deadline);
    } catch (IOException | RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /** Member name (and Raft peer id) of member {@code i} (0-based). */
  static String name(int i) {
    return "node" + (i + 1);
  }

  /** The command line of member {@code self} (pure, for tests). */
  static List<String> memberCommand(String java, String classPath, Path logback, String group,
      List<PeerAddress> members, int self, Path dataDir, long driverPid, List<String> jvmOptions) {
    List<String> partners = new ArrayList<>();
    for (int j = 0; j < members.size(); j++) {
      if (j != self) {
        partners.add(members.get(j).toString());
      }
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.addAll(jvmOptions);
    cmd.add("-Dlogback.configurationFile=" + logback);
    cmd.add("-cp");
    cmd.add(classPath);
    cmd.add(DcsMemberMain.class.getName());
    PeerAddress me = members.get(self);
    cmd.add(me.id());
    cmd.add(group);
    cmd.add(me.address());
    cmd.add(partners.isEmpty() ? "-" : String.join(",", partners));
    cmd.add(dataDir.toString());
    // A crashed bench run must not leave members behind.
    cmd.add("--exit-with=" + driverPid);
    // Members serve leader-local refreshes (issue 15) to clients that ask; a default client still refreshes
    // through the log, so both ways are measured against the same members.
    cmd.add("--lease-refresh=leader-local");
    return cmd;
  }

  private static String javaExecutable() {
    return ProcessHandle.current().info().command()
        .orElseThrow(() -> new IllegalStateException("cannot find this JVM's java executable"));
  }

  private void awaitReady(String name, Path log, long deadline) throws IOException {
    String ready = DcsMemberMain.READY + " " + name;
    while (!Files.readString(log, StandardCharsets.UTF_8).contains(ready)) {
      processes.checkAlive();
      if (System.nanoTime() > deadline) {
        throw new IOException("pgquorum DCS member " + name + " did not start within " + START_TIMEOUT.toSeconds()
            + " s; end of " + log + ":\n" + MemberProcesses.tail(log, 15));
      }
      pause();
    }
  }

  private void awaitWritable(long deadline) throws IOException {
    RatisDcsClient probe = client("bench-start");
    while (true) {
      processes.checkAlive();
      String why;
      try {
        if (probe.put("/bench/started", "1").succeeded()) {
          return;
        }
        why = "the write was refused";
      } catch (DcsException e) {
        why = e.getMessage();
      }
      if (System.nanoTime() > deadline) {
        throw new IOException("pgquorum DCS group " + group + " accepted no write within "
            + START_TIMEOUT.toSeconds() + " s: " + why);
      }
      pause();
    }
  }

  private static void pause() throws IOException {
    try {
      Thread.sleep(100); // polling period while members start; callers hold the deadline
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for the pgquorum DCS", e);
    }
  }

  /** A client of the group owning leases as {@code ownerId}; closed with the cluster. */
  public RatisDcsClient client(String ownerId) {
    return client(ownerId, LeaseRefreshMode.DURABLE);
  }

  /** As {@link #client(String)}, refreshing leases in {@code leaseRefresh} mode. */
  public synchronized RatisDcsClient client(String ownerId, LeaseRefreshMode leaseRefresh) {
    RatisDcsClient c = RatisDcsClient.connect(DcsClientConfig.builder().groupName(group).members(members)
        .leaseRefresh(leaseRefresh).build(), ownerId);
    clients.add(c);
    return c;
  }

  /** PIDs of the member JVMs. */
  public List<Long> pids() {
    return processes.pids();
  }

  /** Whether every member JVM has exited (after {@link #close()}). */
  public boolean allGone() {
    return processes.allGone();
  }

  @Override
  public synchronized void close() {
    for (RatisDcsClient c : clients) {
      try {
        c.close();
      } catch (RuntimeException e) {
        // Closing a client of a group that is going away anyway; the members are stopped below regardless.
      }
    }
    clients.clear();
    processes.close();
  }
}
