package io.pgquorum.coordinator.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.coordinator.fence.PrimaryGate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fencing procedure and the start/fence gate against a real PostgreSQL 15: an immediate stop (the fence) keeps
 * going until every process of the data directory is gone, whatever pg_ctl and postmaster.pid do, and a primary
 * start can neither slip past a fence nor outlive the lease.
 *
 * <p>pg_ctl is a wrapper script in a private bin_dir (the other tools are links to the real ones) whose behaviour
 * the tests switch with marker files: {@code stop-fails} (exit 1 without doing anything), {@code stop-hangs} (sleep
 * a minute), {@code start-latch} (a start waits, after touching {@code start-reached}, until {@code start-release}
 * exists).
 */
class FencingTest {
  private static final Path REAL_BIN = Path.of("/usr/lib/postgresql/15/bin");

  private PgTestSupport support;
  private Path ctl;
  private NodeConfig node;
  private final AtomicBoolean leaseValid = new AtomicBoolean(true);
  private LocalPostgres pg;
  /** Own threads: the common pool may have a single worker on a small machine and would serialise the tasks. */
  private final ExecutorService threads = Executors.newCachedThreadPool();

  @BeforeEach
  void setUp() throws Exception {
    support = new PgTestSupport();
    ctl = support.base.resolve("ctl");
    Files.createDirectories(ctl);
    TestNodes.Builder b = support.node("fence");
    b.binDir = wrapperBinDir(support.base.resolve("bin"), ctl);
    node = b.build();
    pg = new LocalPostgres(node, () -> TestNodes.dynamic(true, Map.of()), leaseValid::get);
    pg.bootstrap();
  }

  @AfterEach
  void tearDown() throws Exception {
    threads.shutdownNow();
    Path pid = dataDir().resolve("postmaster.pid");
    if (Files.exists(pid)) {
      Files.setPosixFilePermissions(pid, PosixFilePermissions.fromString("rw-------"));
    }
    Files.createDirectories(ctl);
    Files.deleteIfExists(ctl.resolve("stop-fails"));
    Files.deleteIfExists(ctl.resolve("stop-hangs"));
    support.close();
  }

  /** bin_dir with links to the real tools and a pg_ctl script that obeys the marker files in {@code ctl}. */
  static Path wrapperBinDir(Path bin, Path ctl) throws IOException {
    Files.createDirectories(bin);
    try (Stream<Path> tools = Files.list(REAL_BIN)) {
      for (Path t : tools.toList()) {
        if (!t.getFileName().toString().equals("pg_ctl")) {
          Files.createSymbolicLink(bin.resolve(t.getFileName()), t);
        }
      }
    }
    Path script = bin.resolve("pg_ctl");
    Files.writeString(script, """
        #!/bin/sh
        ctl='%s'
        case "$1" in
          start)
            if [ -e "$ctl/start-latch" ]; then
              touch "$ctl/start-reached"
              while [ ! -e "$ctl/start-release" ]; do sleep 0.02; done
            fi ;;
          stop)
            if [ -e "$ctl/stop-fails" ]; then echo "pg_ctl: simulated failure" >&2; exit 1; fi
            if [ -e "$ctl/stop-hangs" ]; then sleep 60; exit 1; fi ;;
        esac
        exec '%s' "$@"
        """.formatted(ctl, REAL_BIN.resolve("pg_ctl")));
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    return bin;
  }

  private Path dataDir() {
    return node.postgresql().dataDir();
  }

