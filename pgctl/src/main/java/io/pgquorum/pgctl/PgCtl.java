package io.pgquorum.pgctl;

import io.pgquorum.backrest.run.BackrestRunner;
import io.pgquorum.coordinator.config.ConfigException;
import io.pgquorum.coordinator.config.ConfigLoader;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.coordinator.postgres.BackrestFiles;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code pgctl}: patronictl's {@code list} and {@code topology} for a pgquorum cluster.
 *
 * <pre>
 * pgctl -c /etc/pgquorum/node1.yml list [CLUSTER_NAME] [--format pretty|tsv|json|yaml] [-e] [-t]
 * pgctl -c /etc/pgquorum/node1.yml topology [CLUSTER_NAME] [-t]
 * pgctl -c /etc/pgquorum/node1.yml promote-cluster [CLUSTER_NAME] [--force]
 * pgctl -c /etc/pgquorum/node1.yml demote-cluster [CLUSTER_NAME] [--host H] [--port P] [--restore-command C]
 *     [--primary-slot-name S] [--force]
 * pgctl -c /etc/pgquorum/node1.yml pause|resume [CLUSTER_NAME] [--wait]
 * pgctl -c /etc/pgquorum/node1.yml show-config [CLUSTER_NAME]
 * pgctl -c /etc/pgquorum/node1.yml edit-config [CLUSTER_NAME] [-s K=V]... [-p P=V]... [--apply F|-] [--replace F|-]
 *     [-q] [--force]
 * pgctl -c /etc/pgquorum/node1.yml dcs members [--format pretty|tsv|json|yaml]
 * pgctl -c /etc/pgquorum/node1.yml dcs add ID HOST:PORT
 * pgctl -c /etc/pgquorum/node1.yml dcs remove ID [--force]
 * pgctl -c /etc/pgquorum/node1.yml history|dsn|query|version|flush|remove ... (see Help)
 * pgctl -c /etc/pgquorum/node1.yml switchover [CLUSTER_NAME] [--leader N] [--candidate N] [--scheduled TS|now]
 *     [--force]
 * pgctl -c /etc/pgquorum/node1.yml failover [CLUSTER_NAME] [--candidate N] [--force]
 * pgctl -c /etc/pgquorum/node1.yml backup [CLUSTER_NAME] [--type full|diff|incr] [--wait]
 * pgctl -c /etc/pgquorum/node1.yml backups [CLUSTER_NAME] [--format pretty|tsv|json|yaml]
 * pgctl -c /etc/pgquorum/node1.yml restore (--target-time T|--target-lsn L|--target-xid X|--target-name N
 *     |--target-immediate) [--set LABEL] [--exclusive] [--dry-run] [--force] [--to DIR [--port P]]
 * pgctl version
 * pgctl completion bash|zsh
 * </pre>
 *
 * <p>It reads a node's configuration file ({@code -c/--config-file}, else {@code $PATRONICTL_CONFIG_FILE}, else
 * {@code ~/.config/patroni/patronictl.yaml}) to find the cluster's embedded DCS, reads the cluster's keys in one
 * linearizable read, prints them and exits: 0 on success, 1 when the configuration is unusable or the DCS cannot
 * be reached (one {@code Error:} line on standard error), 2 for a bad command line.
 */
public final class PgCtl {
  static final String CONFIG_ENV = "PATRONICTL_CONFIG_FILE";
  /** What {@code pgctl restore} without {@code --to} runs: the one place to wire the cluster-wide restore. */
  static final ClusterRestore CLUSTER_RESTORE = new DcsClusterRestore(DcsClusterSource.DEFAULT_TIMEOUT,
      Duration.ofMinutes(15), Duration.ofSeconds(1));

  private PgCtl() {}

  public static void main(String[] args) {
    ConsoleLogging.quiet(System.getenv());
    int status = run(args, System.getenv(), System.in, System.out, System.err);
    System.out.flush();
    System.exit(status); // the Raft client's threads must not keep a finished command alive
  }

