package io.pgquorum.coordinator.node;

import io.pgquorum.coordinator.config.ConfigException;
import io.pgquorum.coordinator.config.ConfigLoader;
import io.pgquorum.coordinator.config.LogSetup;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.coordinator.ha.HaBug;
import io.pgquorum.coordinator.init.InitCommand;
import io.pgquorum.coordinator.init.Prompter;
import io.pgquorum.coordinator.postgres.PgBug;
import io.pgquorum.dcs.planted.DcsBug;
import io.pgquorum.dcs.planted.PlantedBug;
import io.pgquorum.dcs.planted.PlantedBugs;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

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

  /** A refused configuration file: every problem on its own line, exit code 2 (shared with {@code witness}). */
  static int invalid(PrintStream err, String what, ConfigException e) {
    err.println("invalid " + what + ":");
    for (String p : e.problems()) {
      err.println("  " + p);
    }
    return 2;
  }

  /** {@code --validate-config} of a valid file: its warnings, then that it is valid; exit code 0. */
  static int valid(PrintStream out, String what, List<String> warnings) {
    for (String w : warnings) {
      out.println("warning: " + w);
    }
    out.println(what + " is valid");
    return 0;
  }

  static int run(String[] givenArgs, Map<String, String> givenEnv, PrintStream out, PrintStream err) {
    if (givenArgs.length >= 1 && givenArgs[0].equals("init")) {
      return InitCommand.run(List.of(givenArgs).subList(1, givenArgs.length), Prompter.terminal(), out, err);
    }
    // Parsed by picocli (CommandLineModel, from which the bash completion script is generated too); what is
    // printed and the exit codes stay this class's own.
    CommandLine cl = CommandLineModel.commandLine();
    CommandLine.ParseResult parsed;
    try {
      parsed = cl.parseArgs(givenArgs);
    } catch (CommandLine.ParameterException e) {
      return usageError(e, err);
    }
    if (parsed.hasSubcommand()) {
      CommandLine.ParseResult sub = parsed.subcommand();
      if (!sub.commandSpec().name().equals("witness") || parsed.hasMatchedOption("--join")) {
        // init only as the first word (above), and --join belongs after the word witness.
        err.println(usage());
        return 2;
      }
      if (sub.isUsageHelpRequested()) {
        out.println(WitnessCommand.usage());
        return 0;
      }
      return WitnessCommand.run(sub.hasMatchedOption("--join"), raw(sub, "--validate-config"), positional(sub),
          givenEnv, out, err);
    }
    if (parsed.isUsageHelpRequested()) {
      out.println(usage());
      return 0;
    }
    if (parsed.isVersionHelpRequested()) {
      out.println("pgquorum 0.1.0");
      return 0;
    }
    // --join is the one-off spelling of raft.join: true (PATRONI_RAFT_JOIN), for bringing back a member whose
    // raft.data_dir was lost without editing its configuration file; it acts like the variable.
    Map<String, String> env = givenEnv;
    if (parsed.hasMatchedOption("--join")) {
      env = new HashMap<>(givenEnv);
      env.put("PATRONI_RAFT_JOIN", "true");
    }
    String validate = raw(parsed, "--validate-config");
    String positional = positional(parsed);
    boolean validateOnly = validate != null;
    if (validateOnly ? positional != null
        : positional == null && !env.containsKey(ConfigLoader.CONFIGURATION_VARIABLE)) {
      err.println(usage());
      return 2;
    }
    String file = validateOnly ? validate : positional;
    NodeConfig config;
    try {
      config = file == null ? ConfigLoader.fromEnvironment(env) : ConfigLoader.load(Path.of(file), env);
    } catch (ConfigException e) {
      return invalid(err, "configuration " + (file == null ? "(PATRONI_CONFIGURATION)" : file), e);
    }
    if (validateOnly) {
      return valid(out, "configuration " + file, config.warnings());
    }
    PlantedBugs bugs;
    try {
      // Only this entry point (and the harness's DCS member) reads planted bugs, and only with the harness's
      // second opt-in; the embedding API never does.
      bugs = PlantedBugs.fromEnvironment(env, java.util.stream.Stream.<PlantedBug[]>of(HaBug.values(),
          PgBug.values(), DcsBug.values()).flatMap(java.util.Arrays::stream).toList());
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

  /** The raw text of {@code option}'s value (as typed, for messages), or null when not given. */
  private static String raw(CommandLine.ParseResult parsed, String option) {
    return parsed.hasMatchedOption(option) ? parsed.matchedOption(option).stringValues().get(0) : null;
  }

  /** The configuration file as typed, or null when none is given. */
  private static String positional(CommandLine.ParseResult parsed) {
    return parsed.hasMatchedPositional(0) ? parsed.matchedPositional(0).stringValues().get(0) : null;
  }

  /**
   * A command line picocli refused: the messages bin/pgquorum always printed (a missing file after
   * --validate-config, an unknown option), then the usage of the command (pgquorum or pgquorum witness); exit 2.
   */
  static int usageError(CommandLine.ParameterException e, PrintStream err) {
    boolean witness = e.getCommandLine().getCommandName().equals("witness");
    String prefix = witness ? "pgquorum witness: " : "pgquorum: ";
    if (e instanceof CommandLine.MissingParameterException m && m.getMissing().stream()
        .anyMatch(a -> a.isOption() && ((CommandLine.Model.OptionSpec) a).longestName().equals("--validate-config"))) {
      err.println(prefix + "--validate-config needs a file");
    } else if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()
        && u.getUnmatched().get(0).startsWith("-")) {
      err.println(prefix + "unknown option " + u.getUnmatched().get(0));
    }
    err.println(witness ? WitnessCommand.usage() : usage());
    return 2;
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