  /**
   * Every PostgreSQL process of the server: the postmaster (from postmaster.pid, while it is readable) and the
   * auxiliary processes and backends as the server lists them.
   */
  private List<Long> serverPids(Connection c) throws SQLException {
    List<Long> pids = new ArrayList<>();
    pids.add(PostmasterPid.read(dataDir()).orElseThrow().pid());
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT pid FROM pg_stat_activity")) {
      while (r.next()) {
        pids.add(r.getLong(1));
      }
    }
    return pids;
  }

  /** Alive and not a zombie (a zombie is dead: only its exit status is left for its parent). */
  static boolean alive(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X';
    } catch (IOException e) {
      return false;
    }
  }

  /** PostgreSQL processes whose working directory is the data directory (an oracle independent of pgquorum's). */
  private List<Long> processesInDataDir() throws IOException {
    Path real = dataDir().toRealPath();
    List<Long> found = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try {
          if (Files.readSymbolicLink(p.resolve("cwd")).equals(real)
              && Files.readString(p.resolve("comm")).strip().equals("postgres")
              && alive(Long.parseLong(p.getFileName().toString()))) {
            found.add(Long.parseLong(p.getFileName().toString()));
          }
        } catch (IOException e) {
          // gone, or not ours
        }
      }
    }
    return found;
  }

  /** Opens a transaction holding an uncommitted row; the caller commits it after the fence. */
  private Connection openTransaction() throws SQLException {
    PgTestSupport.execute(node, "CREATE TABLE IF NOT EXISTS fenced (v text)");
    Connection c = PgTestSupport.connect(node);
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      s.execute("INSERT INTO fenced VALUES ('must not commit')");
    }
    return c;
  }

  private void assertFencedAndNothingCommitted(Connection tx, List<Long> pids) throws Exception {
    assertThat(pids).as("the server's processes before the fence").hasSizeGreaterThan(3);
    assertThat(pids.stream().filter(FencingTest::alive).toList()).as("live processes of the fenced server")
        .isEmpty();
    assertThat(processesInDataDir()).as("PostgreSQL processes in the data directory").isEmpty();
    assertThatThrownBy(tx::commit).as("the open transaction cannot commit").isInstanceOf(SQLException.class);
    tx.close();
    // Back up (as a replica would be): the row was never committed.
    Path pidFile = dataDir().resolve("postmaster.pid");
    if (Files.exists(pidFile)) {
      Files.setPosixFilePermissions(pidFile, PosixFilePermissions.fromString("rw-------"));
    }
    Files.deleteIfExists(ctl.resolve("stop-fails"));
    Files.deleteIfExists(ctl.resolve("stop-hangs"));
    pg.startPrimary(3);
    assertThat(PgTestSupport.queryLong(node, "SELECT count(*) FROM fenced")).isZero();
    pg.stop(StopMode.FAST);
  }

  @Test
  void anImmediateStopWithAnUnreadablePidFileStillStopsEverything() throws Exception {
    pg.startPrimary(1);
    Connection tx = openTransaction();
    List<Long> pids = serverPids(tx);
    Files.setPosixFilePermissions(dataDir().resolve("postmaster.pid"), PosixFilePermissions.fromString("---------"));
    assertThat(pg.probe().unknown()).as("the probe cannot tell").isPresent();

    pg.stop(StopMode.IMMEDIATE);

    assertFencedAndNothingCommitted(tx, pids);
  }

  @Test
  void whenPgCtlFailsTheProcessesAreKilled() throws Exception {
    pg.startPrimary(1);
    Connection tx = openTransaction();
    List<Long> pids = serverPids(tx);
    Files.createFile(ctl.resolve("stop-fails"));

    pg.stop(StopMode.IMMEDIATE);

    assertFencedAndNothingCommitted(tx, pids);
  }

  @Test
  void whenPgCtlHangsTheProcessesAreKilledAfterTheGrace() throws Exception {
    pg.startPrimary(1);
    Connection tx = openTransaction();
    List<Long> pids = serverPids(tx);
    Files.createFile(ctl.resolve("stop-hangs"));

    long start = System.nanoTime();
    pg.stop(StopMode.IMMEDIATE);
    long tookMs = (System.nanoTime() - start) / 1_000_000L;

    System.out.println("fence with a hanging pg_ctl took " + tookMs + " ms");
    // The hanging pg_ctl would take 60 s: returning much earlier shows the SIGKILL path was taken.
    assertThat(tookMs).as("the fence did not wait for pg_ctl").isLessThan(20_000);
    assertFencedAndNothingCommitted(tx, pids);
  }

  @Test
  void aPrimaryStartIsRefusedWithoutAValidLease() throws Exception {
    leaseValid.set(false);
    assertThatThrownBy(() -> pg.startPrimary(1)).isInstanceOf(PrimaryGate.LeaseLostException.class)
        .hasMessageContaining("refusing to start PostgreSQL as primary");
    assertThat(processesInDataDir()).isEmpty();
  }

  /** Starts a primary in the background, blocked in pg_ctl until {@code start-release} appears. */
  private CompletableFuture<Throwable> latchedStart(AtomicLong endedAt) throws Exception {
    Files.createFile(ctl.resolve("start-latch"));
    CompletableFuture<Throwable> start = CompletableFuture.supplyAsync(() -> {
      try {
        pg.startPrimary(1);
        return null;
      } catch (Throwable t) {
        return t;
      } finally {
        endedAt.set(System.nanoTime());
      }
    }, threads);
    await("the start reached pg_ctl").atMost(Duration.ofSeconds(30))
        .until(() -> Files.exists(ctl.resolve("start-reached")));
    return start;
  }

  @Test
  void aFenceThatBeginsWhileAStartIsInFlightOutlastsIt() throws Exception {
    AtomicLong startEnded = new AtomicLong();
    CompletableFuture<Throwable> start = latchedStart(startEnded);
    // The lease runs out; the guard's fence begins while pg_ctl start has not yet started the postmaster.
    leaseValid.set(false);
    AtomicInteger inFlightAtFenceEnd = new AtomicInteger(-1);
    CompletableFuture<Void> fence = CompletableFuture.runAsync(() -> {
      pg.gate().fenceUninterruptibly("test: the lease deadline passed");
      inFlightAtFenceEnd.set(pg.gate().startsInFlight());
    }, threads);
    // The fence has nothing to see yet; it must still not finish while the start is in flight. (Not a timing
    // assertion: were it finished, the start would be unopposed, which the checks below catch.)
    Files.createFile(ctl.resolve("start-release"));

    Throwable startFailure = start.get(120, TimeUnit.SECONDS);
    fence.get(120, TimeUnit.SECONDS);
    assertThat(startFailure).as("the start failed (its server was fenced, or the re-check refused it)").isNotNull();
    // What "outlasts" means: when the fence returned, the start's operation was no longer in flight. (Not the
    // start call's own end: after its operation, the start fences too and then throws, which can end after the
    // guard's fence; comparing with that failed once under load without anything being wrong.)
    assertThat(inFlightAtFenceEnd.get()).as("starts still in flight when the fence returned").isZero();
    assertThat(processesInDataDir()).as("PostgreSQL processes in the data directory").isEmpty();
  }

  @Test
  void aStartThatCompletesAfterTheLeaseRanOutIsFenced() throws Exception {
    AtomicLong startEnded = new AtomicLong();
    CompletableFuture<Throwable> start = latchedStart(startEnded);
    leaseValid.set(false); // runs out while the start is in flight; nobody else fences
    Files.createFile(ctl.resolve("start-release"));

    Throwable startFailure = start.get(120, TimeUnit.SECONDS);
    assertThat(startFailure).isInstanceOf(PrimaryGate.LeaseLostException.class)
        .hasMessageContaining("completed after the leader lease ran out");
    assertThat(processesInDataDir()).as("PostgreSQL processes in the data directory").isEmpty();
  }
}
