package io.pgquorum.pgctl;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import picocli.AutoComplete;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * pgctl's commands, sub-commands and options as one picocli model: the one list the command line is parsed with
 * ({@link #parse}), and that {@code --help} (each command's text hangs on its node), the typo suggestions ("did
 * you mean") and the bash/zsh completion scripts are made from. What picocli finds wrong is worded as patronictl
 * words it ({@link UsageErrors}); what the values mean the commands check themselves, from the {@link Invocation}.
 */
final class CommandTree {
  static final String COMPLETION = "completion";
  private static final List<String> FORMATS = List.of("pretty", "tsv", "json", "yaml");
  private static final List<String> TYPES = List.of("full", "diff", "incr");
  private static final String CLUSTER = "CLUSTER_NAME";
  private static final String HELP_SECTION = "pgctl";

  private CommandTree() {}

  /**
   * Parses a whole pgctl command line; a bad one throws a usage {@link CtlException} naming the argument.
   */
  static Invocation parse(String[] args) {
    try {
      return Invocation.of(model().parseArgs(args));
    } catch (picocli.CommandLine.ParameterException e) {
      throw UsageErrors.of(e, args);
    }
  }

  /**
   * Parses the arguments after {@code command} as that command's (the global options left at their defaults):
   * for callers that already know the command.
   */
  static Invocation parse(String command, List<String> args) {
    List<String> all = new ArrayList<>();
    all.add(command);
    all.addAll(args);
    Invocation parsed = parse(all.toArray(String[]::new));
    if (!parsed.command().equals(Optional.of(command))) {
      throw new IllegalArgumentException("not a command: " + command);
    }
    return parsed;
  }

  /** The {@code --help} text of the command at the end of {@code path} (pgctl's own with an empty path). */
  static String help(List<String> path) {
    picocli.CommandLine at = model();
    for (String name : path) {
      at = at.getSubcommands().get(name);
    }
    return at.getUsageMessage();
  }

  /** The model; a new one each time (picocli's objects are mutable, and a parse fills them). */
  static picocli.CommandLine model() {
    CommandSpec root = spec("pgctl", "patronictl's commands for a pgquorum cluster");
    root.addOption(valued("FILE", "a node's configuration file", "-c", "--config-file"));
    root.addOption(flag("do not verify the certificates of members' REST APIs", "-k", "--insecure"));
    picocli.CommandLine cl = new picocli.CommandLine(root);
    add(cl, "list", "list the members of the cluster", clusters(),
        choice(FORMATS, "-f", "--format"), flag("show every optional column", "-e", "--extended"),
        flag("print the time first", "-t", "--timestamp"), flag("refresh every 2 seconds", "-W"),
        valued("SECONDS", "refresh every SECONDS", "-w", "--watch"));
    add(cl, "topology", "show the members as a replication tree under the leader", clusters(),
        flag("print the time first", "-t", "--timestamp"), flag("refresh every 2 seconds", "-W"),
        valued("SECONDS", "refresh every SECONDS", "-w", "--watch"));
    add(cl, "promote-cluster", "promote a standby cluster", cluster(), force());
    add(cl, "demote-cluster", "demote the cluster to a standby cluster of a remote one", cluster(), force(),
        valued("TEXT", "address of the remote primary", "--host"),
        valued("INTEGER", "PostgreSQL port of the remote primary", "--port"),
        valued("TEXT", "command that restores WAL from the remote's archive", "--restore-command"),
        valued("TEXT", "replication slot on the remote primary", "--primary-slot-name"));
    add(cl, "history", "show the timeline switches", cluster(), choice(FORMATS, "-f", "--format"));
    add(cl, "dsn", "print the connection string of the leader or a member", cluster(), role(),
        valued("TEXT", "the member", "-m", "--member"));
    add(cl, "query", "run SQL on the leader or a member", cluster(),
        valued("TEXT", "the SQL to run", "-c", "--command"), valued("FILE", "run the SQL in this file", "-f",
            "--file"), role(), valued("TEXT", "the member", "-m", "--member"),
        valued("TEXT", "database user name", "-U", "--username"), flag("ask for the password", "--password"),
        valued("TEXT", "database name", "-d", "--dbname"), choice(FORMATS, "--format"),
        valued("TEXT", "column delimiter for tsv", "--delimiter"), flag("run again every 2 seconds", "-W"),
        valued("SECONDS", "run again every SECONDS", "-w", "--watch"));
    add(cl, "flush", "discard scheduled restarts or a scheduled switchover", positional("CLUSTER_NAME "
        + "[MEMBER_NAMES]... restart|switchover", "0..*", List.of("restart", "switchover")), role(), force());
    add(cl, "remove", "remove the cluster's keys from the DCS", cluster(), choice(FORMATS, "-f", "--format"));
    for (String name : List.of("pause", "resume")) {
      add(cl, name, name.equals("pause") ? "maintenance mode: the nodes stop managing PostgreSQL"
          : "end maintenance mode", cluster(), flag("wait until every member has followed", "--wait"));
    }
    add(cl, "show-config", "show the dynamic configuration", cluster());
    add(cl, "edit-config", "change the dynamic configuration", cluster(),
        valued("K=V", "set a key", "-s", "--set"), valued("P=V", "set a PostgreSQL parameter", "-p", "--pg"),
        valued("FILE", "apply a YAML patch (- for standard input)", "--apply"),
        valued("FILE", "replace the configuration (- for standard input)", "--replace"),
        flag("do not show the change", "-q", "--quiet"), force());
    picocli.CommandLine dcs = add(cl, "dcs", "list, add and remove the members of the embedded DCS (Raft)");
    add(dcs, "members", "the members of the DCS", choice(FORMATS, "-f", "--format"),
        flag("print the time first", "-t", "--timestamp"));
    add(dcs, "add", "add a member that waits to be added", positional("ID HOST:PORT", "0..*", List.of()));
    add(dcs, "remove", "remove a member", positional("ID", "0..*", List.of()), force());
    add(cl, "restart", "restart PostgreSQL on members", members(), role(),
        flag("restart a single member only", "--any"), valued("TEXT", "when", "--scheduled"),
        valued("TEXT", "restart only if the version is less", "--pg-version"),
        flag("only the members with a pending restart", "--pending"),
        valued("TEXT", "how long PostgreSQL may take to start", "--timeout"), force());
    add(cl, "reload", "reload the configuration of members", members(), role(), force());
    add(cl, "reinit", "rebuild a replica from the leader", members(),
        flag("clone from the leader with pg_basebackup", "--from-leader"),
        flag("wait until the rebuild is done", "--wait"), force());
    add(cl, "switchover", "hand the leader role to another member", cluster(),
        valued("TEXT", "the current leader", "--leader", "--primary"),
        valued("TEXT", "the member to promote", "--candidate"),
        valued("TEXT", "when: now, or an ISO-8601 time", "--scheduled"), force());
    add(cl, "failover", "promote a named member", cluster(), valued("TEXT", "the member to promote",
        "--candidate"), force());
    add(cl, "backup", "take a pgBackRest backup on the leader", cluster(), choice(TYPES, "--type"),
        flag("wait until the backup is done", "--wait"));
    add(cl, "backups", "list the backups in the pgBackRest repository", cluster(),
        choice(FORMATS, "-f", "--format"));
    add(cl, "restore", "point-in-time recovery from the repository", cluster(),
        valued("TIME", "recover to this time", "--target-time"), valued("LSN", "recover to this LSN",
            "--target-lsn"), valued("XID", "recover to this transaction", "--target-xid"),
        valued("NAME", "recover to this restore point", "--target-name"),
        flag("recover to the end of the backup", "--target-immediate"),
        valued("LABEL", "the backup set to restore", "--set"), flag("stop before the target", "--exclusive"),
        flag("show the plan, change nothing", "--dry-run"), force(),
        valued("DIR", "restore a separate copy into DIR", "--to"),
        valued("PORT", "the copy's port", "--port"));
    add(cl, "version", "print pgctl's version, and the members' versions", members());
    add(cl, COMPLETION, "print a bash or zsh completion script", positional("bash|zsh", "0..1",
        List.of("bash", "zsh")));
    // click's conventions, which patronictl users type: an option given twice keeps the last value, an option's
    // value is whatever follows it (edit-config --apply -, query -c "-- comment"), and an argument starting with
    // @ is just that (a member or a password, never a file of arguments). Set last: picocli applies these to the
    // sub-commands that exist when they are set.
    cl.setOverwrittenOptionsAllowed(true);
    cl.setAllowOptionsAsOptionParameters(true);
    cl.setExpandAtFiles(false);
    return cl;
  }

  /**
   * "; did you mean X?" for a mistyped command or option, empty when nothing is close (and when the model has no
   * such {@code path}). The candidates are the
   * model's names at {@code path}; the close ones are picocli's suggestions (options sharing the first letters)
   * and the names at most two edits away (a swapped pair of letters is one edit), closest first. Why not
   * picocli's suggestions alone: for commands they are its three most similar by letter pairs, whatever the
   * score, which offers "reinit" for "lsit"; the edit distance finds "list" and offers nothing when nothing is
   * near.
   *
   * @param path the command and sub-command the word was typed after (none: a global option or a command)
   */
  static String didYouMean(List<String> path, String word) {
    picocli.CommandLine at = model();
    for (String name : path) {
      Map<String, picocli.CommandLine> subs = at.getSubcommands();
      if (!subs.containsKey(name)) {
        return "";
      }
      at = subs.get(name);
    }
    String typed = word.startsWith("--") && word.indexOf('=') > 0 ? word.substring(0, word.indexOf('=')) : word;
    boolean option = typed.startsWith("-");
    List<String> names = option
        ? at.getCommandSpec().options().stream().flatMap(o -> Stream.of(o.names())).toList()
        : List.copyOf(at.getSubcommands().keySet());
    Set<String> close = new LinkedHashSet<>();
    if (option) {
      close.addAll(new UnmatchedArgumentException(at, List.of(typed)).getSuggestions());
      close.retainAll(names); // its prefix matches come without their dashes in some picocli versions
    }
    String bare = strip(typed);
    if (bare.length() >= 3) {
      int limit = Math.min(2, bare.length() / 3);
      names.stream().filter(n -> n.startsWith("-") == option)
          .filter(n -> distance(bare, strip(n)) <= limit)
          .sorted(Comparator.comparingInt(n -> distance(bare, strip(n))))
          .forEach(close::add);
    }
    close.removeAll(List.of(typed, "-h", "--help"));
    return close.isEmpty() ? "" : "; did you mean " + String.join(" or ", close) + "?";
  }

  /** The command path of a node of the model: empty for pgctl itself, [dcs, add] for dcs add. */
  static List<String> pathOf(CommandSpec spec) {
    List<String> names = List.of(spec.qualifiedName(" ").split(" "));
    return names.subList(1, names.size());
  }

  private static String strip(String name) {
    return name.replaceFirst("^-+", "");
  }

  /** Edits (insert, delete, replace, swap two neighbours) from {@code a} to {@code b}. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      for (int j = 0; j <= b.length(); j++) {
        if (i == 0 || j == 0) {
          d[i][j] = i + j;
          continue;
        }
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }

  /** {@code pgctl completion bash|zsh}: picocli's script, which zsh runs through its bashcompinit. */
  static String completionScript() {
    return AutoComplete.bash("pgctl", model());
  }

  private static picocli.CommandLine add(picocli.CommandLine parent, String name, String description,
      Object... args) {
    CommandSpec spec = spec(name, description);
    for (Object a : args) {
      if (a instanceof OptionSpec o) {
        spec.addOption(o);
      } else {
        spec.addPositional((PositionalParamSpec) a);
      }
    }
    picocli.CommandLine sub = new picocli.CommandLine(spec);
    parent.addSubcommand(name, sub);
    return sub;
  }

  private static CommandSpec spec(String name, String description) {
    CommandSpec spec = CommandSpec.create().name(name);
    spec.usageMessage().description(description);
    // --help prints the node's text: patronictl's layout, written out in Help (picocli's generated usage would
    // differ from what users and tests read). The node's qualified name says which text.
    spec.usageMessage().sectionKeys(List.of(HELP_SECTION)).sectionMap(Map.of(HELP_SECTION,
        help -> Help.of(pathOf(help.commandSpec()))));
    spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("show this message and exit")
        .build());
    return spec;
  }

  private static OptionSpec flag(String description, String... names) {
    return OptionSpec.builder(names).arity("0").type(boolean.class).description(description).build();
  }

  private static OptionSpec valued(String label, String description, String... names) {
    return OptionSpec.builder(names).arity("1").type(String.class).paramLabel(label).description(description)
        .build();
  }

  private static OptionSpec choice(List<String> choices, String... names) {
    return OptionSpec.builder(names).arity("1").type(String.class).paramLabel("[" + String.join("|", choices) + "]")
        .completionCandidates(choices).build();
  }

  private static OptionSpec role() {
    return choice(ToolOptions.ROLES, "-r", "--role");
  }

  private static OptionSpec force() {
    return flag("do not ask for confirmation", "--force");
  }

  private static PositionalParamSpec cluster() {
    return positional(CLUSTER, "0..1", List.of());
  }

  private static PositionalParamSpec clusters() {
    return positional("[" + CLUSTER + "]...", "0..*", List.of());
  }

  private static PositionalParamSpec members() {
    return positional(CLUSTER + " [MEMBER_NAMES]...", "0..*", List.of());
  }

  private static PositionalParamSpec positional(String label, String arity, List<String> candidates) {
    // several values need a multi-value type: a String takes one whatever the arity
    PositionalParamSpec.Builder b = PositionalParamSpec.builder().paramLabel(label).arity(arity)
        .type(arity.endsWith("*") ? String[].class : String.class);
    if (!candidates.isEmpty()) {
      b.completionCandidates(new ArrayList<>(candidates));
    }
    return b.build();
  }
}
