package io.pgquorum.pgctl;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed pgctl command line: {@code pgctl [global options] COMMAND [command options] [CLUSTER_NAME]}, as the
 * model ({@link CommandTree}) parsed it with click's conventions (what patronictl users type): global options
 * before the command, {@code --opt value}, {@code --opt=value}, {@code -o value} and {@code -ovalue}, and
 * {@code --} to end options. This record holds the values the commands without their own options record use.
 *
 * @param configFile {@code -c/--config-file}, when given
 * @param help {@code --help} was asked for (globally, or for {@code command})
 * @param command list, topology, promote-cluster, demote-cluster, dcs or version; empty with {@code --help} alone
 * @param clusterNames positional cluster names (must be the configuration's scope)
 * @param format {@code list --format}, {@code dcs members --format}
 * @param extended {@code list -e/--extended}: always show the optional columns
 * @param timestamp {@code -t/--timestamp}: print the time before the output
 * @param dcsCommand for {@code dcs}: members, add or remove (empty with {@code dcs --help})
 * @param arguments for {@code dcs add} (ID HOST:PORT) and {@code dcs remove} (ID)
 * @param force {@code --force}: do not ask for confirmation
 * @param standby for {@code demote-cluster}: the given {@code standby_cluster} keys (host, port,
 *     restore_command, primary_slot_name) with their values as typed, in that order
 * @param watch {@code list}/{@code topology}: {@code -W} (every 2 s) or {@code -w/--watch SECONDS}
 * @param insecure {@code -k/--insecure}: do not verify the certificates of members' REST APIs
 * @param tool the options of history, remove, query, dsn, flush, and version with arguments ({@link ToolOptions})
 */
record CommandLine(
    Optional<String> configFile,
    boolean help,
    Optional<String> command,
    List<String> clusterNames,
    OutputFormat format,
    boolean extended,
    boolean timestamp,
    Optional<String> dcsCommand,
    List<String> arguments,
    boolean force,
    Map<String, String> standby,
    Optional<java.time.Duration> watch,
    boolean insecure,
    Optional<ToolOptions> tool) {

  static final String LIST = "list";
  static final String TOPOLOGY = "topology";
  static final String VERSION = "version";
  static final String DCS = "dcs";
  static final String MEMBERS = "members";
  static final String ADD = "add";
  static final String REMOVE = "remove";
  static final String PROMOTE_CLUSTER = "promote-cluster";
  static final String DEMOTE_CLUSTER = "demote-cluster";
  static final String COMMANDS = "list, topology, history, dsn, query, version, flush, remove, "
      + "promote-cluster, demote-cluster, dcs, switchover, failover, restart, reload, reinit, pause, resume, "
      + "edit-config, show-config, backup, backups, restore, completion";
  /** demote-cluster's options and the standby_cluster keys they set (Patroni's names for both). */
  static final Map<String, String> STANDBY_OPTIONS = orderedOf("--host", "host", "--port", "port",
      "--restore-command", "restore_command", "--primary-slot-name", "primary_slot_name");

  CommandLine {
    clusterNames = List.copyOf(clusterNames);
    arguments = List.copyOf(arguments);
    standby = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(standby));
  }

  /** Without watch, -k and tool options (the commands that have none). */
  CommandLine(Optional<String> configFile, boolean help, Optional<String> command, List<String> clusterNames,
      OutputFormat format, boolean extended, boolean timestamp, Optional<String> dcsCommand, List<String> arguments,
      boolean force, Map<String, String> standby) {
    this(configFile, help, command, clusterNames, format, extended, timestamp, dcsCommand, arguments, force, standby,
        Optional.empty(), false, Optional.empty());
  }

  /** Parses {@code args} with the model ({@link CommandTree}); a bad argument throws a usage error naming it. */
  static CommandLine parse(String[] args) {
    return from(CommandTree.parse(args));
  }

  /**
   * The command line the model parsed, with the values of list, topology, dcs, promote-cluster, demote-cluster
   * and the commands of {@link ToolOptions} checked. The other commands read their options from the
   * {@link Invocation} themselves; here they get the global options only.
   */
  static CommandLine from(Invocation a) {
    if (a.command().isEmpty()) {
      if (!a.help()) {
        throw CtlException.usage("missing command (one of: " + COMMANDS + ")");
      }
      return new CommandLine(a.configFile(), true, Optional.empty(), List.of(), OutputFormat.PRETTY, false, false,
          Optional.empty(), List.of(), false, Map.of());
    }
    String command = a.command().get();
    if (ToolOptions.COMMANDS.contains(command)) {
      ToolOptions tool = ToolOptions.options(a);
      return new CommandLine(a.configFile(), tool.help(), a.command(), tool.clusterName().stream().toList(),
          tool.format(), false, false, Optional.empty(), List.of(), tool.force(), Map.of(), tool.watch(),
          a.insecure(), Optional.of(tool));
    }
    if (command.equals(DCS)) {
      return dcs(a);
    }
    Map<String, String> standby = new LinkedHashMap<>();
    if (command.equals(DEMOTE_CLUSTER)) {
      // in the order typed: demote-cluster shows the settings so
      for (Map.Entry<String, String> o : a.ordered()) {
        if (STANDBY_OPTIONS.containsKey(o.getKey())) {
          standby.put(STANDBY_OPTIONS.get(o.getKey()), o.getValue());
        }
      }
      // a whole number, as click checks an INTEGER option; what the values mean is checked against the dynamic
      // configuration's own rules when the command runs
      String port = standby.get("port");
      if (port != null && !port.trim().matches("[-+]?\\d{1,9}")) {
        throw CtlException.usage("invalid value for --port: '" + port + "' is not a valid integer");
      }
    }
    // only list has --format here; the other commands with one read it themselves
    OutputFormat format = command.equals(LIST) ? OutputFormat.option(a, OutputFormat.PRETTY) : OutputFormat.PRETTY;
    return new CommandLine(a.configFile(), a.help(), a.command(), a.positionals(), format, a.flag("--extended"),
        a.flag("--timestamp"), Optional.empty(), List.of(), a.flag("--force"), standby, ToolOptions.watch(a),
        a.insecure(), Optional.empty());
  }

  /** {@code dcs members [-f FORMAT] [-t]}, {@code dcs add ID HOST:PORT}, {@code dcs remove ID [--force]}. */
  private static CommandLine dcs(Invocation a) {
    Optional<String> sub = a.path().size() > 1 ? Optional.of(a.path().get(1)) : Optional.empty();
    List<String> args = a.positionals();
    if (sub.isEmpty() && !a.help()) {
      throw CtlException.usage("missing dcs command (one of: members, add, remove)");
    }
    if (sub.isPresent() && !a.help()) {
      int wanted = sub.get().equals(ADD) ? 2 : sub.get().equals(REMOVE) ? 1 : 0;
      if (args.size() != wanted) {
        throw CtlException.usage(sub.get().equals(ADD)
            ? "dcs add takes ID and HOST:PORT (the new member's Raft id and address, as in its raft.self_addr), got "
                + args.size() + " argument(s)"
            : "dcs remove takes ID (a member id as pgctl dcs members shows it), got " + args.size()
                + " argument(s)");
      }
    }
    OutputFormat format = OutputFormat.option(a, OutputFormat.PRETTY);
    return new CommandLine(a.configFile(), a.help(), a.command(), List.of(), format, false, a.flag("--timestamp"),
        sub, args, a.flag("--force"), Map.of(), Optional.empty(), a.insecure(), Optional.empty());
  }

  private static Map<String, String> orderedOf(String... pairs) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return java.util.Collections.unmodifiableMap(m);
  }
}
