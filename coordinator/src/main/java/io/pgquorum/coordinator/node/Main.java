package io.pgquorum.coordinator.node;

import io.pgquorum.coordinator.config.ConfigException;
import io.pgquorum.coordinator.config.ConfigLoader;
import io.pgquorum.coordinator.config.LogSetup;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.coordinator.ha.HaBug;
import io.pgquorum.coordinator.init.InitCommand;
import io.pgquorum.coordinator.init.Prompter;
import io.pgquorum.dcs.planted.DcsBug;
import io.pgquorum.dcs.planted.PlantedBugs;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bin/pgquorum [--join] <config.yml>}: runs one node until SIGTERM/SIGINT (a clean handover), or
 * {@code bin/pgquorum --validate-config <config.yml>}: checks a file and exits, or {@code bin/pgquorum init ...}:
 * writes a new cluster's configurations, CA and certificates ({@link InitCommand}), or {@code bin/pgquorum witness
 * <config.yml>}: runs only a DCS member ({@link WitnessCommand}). {@code --join} sets
 * {@code raft.join: true} for this start (see {@link io.pgquorum.coordinator.config.RaftConfig#join()}).
 *
 * <p>Exit codes: 0 clean stop or valid config, 1 a fatal runtime condition, 2 bad usage or invalid configuration.
 * Errors are one readable message each, never a stack trace.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args, System.getenv(), System.out, System.err));
  }

  static int run(String[] givenArgs, Map<String, String> givenEnv, PrintStream out, PrintStream err) {
    if (givenArgs.length >= 1 && givenArgs[0].equals("init")) {
      return InitCommand.run(List.of(givenArgs).subList(1, givenArgs.length), Prompter.terminal(), out, err);
    }
    if (givenArgs.length >= 1 && givenArgs[0].equals("witness")) {
      return WitnessCommand.run(List.of(givenArgs).subList(1, givenArgs.length), givenEnv, out, err);
    }
    // --join is the one-off spelling of raft.join: true (PATRONI_RAFT_JOIN), for bringing back a member whose
    // raft.data_dir was lost without editing its configuration file; it acts like the variable.
    List<String> argList = new ArrayList<>(List.of(givenArgs));
    boolean join = argList.remove("--join");
    String[] args = argList.toArray(new String[0]);
    Map<String, String> env = givenEnv;
    if (join) {
      env = new HashMap<>(givenEnv);
      env.put("PATRONI_RAFT_JOIN", "true");
    }
    if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
      out.println(usage());
      return 0;
    }
    if (args.length == 1 && args[0].equals("--version")) {
      out.println("pgquorum 0.1.0");
      return 0;
    }
    if (args.length == 1 && args[0].startsWith("-")) {
      err.println(args[0].equals("--validate-config") ? "pgquorum: --validate-config needs a file"
          : "pgquorum: unknown option " + args[0]);
      err.println(usage());
      return 2;
    }
    boolean validateOnly = args.length == 2 && args[0].equals("--validate-config");
    if (!validateOnly && args.length != 1 && !(args.length == 0 && env.containsKey("PATRONI_CONFIGURATION"))) {
      err.println(usage());
      return 2;
    }
    String file = validateOnly ? args[1] : args.length == 1 ? args[0] : null;
    NodeConfig config;
    try {
      config = file == null ? ConfigLoader.fromEnvironment(env) : ConfigLoader.load(Path.of(file), env);
    } catch (ConfigException e) {
      err.println("invalid configuration " + (file == null ? "(PATRONI_CONFIGURATION)" : file) + ":");
      for (String p : e.problems()) {
        err.println("  " + p);
      }
      return 2;
    }
    if (validateOnly) {
      for (String w : config.warnings()) {
        out.println("warning: " + w);
      }
      out.println("configuration " + file + " is valid");
      return 0;
    }
    PlantedBugs bugs;
    try {
      // Only this entry point (and the harness's DCS member) reads planted bugs, and only with the harness's
      // second opt-in; the embedding API never does.
      bugs = PlantedBugs.fromEnvironment(env, java.util.stream.Stream.concat(
          java.util.Arrays.stream(HaBug.values()), java.util.Arrays.stream(DcsBug.values())).toList());
    } catch (IllegalArgumentException e) {
      err.println("pgquorum: " + e.getMessage());
      return 2;
    }
    LogSetup.apply(config.log(), bugs.logPrefix());
    PgQuorumNode node;
    try {
      node = PgQuorumNode.start(config, bugs);
    } catch (ConfigException e) {
      err.println("pgquorum: " + String.join("; ", e.problems()));
      return 2;
    } catch (RuntimeException e) {
      err.println("pgquorum: " + e.getMessage());
      return 1;
    }
    // SIGHUP: Patroni's reload (the same as POST /reload): re-read this file, rewrite PostgreSQL's config, reload.
    Map<String, String> startEnv = env;
    node.rereadConfigurationFrom(() -> file == null ? ConfigLoader.fromEnvironment(startEnv)
        : ConfigLoader.load(Path.of(file), startEnv));
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> new Thread(() -> {
        String outcome = node.reload();
        org.slf4j.LoggerFactory.getLogger(Main.class).info("SIGHUP: {}", outcome);
      }, "sighup-reload").start());
    } catch (IllegalArgumentException e) {
      err.println("pgquorum: SIGHUP cannot be handled here (" + e.getMessage() + "); use POST /reload");
    }
    Thread hook = new Thread(node::close, "shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    return awaitExit(node, err);
  }

  /**
   * Waits for the node's HA loop to end and maps how it ended to the exit code: 0 after a clean stop (a signal),
   * 1 after a fatal decision or a crash of the loop (an {@link Error} in its thread), so that a supervisor such as
   * systemd ({@code Restart=on-failure}) restarts the daemon instead of it lingering without a loop.
   */
  static int awaitExit(RunningNode node, PrintStream err) {
    try {
      while (!node.awaitLoopEnd(Duration.ofSeconds(3600))) {
        // keep waiting: the node runs until a signal, a fatal decision or a crash of its loop
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (node.fatalReason().isPresent()) {
      err.println("pgquorum: " + node.fatalReason().get());
      node.halt();
      return 1;
    }
    return 0;
  }

  static String usage() {
    return "usage: pgquorum [--join] <config.yml>\n"
        + "       pgquorum --validate-config <config.yml>\n"
        + "       pgquorum --version\n"
        + "       pgquorum init --scope NAME --node NAME=HOST ... --output DIR   (pgquorum init --help)\n"
        + "       pgquorum witness [--join] <config.yml>   (a DCS member only; pgquorum witness --help)\n"
        + "The configuration uses Patroni's YAML layout with a raft: section; PATRONI_* variables override it.\n"
        + "--join (= raft.join: true): on an empty raft.data_dir, join the DCS group as a new member (to replace\n"
        + "a member whose raft.data_dir was lost, or to add one); ignored while raft.data_dir holds a log.";
  }
}
