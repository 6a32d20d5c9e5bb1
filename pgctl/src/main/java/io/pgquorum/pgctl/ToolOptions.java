package io.pgquorum.pgctl;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The arguments of {@code history}, {@code remove}, {@code query}, {@code dsn}, {@code version} and {@code flush},
 * with patronictl's option names, as the model ({@link CommandTree}) parsed them.
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

  /** Parses the arguments after {@code command} (with the model, {@link CommandTree}). */
  static ToolOptions parse(String command, List<String> args) {
    return options(CommandTree.parse(command, args));
  }

  /** The options of a parsed history, remove, query, dsn, version or flush, their values checked. */
  static ToolOptions options(Invocation a) {
    String command = a.command().orElseThrow();
    boolean help = a.help();
    OutputFormat format = OutputFormat.option(a, command.equals(QUERY) ? OutputFormat.TSV : OutputFormat.PRETTY);
    Optional<String> role = a.value("--role");
    if (role.isPresent() && !ROLES.contains(role.get())) {
      throw CtlException.usage("invalid value for --role: '" + role.get() + "' (choose from "
          + String.join(", ", ROLES) + ")");
    }
    Optional<Duration> watch = watch(a);
    List<String> positional = a.positionals();
    Optional<String> cluster = positional.isEmpty() ? Optional.empty() : Optional.of(positional.get(0));
    List<String> rest = positional.isEmpty() ? List.of() : positional.subList(1, positional.size());
    Optional<String> target = Optional.empty();
    if (!help) {
      switch (command) {
        case REMOVE -> {
          if (cluster.isEmpty()) {
            throw CtlException.usage("missing argument CLUSTER_NAME for remove");
          }
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
        default -> {
          // CLUSTER_NAME at most (the model's), version: CLUSTER_NAME [MEMBER_NAMES...]
        }
      }
    }
    List<String> members = command.equals(CommandLine.VERSION) || command.equals(FLUSH) ? rest : List.of();
    return new ToolOptions(command, help, cluster, members, target, format, role, a.value("--member"),
        a.value("--command"), a.value("--file"), a.value("--username"), a.flag("--password"), a.value("--dbname"),
        a.value("--delimiter").orElse("\t"), watch, a.flag("--force"));
  }

  /** {@code -w/--watch SECONDS}, else {@code -W} (every 2 s), else none. */
  static Optional<Duration> watch(Invocation a) {
    Optional<String> seconds = a.value("--watch");
    if (seconds.isPresent()) {
      return Optional.of(seconds(seconds.get()));
    }
    return a.flag("-W") ? Optional.of(DEFAULT_WATCH) : Optional.empty();
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
}
