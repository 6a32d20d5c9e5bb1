package io.pgquorum.pgctl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed pgctl command line: {@code pgctl [global options] COMMAND [command options] [CLUSTER_NAME]}, with
 * click's conventions (what patronictl users type): global options before the command, {@code --opt value},
 * {@code --opt=value}, {@code -o value} and {@code -ovalue}, and {@code --} to end options.
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
  private static final List<String> DCS_COMMANDS = List.of(MEMBERS, ADD, REMOVE);

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

  /** Parses {@code args}; a bad argument throws a usage {@link CtlException} naming it. */
  static CommandLine parse(String[] args) {
    Cursor in = new Cursor(args);
    Optional<String> configFile = Optional.empty();
    boolean help = false;
    boolean insecure = false;
    String command = null;
    while (in.hasNext() && command == null) {
      String arg = in.next();
      if (arg.equals("-h") || arg.equals("--help")) {
        help = true;
      } else if (isOption(arg, "-c", "--config-file")) {
        configFile = Optional.of(in.value(arg, "-c", "--config-file"));
      } else if (arg.equals("-k") || arg.equals("--insecure")) {
        insecure = true; // for every REST call (RestClient), as patronictl's
      } else if (arg.equals("-d") || arg.startsWith("--dcs")) {
        throw CtlException.usage("option " + optionName(arg) + " is not supported: pgctl finds the DCS "
            + "through the raft section of the configuration file (-c)");
      } else if (arg.startsWith("-") && !arg.equals("-")) {
        throw CtlException.mistyped("no such option: " + optionName(arg), List.of(), arg);
      } else {
        command = arg;
      }
    }
    if (command == null) {
      if (help) {
        return new CommandLine(configFile, true, Optional.empty(), List.of(), OutputFormat.PRETTY, false, false,
            Optional.empty(), List.of(), false, Map.of());
      }
      throw CtlException.usage("missing command (one of: " + COMMANDS + ")");
    }
    if (ConfigCommands.NAMES.contains(command) || BackupCommands.NAMES.contains(command)
        || command.equals(RestoreCommand.NAME) || command.equals(CommandTree.COMPLETION)) {
      // Options parsed by ConfigCommands (BackupCommands, RestoreCommand, completion) itself; kept here as typed.
      List<String> rest = new ArrayList<>();
      while (in.hasNext()) {
        rest.add(in.next());
      }
      return new CommandLine(configFile, help, Optional.of(command), List.of(), OutputFormat.PRETTY, false, false,
          Optional.empty(), rest, false, Map.of(), Optional.empty(), insecure, Optional.empty());
    }
    if (SwitchoverCommand.NAMES.contains(command)) {
      // Its own options (SwitchoverCommand.parse): passed on as they were typed.
      List<String> rest = in.rest();
      int end = rest.indexOf("--");
      boolean asked = (end < 0 ? rest : rest.subList(0, end)).stream().anyMatch(a -> a.equals("-h")
          || a.equals("--help"));
      return new CommandLine(configFile, help || asked, Optional.of(command), List.of(), OutputFormat.PRETTY, false,
          false, Optional.empty(), rest, false, Map.of(), Optional.empty(), insecure, Optional.empty());
    }
    if (!List.of(LIST, TOPOLOGY, VERSION, DCS, PROMOTE_CLUSTER, DEMOTE_CLUSTER).contains(command)
        && !ToolOptions.COMMANDS.contains(command)) {
      throw CtlException.mistyped("no such command: '" + command + "' (commands: " + COMMANDS + ")", List.of(),
          command);
    }
    if (ToolOptions.COMMANDS.contains(command)) {
      List<String> rest = new ArrayList<>();
      while (in.hasNext()) {
        rest.add(in.next());
      }
      ToolOptions tool = ToolOptions.parse(command, rest);
      return new CommandLine(configFile, help || tool.help(), Optional.of(command), tool.clusterName().stream()
          .toList(), tool.format(), false, false, Optional.empty(), List.of(), tool.force(), Map.of(),
          tool.watch(), insecure, Optional.of(tool));
    }
    if (command.equals(DCS)) {
      return parseDcs(in, configFile, help);
    }
    if (command.equals(PROMOTE_CLUSTER) || command.equals(DEMOTE_CLUSTER)) {
      return parseClusterRole(in, configFile, help, command);
    }
    List<String> names = new ArrayList<>();
    OutputFormat format = OutputFormat.PRETTY;
    boolean extended = false;
    boolean timestamp = false;
    Optional<java.time.Duration> watch = Optional.empty();
    boolean optionsEnded = false;
    while (in.hasNext()) {
      String arg = in.next();
      if (optionsEnded || !arg.startsWith("-") || arg.equals("-")) {
        names.add(arg);
      } else if (arg.equals("--")) {
        optionsEnded = true;
      } else if (arg.equals("-h") || arg.equals("--help")) {
        help = true;
      } else if (isOption(arg, "-c", "--config-file")) {
        throw CtlException.usage("option " + optionName(arg) + " must come before the command: pgctl "
            + optionName(arg) + " FILE " + command);
      } else if (command.equals(LIST) && isOption(arg, "-f", "--format")) {
        String value = in.value(arg, "-f", "--format");
        format = OutputFormat.parse(value).orElseThrow(() -> CtlException.usage(
            "invalid value for --format: '" + value + "' (choose from " + OutputFormat.CHOICES + ")"));
      } else if (command.equals(LIST) && (arg.equals("-e") || arg.equals("--extended"))) {
        extended = true;
      } else if (!command.equals(VERSION) && (arg.equals("-t") || arg.equals("--timestamp"))) {
        timestamp = true;
      } else if (arg.equals("-W")) {
        watch = Optional.of(watch.orElse(ToolOptions.DEFAULT_WATCH));
      } else if (isOption(arg, "-w", "--watch")) {
        watch = Optional.of(ToolOptions.seconds(in.value(arg, "-w", "--watch")));
      } else {
        throw CtlException.mistyped("no such option for " + command + ": " + optionName(arg), List.of(command),
            arg);
      }
    }
    return new CommandLine(configFile, help, Optional.of(command), names, format, extended, timestamp,
        Optional.empty(), List.of(), false, Map.of(), watch, insecure, Optional.empty());
  }

  /**
   * {@code promote-cluster [CLUSTER_NAME] [--force]} and {@code demote-cluster [CLUSTER_NAME] [--force]
   * [--host H] [--port P] [--restore-command C] [--primary-slot-name S]} (patronictl's). The port must be a
   * whole number here, as click checks it; what the values mean is checked against the dynamic configuration's
   * own rules when the command runs.
   */
  private static CommandLine parseClusterRole(Cursor in, Optional<String> configFile, boolean help,
      String command) {
    List<String> names = new ArrayList<>();
    Map<String, String> standby = new LinkedHashMap<>();
    boolean force = false;
    boolean optionsEnded = false;
    while (in.hasNext()) {
      String arg = in.next();
      String option = optionName(arg);
      if (optionsEnded || !arg.startsWith("-") || arg.equals("-")) {
        if (!names.isEmpty()) {
          throw CtlException.usage("unexpected extra argument for " + command + ": '" + arg + "' (it takes one "
              + "CLUSTER_NAME at most)");
        }
        names.add(arg);
      } else if (arg.equals("--")) {
        optionsEnded = true;
      } else if (arg.equals("-h") || arg.equals("--help")) {
        help = true;
      } else if (isOption(arg, "-c", "--config-file")) {
        throw CtlException.usage("option " + option + " must come before the command: pgctl " + option
            + " FILE " + command);
      } else if (arg.equals("--force")) {
        force = true;
      } else if (command.equals(DEMOTE_CLUSTER) && STANDBY_OPTIONS.containsKey(option)) {
        String value = in.value(arg, option, option);
        if (option.equals("--port") && !value.trim().matches("[-+]?\\d{1,9}")) {
          throw CtlException.usage("invalid value for --port: '" + value + "' is not a valid integer");
        }
        standby.put(STANDBY_OPTIONS.get(option), value);
      } else {
        throw CtlException.mistyped("no such option for " + command + ": " + option, List.of(command), arg);
      }
    }
    return new CommandLine(configFile, help, Optional.of(command), names, OutputFormat.PRETTY, false, false,
        Optional.empty(), List.of(), force, standby);
  }

  private static Map<String, String> orderedOf(String... pairs) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return java.util.Collections.unmodifiableMap(m);
  }

  /** {@code dcs members [-f FORMAT] [-t]}, {@code dcs add ID HOST:PORT}, {@code dcs remove ID [--force]}. */
  private static CommandLine parseDcs(Cursor in, Optional<String> configFile, boolean help) {
    String sub = null;
    List<String> args = new ArrayList<>();
    OutputFormat format = OutputFormat.PRETTY;
    boolean timestamp = false;
    boolean force = false;
    boolean optionsEnded = false;
    while (in.hasNext()) {
      String arg = in.next();
      if (optionsEnded || !arg.startsWith("-") || arg.equals("-")) {
        if (sub == null) {
          if (!DCS_COMMANDS.contains(arg)) {
            throw CtlException.mistyped("no such dcs command: '" + arg + "' (dcs commands: members, add, remove)",
                List.of(DCS), arg);
          }
          sub = arg;
        } else {
          args.add(arg);
        }
      } else if (arg.equals("--")) {
        optionsEnded = true;
      } else if (arg.equals("-h") || arg.equals("--help")) {
        help = true;
      } else if (isOption(arg, "-c", "--config-file")) {
        throw CtlException.usage("option " + optionName(arg) + " must come before the command: pgctl "
            + optionName(arg) + " FILE dcs ...");
      } else if (MEMBERS.equals(sub) && isOption(arg, "-f", "--format")) {
        String value = in.value(arg, "-f", "--format");
        format = OutputFormat.parse(value).orElseThrow(() -> CtlException.usage(
            "invalid value for --format: '" + value + "' (choose from " + OutputFormat.CHOICES + ")"));
      } else if (MEMBERS.equals(sub) && (arg.equals("-t") || arg.equals("--timestamp"))) {
        timestamp = true;
      } else if (REMOVE.equals(sub) && arg.equals("--force")) {
        force = true;
      } else {
        throw CtlException.mistyped("no such option for dcs" + (sub == null ? "" : " " + sub) + ": "
            + optionName(arg), sub == null ? List.of(DCS) : List.of(DCS, sub), arg);
      }
    }
    if (sub == null && !help) {
      throw CtlException.usage("missing dcs command (one of: members, add, remove)");
    }
    if (!help && sub != null) {
      int wanted = switch (sub) {
        case ADD -> 2;
        case REMOVE -> 1;
        default -> 0;
      };
      if (args.size() != wanted) {
        throw CtlException.usage(switch (sub) {
          case ADD -> "dcs add takes ID and HOST:PORT (the new member's Raft id and address, as in its "
              + "raft.self_addr), got " + args.size() + " argument(s)";
          case REMOVE -> "dcs remove takes ID (a member id as pgctl dcs members shows it), got " + args.size()
              + " argument(s)";
          default -> "unexpected argument for dcs members: '" + args.get(0) + "'";
        });
      }
    }
    return new CommandLine(configFile, help, Optional.of(DCS), List.of(), format, false, timestamp,
        Optional.ofNullable(sub), args, force, Map.of());
  }

  /** Whether {@code arg} is the option in any of its spellings (with an attached value or not). */
  static boolean isOption(String arg, String shortName, String longName) {
    return arg.equals(shortName) || arg.equals(longName) || arg.startsWith(longName + "=")
        || (arg.startsWith(shortName) && !arg.startsWith("--"));
  }

  /** The option part of {@code --opt=value}, so errors name the option and never echo a value. */
  static String optionName(String arg) {
    int eq = arg.indexOf('=');
    return arg.startsWith("--") && eq > 0 ? arg.substring(0, eq) : arg;
  }

  static final class Cursor {
    private final String[] args;
    private int pos;

    Cursor(String[] args) {
      this.args = args;
    }

    boolean hasNext() {
      return pos < args.length;
    }

    String next() {
      return args[pos++];
    }

    /** Everything not read yet. */
    List<String> rest() {
      List<String> out = List.of(args).subList(pos, args.length);
      pos = args.length;
      return out;
    }

    /** The value of an option just read: attached ({@code --opt=v}, {@code -ov}) or the next argument. */
    String value(String arg, String shortName, String longName) {
      if (arg.startsWith(longName + "=")) {
        return arg.substring(longName.length() + 1);
      }
      if (!arg.equals(shortName) && !arg.equals(longName)) {
        return arg.substring(shortName.length());
      }
      if (!hasNext()) {
        throw CtlException.usage("option " + arg + " requires a value");
      }
      return next();
    }
  }
}