  /**
   * Runs one pgctl command line.
   *
   * @param env the environment ({@code PATRONICTL_CONFIG_FILE} and the {@code PATRONI_*} overrides the
   *     configuration loader applies)
   * @return the exit status: 0 success, 1 failure, 2 bad command line
   */
  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    return run(args, env, new ByteArrayInputStream(new byte[0]), out, err);
  }

  /** As above, reading answers to confirmation prompts from {@code in}. */
  static int run(String[] args, Map<String, String> env, InputStream in, PrintStream out, PrintStream err) {
    return execute(args, reader(in), out, err, cl -> loadConfig(cl, env),
        new DcsClusterSource(DcsClusterSource.DEFAULT_TIMEOUT), cl -> Services.real(env, cl.insecure()));
  }

  /** As {@link #run(String[], Map, PrintStream, PrintStream)} with an already loaded configuration. */
  static int run(String[] args, NodeConfig config, PrintStream out, PrintStream err) {
    return run(args, config, new ByteArrayInputStream(new byte[0]), out, err);
  }

  /** As above, reading answers to confirmation prompts from {@code in}. */
  static int run(String[] args, NodeConfig config, InputStream in, PrintStream out, PrintStream err) {
    return execute(args, reader(in), out, err, cl -> new Loaded(config, Optional.empty()),
        new DcsClusterSource(DcsClusterSource.DEFAULT_TIMEOUT), cl -> Services.real(System.getenv(), cl.insecure()));
  }

  /** As above, reading the cluster from {@code source}. */
  static int run(String[] args, NodeConfig config, ClusterSource source, PrintStream out, PrintStream err) {
    return execute(args, reader(new ByteArrayInputStream(new byte[0])), out, err,
        cl -> new Loaded(config, Optional.empty()), source, cl -> Services.real(System.getenv(), cl.insecure()));
  }

  /** As above, with every outside dependency given (tests), answering prompts from {@code in}. */
  static int run(String[] args, NodeConfig config, ClusterSource source, Services services, InputStream in,
      PrintStream out, PrintStream err) {
    return execute(args, reader(in), out, err, cl -> new Loaded(config, Optional.empty()), source, cl -> services);
  }

  private static BufferedReader reader(InputStream in) {
    return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
  }

  /** A configuration and the file it came from (for messages). */
  private record Loaded(NodeConfig config, Optional<Path> file) {}

  @FunctionalInterface
  private interface ConfigSource {
    Loaded load(CommandLine commandLine);
  }

  private static int execute(String[] args, BufferedReader in, PrintStream out, PrintStream err,
      ConfigSource configs, ClusterSource clusters, java.util.function.Function<CommandLine, Services> services) {
    try {
      Invocation parsed = CommandTree.parse(args);
      CommandLine cl = CommandLine.from(parsed);
      if (cl.help()) {
        out.print(CommandTree.help(parsed.path()));
        return 0;
      }
      String command = cl.command().orElseThrow();
      if (command.equals(CommandLine.VERSION) && cl.clusterNames().isEmpty()) {
        out.println("pgctl version " + Help.version());
        return 0;
      }
      if (command.equals(CommandTree.COMPLETION)) {
        return completion(parsed.positionals(), out);
      }
      if (OperationsCommands.NAMES.contains(command)) {
        OperationsCommands.Options o = OperationsCommands.options(parsed);
        NodeConfig config = configs.load(cl).config();
        int status = OperationsCommands.run(o, config, clusters,
            OperationsCommands.prompter(System.console() != null, in, out, command), out,
            OperationsCommands.Rest.http(config, cl.insecure()));
        out.flush();
        return status;
      }
      if (ConfigCommands.NAMES.contains(command)) {
        return ConfigCommands.run(ConfigCommands.options(parsed), configs.load(cl).config(),
            DcsClusterSource.DEFAULT_TIMEOUT, services.apply(cl).api(), in, out, err);
      }
      if (BackupCommands.NAMES.contains(command)) {
        BackupCommands.Options options = BackupCommands.options(parsed);
        NodeConfig config = configs.load(cl).config();
        int status = BackupCommands.run(options, config, clusters.read(config), services.apply(cl).api(), out,
            PgCtl::pollPause);
        out.flush();
        return status;
      }
      if (command.equals(RestoreCommand.NAME)) {
        RestoreCommand.Options options = RestoreCommand.options(parsed);
        NodeConfig config = configs.load(cl).config();
        BackrestRunner backrest = config.backrest().map(b -> new BackrestRunner(b, BackrestFiles.layout(config)))
            .orElse(null);
        RestoreCopy copy = new RestoreCopy(config, backrest, new JdbcSqlRunner(), out, RestoreCopy.RECOVERY_TIMEOUT);
        int status = RestoreCommand.run(options, config,
            () -> RestoreCommand.info(backrest, BackrestFiles.layout(config)),
            new Prompts(in, out, services.apply(cl).terminal()), copy::restore, CLUSTER_RESTORE, out);
        out.flush();
        return status;
      }
      Loaded loaded = configs.load(cl);
      NodeConfig config = loaded.config();
      if (SwitchoverCommand.NAMES.contains(command)) {
        return SwitchoverCommand.run(command, SwitchoverCommand.options(parsed), config, clusters,
            SwitchoverCommand.http(config, cl.insecure()), in, out);
      }
      if (command.equals(CommandLine.DCS)) {
        if (cl.timestamp()) {
          out.println(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")));
        }
        int status = DcsMemberCommands.run(cl, config, DcsClusterSource.DEFAULT_TIMEOUT, in, out);
        out.flush();
        return status;
      }
      for (String name : cl.clusterNames()) {
        if (!name.equals(config.scope())) {
          throw CtlException.usage("cluster '" + name + "' is not the cluster of "
              + loaded.file().map(f -> "configuration file " + f).orElse("this configuration")
              + ", which is '" + config.scope() + "' (pgctl works on the cluster whose DCS its configuration "
              + "names)");
        }
      }
      if (command.equals(CommandLine.PROMOTE_CLUSTER) || command.equals(CommandLine.DEMOTE_CLUSTER)) {
        return ClusterRoleCommands.run(cl, config, DcsClusterSource.DEFAULT_TIMEOUT, ClusterRoleCommands.POLL, in,
            out);
      }
      Services outside = services.apply(cl);
      if (cl.tool().isPresent()) {
        int status = ToolCommands.run(cl.tool().get(), config, clusters, outside,
            new Prompts(in, out, outside.terminal()), out);
        out.flush();
        return status;
      }
      return ListCommand.run(cl, config, clusters, outside, out);
    } catch (CtlException e) {
      if (e.isUsage()) {
        err.println("Usage: pgctl [OPTIONS] COMMAND [ARGS]...");
        err.println("Try 'pgctl --help' for help.");
        err.println();
      }
      err.println("Error: " + e.getMessage() + e.suggestion());
      return e.exitCode();
    } catch (RuntimeException e) {
      // A bug, not a user error: still one line, with enough to report it.
      err.println("Error: unexpected " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage().lines().findFirst().orElse("")));
      return CtlException.FAILURE;
    }
  }

  /**
   * {@code pgctl completion bash|zsh}: the completion script, made from the same command model as the typo
   * suggestions (the bundle ships it pre-generated under completion/). No configuration is needed.
   */
  private static int completion(List<String> args, PrintStream out) {
    if (args.isEmpty()) {
      throw CtlException.usage("missing argument for completion: bash or zsh");
    }
    String shell = args.get(0);
    if (!shell.equals("bash") && !shell.equals("zsh")) {
      throw CtlException.usage("invalid value for completion: '" + shell + "' (choose from bash, zsh)");
    }
    out.print(CommandTree.completionScript());
    out.flush();
    return 0;
  }

  /** The pause between two polls of {@code backup --wait}. */
  private static void pollPause() {
    try {
      Thread.sleep(BackupCommands.POLL.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CtlException.failure("interrupted while waiting for the backup");
    }
  }

  private static Loaded loadConfig(CommandLine cl, Map<String, String> env) {
    Path file = configFile(cl, env);
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw CtlException.failure("configuration file " + file + " does not exist or is not readable "
          + "(check -c/--config-file or " + CONFIG_ENV + ")");
    }
    return new Loaded(load(file, () -> ConfigLoader.load(file, env)), Optional.of(file));
  }

  /** {@code -c/--config-file}, else {@code $PATRONICTL_CONFIG_FILE}, else patronictl's default file if present. */
  static Path configFile(CommandLine cl, Map<String, String> env) {
    if (cl.configFile().isPresent()) {
      return Path.of(cl.configFile().get());
    }
    String fromEnv = env.get(CONFIG_ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Path.of(fromEnv);
    }
    // patronictl's default location, under $HOME as click resolves it
    String home = env.get("HOME");
    if (home != null && !home.isBlank()) {
      Path fallback = Path.of(home, ".config", "patroni", "patronictl.yaml");
      if (Files.isRegularFile(fallback)) {
        return fallback;
      }
    }
    throw CtlException.usage("no configuration file: pass -c/--config-file FILE (a node's configuration file) "
        + "or set " + CONFIG_ENV);
  }

  private static NodeConfig load(Path file, Supplier<NodeConfig> loader) {
    try {
      return loader.get();
    } catch (ConfigException e) {
      throw CtlException.failure("invalid configuration file " + file + ":\n  "
          + String.join("\n  ", e.problems()));
    } catch (RuntimeException e) {
      throw CtlException.failure("cannot load configuration file " + file + ": "
          + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
    }
  }
}
