package io.pgquorum.jepsen.dcs;

import io.pgquorum.dcs.api.DcsConfigException;
import io.pgquorum.dcs.planted.DcsBug;
import io.pgquorum.dcs.planted.PlantedBugs;
import io.pgquorum.dcs.ratis.DcsServer;
import io.pgquorum.dcs.ratis.DcsServerConfig;
import io.pgquorum.dcs.ratis.DcsTuning;
import io.pgquorum.dcs.ratis.LeaseRefreshMode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Hosts one raft-dcs {@link DcsServer} member in its own JVM until the process is killed.
 *
 * <pre>
 * DcsMemberMain NAME GROUP SELF_HOST:PORT PARTNERS DATA_DIR [--bind=HOST:PORT] [--status=FILE] [--exit-with=PID]
 *     [--lease-refresh=durable|leader-local]
 *   PARTNERS  comma-separated id@host:port of the other members ("-" for none)
 *   --exit-with  exit when process PID is gone (the driver), so a crashed test run leaves no member behind
 *   --lease-refresh  how leases are refreshed (LeaseRefreshMode; default durable)
 * </pre>
 *
 * <p>Why one JVM per member rather than all members in the test JVM:
 * <ul>
 *   <li>Ratis members dial each other at the addresses recorded in the replicated group configuration, not at
 *       addresses we could choose per sender. To cut "member 1 → member 2" but not "member 3 → member 2", member 1
 *       must resolve member 2's host name to a different address (its own link proxy) than member 3 does. Name
 *       resolution is per JVM ({@code -Djdk.net.hosts.file}, read once at start-up), so per-link faults need one
 *       process per member (see {@link io.pgquorum.testkit.net.LinkProxies}).
 *   <li>Process faults need a process: kill -9 (no shutdown hooks, no graceful Ratis close), SIGSTOP/SIGCONT (the
 *       whole member freezes, timers included, while its sockets stay open), and a clock running at another rate
 *       (libfaketime is an {@code LD_PRELOAD} library, so it applies to a whole process).
 * </ul>
 *
 * <p>On start it prints {@value #READY} followed by the member name on standard output once the member serves.
 * With {@code --status=FILE} it rewrites FILE every {@value #STATUS_INTERVAL_MILLIS} ms with one line
 * {@code leader=<true|false> applied=<index>}, written to a temporary file and renamed; the driver reads it without
 * any RPC and judges freshness by the file's modification time (set by the kernel, so a faked clock in this JVM
 * does not matter, and a paused or killed member's status goes stale).
 *
 * <p>Planted bugs: as a harness entry point it reads {@value PlantedBugs#VARIABLE} (ids of {@link DcsBug}), only
 * together with {@value PlantedBugs#OPT_IN}{@code =}{@value PlantedBugs#OPT_IN_VALUE} (see {@link PlantedBugs}),
 * prints the warning on standard error and hands them to the member through its {@code DcsServerConfig}.
 *
 * <p>Bad arguments (or a bad planted-bug variable) print one line naming the offending argument or variable to
 * standard error and exit with status 2; a member that fails to start exits with status 1.
 */
public final class DcsMemberMain {
  /** First word of the line printed once the member serves. */
  public static final String READY = "READY";
  static final long STATUS_INTERVAL_MILLIS = 100;
  static final String USAGE =
      "usage: DcsMemberMain NAME GROUP SELF_HOST:PORT PARTNERS DATA_DIR [--bind=HOST:PORT] [--status=FILE]"
          + " [--exit-with=PID] [--lease-refresh=durable|leader-local]"
          + " (PARTNERS: comma-separated id@host:port, or - for none)";

  private DcsMemberMain() {
  }

  public static void main(String[] args) {
    int status = run(args, System.getenv(), System.out, System.err);
    if (status != 0) {
      System.exit(status);
    }
  }

  /** As {@link #run(String[], Map, PrintStream, PrintStream)} with no environment (no planted bugs). */
  static int run(String[] args, PrintStream out, PrintStream err) {
    return run(args, Map.of(), out, err);
  }

  /** Starts the member and blocks forever; returns an exit status only on failure (for tests). */
  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    DcsServerConfig config;
    Path statusFile;
    long exitWith;
    PlantedBugs bugs;
    try {
      bugs = PlantedBugs.fromEnvironment(env, List.of(DcsBug.values()));
    } catch (IllegalArgumentException e) {
      err.println("DcsMemberMain: " + e.getMessage());
      return 2;
    }
    if (!bugs.isEmpty()) {
      err.println(bugs.warning());
    }
    try {
      Args parsed = Args.parse(args);
      config = DcsServerConfig.builder()
          .groupName(parsed.group)
          .selfAddr(parsed.name + "@" + parsed.self)
          .bindAddr(parsed.bind)
          .partnerAddrs(parsed.partners)
          .dataDir(Path.of(parsed.dataDir))
          .tuning(DcsTuning.defaults().withLeaseRefresh(parsed.leaseRefresh))
          .plantedBugs(bugs)
          .build();
      statusFile = parsed.status == null ? null : Path.of(parsed.status);
      exitWith = parsed.exitWith;
    } catch (IllegalArgumentException | DcsConfigException e) {
      err.println("DcsMemberMain: " + e.getMessage());
      err.println(USAGE);
      return 2;
    }
    if (exitWith > 0) {
      watchParent(exitWith);
    }
    DcsServer member;
    try {
      member = DcsServer.start(config);
    } catch (DcsConfigException e) {
      err.println("DcsMemberMain: " + e.getMessage());
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(member::close, "dcs-member-shutdown"));
    if (statusFile != null) {
      Thread t = new Thread(() -> publishStatus(member, statusFile), "dcs-member-status");
      t.setDaemon(true);
      t.start();
    }
    out.println(READY + " " + member.memberId());
    out.flush();
    try {
      new CountDownLatch(1).await(); // serve until killed
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  /** Halts (no shutdown hooks, like a crash) once the driver process is gone. */
  private static void watchParent(long pid) {
    Thread t = new Thread(() -> {
      while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
        try {
          Thread.sleep(1000); // polling period of an external condition we cannot wait on otherwise
        } catch (InterruptedException e) {
          return;
        }
      }
      Runtime.getRuntime().halt(3);
    }, "dcs-member-parent-watch");
    t.setDaemon(true);
    t.start();
  }

  private static void publishStatus(DcsServer member, Path file) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    while (true) {
      String line = "leader=" + member.isLeader() + " applied=" + member.lastAppliedIndex() + "\n";
      try {
        Files.writeString(tmp, line, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Thread.sleep(STATUS_INTERVAL_MILLIS); // the publishing period, not a wait for a condition
      } catch (IOException e) {
        System.err.println("DcsMemberMain: cannot write status file " + file + ": " + e.getMessage());
        return;
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** The command line, checked; messages name the argument. */
  record Args(String name, String group, String self, List<String> partners, String dataDir, String bind,
      String status, long exitWith, LeaseRefreshMode leaseRefresh) {
    static Args parse(String[] args) {
      List<String> positional = new ArrayList<>();
      String bind = null;
      String status = null;
      long exitWith = 0;
      LeaseRefreshMode leaseRefresh = LeaseRefreshMode.DURABLE;
      for (String a : args) {
        if (a.startsWith("--bind=")) {
          bind = a.substring("--bind=".length());
        } else if (a.startsWith("--status=")) {
          status = a.substring("--status=".length());
        } else if (a.startsWith("--exit-with=")) {
          try {
            exitWith = Long.parseLong(a.substring("--exit-with=".length()));
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--exit-with must be a process id, got '" + a + "'");
          }
        } else if (a.startsWith("--lease-refresh=")) {
          String mode = a.substring("--lease-refresh=".length());
          try {
            leaseRefresh = LeaseRefreshMode.valueOf(mode.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--lease-refresh must be durable or leader-local, got '" + mode + "'");
          }
        } else if (a.startsWith("--")) {
          throw new IllegalArgumentException("unknown option " + a);
        } else {
          positional.add(a);
        }
      }
      if (positional.size() != 5) {
        throw new IllegalArgumentException("expected 5 arguments (NAME GROUP SELF_HOST:PORT PARTNERS DATA_DIR), got "
            + positional.size() + ": " + positional);
      }
      String name = positional.get(0);
      if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
        throw new IllegalArgumentException("NAME '" + name + "' must be 1-64 letters, digits, '.', '_' or '-'");
      }
      String self = positional.get(2);
      if (self.contains("@")) {
        throw new IllegalArgumentException("SELF_HOST:PORT '" + self + "' must not carry an id (the id is NAME)");
      }
      String p = positional.get(3);
      List<String> partners = p.equals("-") ? List.of()
          : Arrays.stream(p.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
      if (positional.get(4).isBlank()) {
        throw new IllegalArgumentException("DATA_DIR must not be empty");
      }
      if (status != null && status.isBlank()) {
        throw new IllegalArgumentException("--status must name a file");
      }
      return new Args(name, positional.get(1), self, partners, positional.get(4), bind, status, exitWith,
          leaseRefresh);
    }
  }
}
