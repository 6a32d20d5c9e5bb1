package io.pgquorum.pgctl;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The arguments of {@code history}, {@code remove}, {@code query}, {@code dsn}, {@code version} and {@code flush},
 * parsed with patronictl's option names (click's conventions, as {@link CommandLine}).
 *
 * @param command the command
 * @param help {@code -h/--help}
 * @param clusterName CLUSTER_NAME (required for remove and flush)
 * @param memberNames version and flush: the members named after the cluster
 * @param target flush: restart or switchover
 * @param format {@code -f/--format} (query: {@code --format} only, default tsv)
 * @param role {@code -r/--role}: leader, primary, standby-leader, replica, standby or any
 * @param member {@code -m/--member}
 * @param sql query: {@code -c/--command}
 * @param file query: {@code -f/--file}
 * @param username query: {@code -U/--username}
 * @param password query: {@code --password} (ask for it)
 * @param dbname query: {@code -d/--dbname}
 * @param delimiter query: {@code --delimiter} for tsv (default a tab)
 * @param watch query: {@code -W} (2 s) or {@code -w/--watch SECONDS}
 * @param force flush: {@code --force}
 */
record ToolOptions(
    String command,
    boolean help,
    Optional<String> clusterName,
    List<String> memberNames,
    Optional<String> target,
    OutputFormat format,
    Optional<String> role,
    Optional<String> member,
    Optional<String> sql,
    Optional<String> file,
    Optional<String> username,
    boolean password,
    Optional<String> dbname,
    String delimiter,
    Optional<Duration> watch,
    boolean force) {

  static final String HISTORY = "history";
  static final String REMOVE = "remove";
  static final String QUERY = "query";
  static final String DSN = "dsn";
  static final String FLUSH = "flush";
  static final List<String> COMMANDS = List.of(HISTORY, REMOVE, QUERY, DSN, CommandLine.VERSION, FLUSH);
  /** patronictl's role choices for {@code -r/--role}. */
  static final List<String> ROLES = List.of("leader", "primary", "standby-leader", "replica", "standby", "any");
  static final List<String> FLUSH_TARGETS = List.of("restart", "switchover");
  /** patronictl's {@code -W}: refresh every 2 seconds. */
  static final Duration DEFAULT_WATCH = Duration.ofSeconds(2);

  ToolOptions {
    memberNames = List.copyOf(memberNames);
  }

  /** Parses the arguments after {@code command}; a bad one throws a usage {@link CtlException} naming it. */
  static ToolOptions parse(String command, List<String> args) {
    CommandLine.Cursor in = new CommandLine.Cursor(args.toArray(String[]::new));
    boolean help = false;
    List<String> positional = new ArrayList<>();
    OutputFormat format = command.equals(QUERY) ? OutputFormat.TSV : OutputFormat.PRETTY;
    Optional<String> role = Optional.empty();
    Optional<String> member = Optional.empty();
    Optional<String> sql = Optional.empty();
    Optional<String> file = Optional.empty();
    Optional<String> username = Optional.empty();
    boolean password = false;
    Optional<String> dbname = Optional.empty();
    String delimiter = "\t";
    Optional<Duration> watch = Optional.empty();
    boolean force = false;
    boolean optionsEnded = false;
    boolean query = command.equals(QUERY);
    while (in.hasNext()) {
      String arg = in.next();
      String option = CommandLine.optionName(arg);
      if (optionsEnded || !arg.startsWith("-") || arg.equals("-")) {
        positional.add(arg);
      } else if (arg.equals("--")) {
        optionsEnded = true;
      } else if (arg.equals("-h") || arg.equals("--help")) {
        help = true;
      } else if (CommandLine.isOption(arg, "-c", "--config-file") && !query) {
        throw CtlException.usage("option " + option + " must come before the command: pgctl " + option + " FILE "
            + command);
      } else if (arg.equals("--config-file") || arg.startsWith("--config-file=")) {
        throw CtlException.usage("option " + option + " must come before the command: pgctl " + option + " FILE "
            + command);
      } else if ((command.equals(HISTORY) || command.equals(REMOVE)) && CommandLine.isOption(arg, "-f", "--format")
          || query && (arg.equals("--format") || arg.startsWith("--format="))) {
        String value = in.value(arg, "-f", "--format");
        format = OutputFormat.parse(value).orElseThrow(() -> CtlException.usage(
            "invalid value for --format: '" + value + "' (choose from " + OutputFormat.CHOICES + ")"));
      } else if ((query || command.equals(DSN) || command.equals(FLUSH)) && CommandLine.isOption(arg, "-r", "--role")) {
        String value = in.value(arg, "-r", "--role");
        if (!ROLES.contains(value)) {
          throw CtlException.usage("invalid value for --role: '" + value + "' (choose from "
              + String.join(", ", ROLES) + ")");
        }
        role = Optional.of(value);
      } else if ((query || command.equals(DSN)) && CommandLine.isOption(arg, "-m", "--member")) {
        member = Optional.of(in.value(arg, "-m", "--member"));
      } else if (query && CommandLine.isOption(arg, "-c", "--command")) {
        sql = Optional.of(in.value(arg, "-c", "--command"));
      } else if (query && CommandLine.isOption(arg, "-f", "--file")) {
        file = Optional.of(in.value(arg, "-f", "--file"));
      } else if (query && CommandLine.isOption(arg, "-U", "--username")) {
        username = Optional.of(in.value(arg, "-U", "--username"));
      } else if (query && arg.equals("--password")) {
        password = true;
      } else if (query && CommandLine.isOption(arg, "-d", "--dbname")) {
        dbname = Optional.of(in.value(arg, "-d", "--dbname"));
      } else if (query && (arg.equals("--delimiter") || arg.startsWith("--delimiter="))) {
        delimiter = in.value(arg, "--delimiter", "--delimiter");
      } else if (query && arg.equals("-W")) {
        watch = Optional.of(watch.orElse(DEFAULT_WATCH));
      } else if (query && CommandLine.isOption(arg, "-w", "--watch")) {
        watch = Optional.of(seconds(in.value(arg, "-w", "--watch")));
      } else if (command.equals(FLUSH) && arg.equals("--force")) {
        force = true;
      } else {
        throw CtlException.mistyped("no such option for " + command + ": " + option, List.of(command), arg);
      }
    }
    Optional<String> cluster = positional.isEmpty() ? Optional.empty() : Optional.of(positional.get(0));
    List<String> rest = positional.isEmpty() ? List.of() : positional.subList(1, positional.size());
    Optional<String> target = Optional.empty();
    if (!help) {
      switch (command) {
        case REMOVE -> {
          if (cluster.isEmpty()) {
            throw CtlException.usage("missing argument CLUSTER_NAME for remove");
          }
          extra(command, rest);
        }
        case FLUSH -> {
          if (cluster.isEmpty()) {
            throw CtlException.usage("missing argument CLUSTER_NAME for flush");
          }
          if (rest.isEmpty()) {
            throw CtlException.usage("missing argument for flush: restart or switchover");
          }
          String t = rest.get(rest.size() - 1);
          if (!FLUSH_TARGETS.contains(t)) {
            throw CtlException.usage("invalid value for flush: '" + t + "' (choose from restart, switchover)");
          }
          target = Optional.of(t);
          rest = rest.subList(0, rest.size() - 1);
        }
        case CommandLine.VERSION -> {
          // CLUSTER_NAME [MEMBER_NAMES...]
        }
        default -> extra(command, rest);
      }
    }
    List<String> members = command.equals(CommandLine.VERSION) || command.equals(FLUSH) ? rest : List.of();
    return new ToolOptions(command, help, cluster, members, target, format, role, member, sql, file, username,
        password, dbname, delimiter, watch, force);
  }

  /** {@code -w/--watch SECONDS}: a positive number (fractions allowed, as patronictl's float). */
  static Duration seconds(String value) {
    double s;
    try {
      s = Double.parseDouble(value.trim());
    } catch (NumberFormatException e) {
      throw CtlException.usage("invalid value for --watch: '" + value + "' is not a valid float");
    }
    if (!(s > 0) || s > Duration.ofDays(1).toSeconds()) {
      throw CtlException.usage("invalid value for --watch: '" + value + "' (a number of seconds above 0, at most "
          + "a day)");
    }
    return Duration.ofNanos((long) (s * 1e9));
  }

  private static void extra(String command, List<String> rest) {
    if (!rest.isEmpty()) {
      throw CtlException.usage("unexpected extra argument for " + command + ": '" + rest.get(0) + "' (it takes one "
          + "CLUSTER_NAME at most)");
    }
  }
}
