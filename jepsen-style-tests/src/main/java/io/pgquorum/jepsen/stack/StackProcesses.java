package io.pgquorum.jepsen.stack;

import io.pgquorum.testkit.RepoRoot;
import io.pgquorum.testkit.proc.Commands;
import io.pgquorum.testkit.proc.Launch;
import io.pgquorum.testkit.proc.ProcInfo;
import io.pgquorum.testkit.proc.Signals;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Process control of a {@link PgCluster}'s nodes: launching each daemon through {@code bin/pgquorum} into the
 * network (under libfaketime when its clock rate is not 1), killing it by PID, and stopping everything at close.
 */
final class StackProcesses {
  /** The libfaketime library used for clock-rate faults. */
  static final Path LIBFAKETIME = Path.of("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1");
  /** Small heaps and a quick JIT: a 2-core machine runs three daemons, three PostgreSQL servers and the harness. */
  private static final String JAVA_OPTS = "-Xmx160m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k";
  private static final Duration KILL_WAIT = Duration.ofSeconds(10);

  private final PgClusterSpec spec;
  private final Network network;

  StackProcesses(PgClusterSpec spec, Network network) {
    this.spec = spec;
    this.network = network;
  }

  /** Launches node n's daemon through bin/pgquorum, under libfaketime when its clock rate is not 1. */
  void launch(StackNode n) {
    List<String> cmd = new ArrayList<>(network.launchPrefix(n.index()));
    List<String> env = new ArrayList<>();
    String opts = JAVA_OPTS + " " + String.join(" ", network.jvmOptions(n.index()));
    env.add("PGQUORUM_JAVA_OPTS=" + opts.trim());
    spec.extraEnv().getOrDefault(n.index(), Map.of()).forEach((k, v) -> env.add(k + "=" + v));
    if (n.clockRate != 1.0) {
      env.add("LD_PRELOAD=" + LIBFAKETIME);
      env.add("FAKETIME=+0 x" + n.clockRate);
    }
    // env(1) carries the variables through runuser/ip netns exec, which may not pass the environment on.
    cmd.add("env");
    cmd.addAll(env);
    cmd.add(RepoRoot.pgquorumScript().toString());
    cmd.add(n.config().toString());
    // runuser forks: the daemon's PID is then the java process behind the wrapper.
    n.daemon.launch(Launch.of(cmd).behindWrapper()
        .withBanner("=== launch at " + Instant.now() + " clock rate " + n.clockRate));
  }

  /**
   * SIGKILL of the daemon JVM (PostgreSQL, running detached, survives); its children (a lease watchdog) are left
   * running as a real kill -9 leaves them, and reaped at {@link #stopAll}.
   */
  void killDaemon(StackNode n) {
    n.daemon.kill(KILL_WAIT);
  }

  /** SIGKILL of the postmaster; its backends exit when they notice. */
  void killPostgres(StackNode n) {
    n.postmasterPid().ifPresent(pm -> {
      Signals.send("KILL", List.of(pm));
      ProcInfo.awaitExit(pm, KILL_WAIT);
    });
    // SIGKILL is held while a process is stopped or frozen: thaw what is left so it can die.
    n.pgPause.resume();
  }

  /**
   * Stops everything by PID: daemons, what killed daemons left behind (never a PostgreSQL: it is stopped next,
   * cleanly enough to leave no shared memory behind), paused trees thawed, PostgreSQL stopped with
   * {@code pg_ctl stop -m immediate}.
   */
  void stopAll(List<StackNode> nodes) {
    List<Long> leftovers = new ArrayList<>();
    for (StackNode n : nodes) {
      killDaemon(n);
      n.daemon.leftovers().forEach(h -> leftovers.add(h.pid()));
    }
    Signals.send("KILL", leftovers.stream().filter(ProcInfo::alive).filter(p -> !isPostgres(p)).toList());
    // A stopped walsender lives on another node's PostgreSQL: thaw them all before stopping any server.
    nodes.forEach(n -> n.walSenderPause.resume());
    for (StackNode n : nodes) {
      n.pgPause.close();
      if (Files.exists(n.dataDir().resolve("postmaster.pid"))) {
        List<String> cmd = new ArrayList<>();
        if (Commands.isRoot() && spec.runAsUser() != null) {
          cmd.addAll(List.of("runuser", "-u", spec.runAsUser(), "--"));
        }
        cmd.addAll(List.of(NodeConfigYaml.PG_BIN + "/pg_ctl", "stop", "-m", "immediate", "-w", "-t", "20", "-D",
            n.dataDir().toString()));
        Commands.run(cmd, 30);
        n.postmasterPid().ifPresent(pid -> Signals.send("KILL", List.of(pid)));
      }
    }
  }

  private static boolean isPostgres(long pid) {
    return ProcessHandle.of(pid).flatMap(h -> h.info().command()).map(c -> c.endsWith("/postgres")).orElse(false);
  }
}
