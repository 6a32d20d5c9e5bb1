package io.pgquorum.pgctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.Member;
import io.pgquorum.coordinator.config.NodeConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * patronictl's {@code restart}, {@code reload} and {@code reinit} (4.1): each prints the cluster table, asks what
 * patronictl asks (unless {@code --force}), then calls every chosen member's REST API ({@code POST /restart},
 * {@code /reload}, {@code /reinitialize}, with {@code ctl.authentication}, else {@code restapi.authentication},
 * from the configuration file; TLS as its {@code ctl} section says, see {@link RestClient}) and
 * prints one line per member in patronictl's words. Without a terminal and without {@code --force}, a command that
 * would prompt says so and exits 1 instead of waiting for an answer nobody can type.
 *
 * <p>Parsed here rather than in {@link CommandLine}: these commands have options of their own
 * ({@code --scheduled}, {@code --pending}, {@code --from-leader}, ...) and {@link PgCtl} hands them over before its
 * own parsing.
 */
final class OperationsCommands {
  static final String RESTART = "restart";
  static final String RELOAD = "reload";
  static final String REINIT = "reinit";
  static final Set<String> NAMES = Set.of(RESTART, RELOAD, REINIT);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm");
  /** patronictl polls a reinitializing member every 2 s. */
  static final Duration WAIT_POLL = Duration.ofSeconds(2);

  private OperationsCommands() {}

  /** The parsed command: its options as patronictl names them. */
  record Options(String command, List<String> names, Optional<String> role, boolean any,
      Optional<String> scheduled, Optional<String> pgVersion, boolean pending, Optional<String> timeout,
      boolean force, boolean fromLeader, boolean waitDone) {}

  /** {@code pgctl COMMAND --help}. */
  static String help(String command) {
    return switch (command) {
      case RESTART -> """
          Usage: pgctl [-c FILE] restart [OPTIONS] CLUSTER_NAME [MEMBER_NAMES]...

            Restart PostgreSQL on the members (all without names), through their REST API.

          Options:
            -r, --role [leader|primary|standby-leader|replica|standby|any]
            --any                  restart a single member only
            --scheduled TEXT       when: an ISO-8601 time (local time without a zone) or now
            --pg-version TEXT      restart only if the version is less than this
            --pending              restart only the members with a pending restart
            --timeout TEXT         how long PostgreSQL may take to start
            --force                no prompts
            -h, --help             show this message and exit
          """;
      case RELOAD -> """
          Usage: pgctl [-c FILE] reload [OPTIONS] CLUSTER_NAME [MEMBER_NAMES]...

            Reload the members' configuration (their file, then PostgreSQL's).

          Options:
            -r, --role [leader|primary|standby-leader|replica|standby|any]
            --force                no prompts
            -h, --help             show this message and exit
          """;
      default -> """
          Usage: pgctl [-c FILE] reinit [OPTIONS] CLUSTER_NAME [MEMBER_NAMES]...

            Rebuild replicas: their data directory is moved aside (not deleted) and cloned again.

          Options:
            --from-leader  clone from the leader with pg_basebackup
            --wait         wait until the rebuild is done
            --force        no prompts
            -h, --help     show this message and exit
          """;
    };
  }

  /** Parses the arguments after {@code command} (with the model, {@link CommandTree}). */
  static Options parse(String command, List<String> args) {
    return options(CommandTree.parse(command, args));
  }

  /** The options of a parsed restart, reload or reinit; a role that is not one of patronictl's is refused. */
  static Options options(Invocation a) {
    Optional<String> role = a.value("--role");
    if (role.isPresent() && !ToolOptions.ROLES.contains(role.get())) {
      throw CtlException.usage("invalid value for '-r' / '--role': '" + role.get() + "' is not one of "
          + "'leader', 'primary', 'standby-leader', 'replica', 'standby', 'any'");
    }
    return new Options(a.command().orElseThrow(), a.positionals(), role, a.flag("--any"), a.value("--scheduled"),
        a.value("--pg-version"), a.flag("--pending"), a.value("--timeout"), a.flag("--force"),
        a.flag("--from-leader"), a.flag("--wait"));
  }

  /** Answers typed at prompts: a terminal, or none (then a prompt is an error). */
  interface Prompter {
    /** The answer to {@code question}; {@code fallback} (null: none) when the user just presses enter. */
    String ask(String question, String fallback);

    boolean confirm(String question);
  }

  static Prompter prompter(boolean terminal, BufferedReader in, PrintStream out, String command) {
    return new Prompter() {
      @Override
      public String ask(String question, String fallback) {
        requireTerminal();
        out.print(question + (fallback == null ? "" : " [" + fallback + "]") + ": ");
        out.flush();
        try {
          String line = in.readLine();
          return line == null || line.isBlank() ? (fallback == null ? "" : fallback) : line.trim();
        } catch (IOException e) {
          return fallback;
        }
      }

      @Override
      public boolean confirm(String question) {
        requireTerminal();
        return DcsMemberCommands.confirm(question, in, out);
      }

      private void requireTerminal() {
        if (!terminal) {
          throw CtlException.failure("pgctl " + command + " needs a confirmation, and standard input is not a "
              + "terminal: run it from a terminal, or pass --force to skip every prompt");
        }
      }
    };
  }

  /** Runs one of the commands against the cluster of {@code config}; the exit status. */
  static int run(Options o, NodeConfig config, ClusterSource clusters, Prompter prompt, PrintStream out,
      Function<Member, Rest> rest) {
    String scope = config.scope();
    List<String> names = o.names();
    if (names.isEmpty()) {
      throw CtlException.usage("Missing argument 'CLUSTER_NAME'.");
    }
    if (!names.get(0).equals(scope)) {
      throw CtlException.usage("cluster '" + names.get(0) + "' is not the cluster of this configuration, which "
          + "is '" + scope + "'");
    }
    List<String> wanted = names.subList(1, names.size());
    ClusterSnapshot cluster = clusters.read(config);
    ClusterView view = ClusterView.of(scope, cluster);
    out.print(MemberOutput.render(view, MemberTable.of(view, false, false), OutputFormat.PRETTY));
    for (String w : wanted) {
      if (cluster.member(w).isEmpty()) {
        throw CtlException.failure(w + " is not a member of cluster " + scope);
      }
    }
    List<Member> members = new ArrayList<>(cluster.members().values().stream()
        .filter(m -> wanted.isEmpty() || wanted.contains(m.name())).toList());
    return switch (o.command()) {
      case RESTART -> restart(o, cluster, members, prompt, out, rest);
      case RELOAD -> reload(o, cluster, members, prompt, out, rest);
      default -> reinit(o, cluster, members, wanted, prompt, out, rest);
    };
  }

  private static List<Member> byRole(ClusterSnapshot c, List<Member> members, Optional<String> role) {
    if (role.isEmpty() || role.get().equals("any")) {
      return members;
    }
    return members.stream().filter(m -> switch (role.get()) {
      case "leader" -> c.isLeader(m.name());
      case "primary" -> c.isLeader(m.name()) && !"standby_leader".equals(m.role());
      case "standby-leader" -> c.isLeader(m.name()) && "standby_leader".equals(m.role());
      default -> !c.isLeader(m.name());
    }).toList();
  }

  private static String names(List<Member> members) {
    return String.join(", ", members.stream().map(Member::name).toList());
  }

  private static int restart(Options o, ClusterSnapshot c, List<Member> all, Prompter prompt, PrintStream out,
      Function<Member, Rest> rest) {
    List<Member> members = byRole(c, all, o.role());
    if (members.isEmpty()) {
      throw CtlException.failure("No " + o.role().orElse("") + " among provided members");
    }
    if (o.any()) {
      members = List.of(members.get(0));
    }
    Optional<String> when = o.scheduled();
    if (when.isEmpty() && !o.force()) {
      when = Optional.of(prompt.ask("When should the restart take place (e.g. "
          + LocalDateTime.now().plusHours(1).format(TS) + ") ", "now"));
    }
    Optional<String> schedule = when.filter(w -> !w.equals("now")).map(OperationsCommands::isoWithZone);
    Optional<String> version = o.pgVersion();
    if (version.isEmpty() && !o.force()) {
      version = Optional.of(prompt.ask("Restart if the PostgreSQL version is less than provided (e.g. 9.5.2) ", ""))
          .filter(v -> !v.isEmpty());
    }
    if (o.pending() && schedule.isEmpty()) {
      members = members.stream().filter(Member::pendingRestart).toList();
    } else if (o.pending() && !o.force() && !prompt.confirm("The nodes needing a restart will be identified at "
        + "the scheduled time, and might be different from the ones showing pending restart right now. Is this "
        + "fine?")) {
      throw CtlException.failure("Aborted!");
    }
    if (!o.force()) {
      String q = schedule.map(s -> "Are you sure you want to schedule restart of members " + names(all) + " at "
          + s + "?").orElse("Are you sure you want to restart members " + names(all) + "?");
      if (!prompt.confirm(q)) {
        throw CtlException.failure("Aborted restart");
      }
    }
    ObjectNode body = JSON.createObjectNode();
    schedule.ifPresent(s -> body.put("schedule", s));
    version.ifPresent(v -> body.put("postgres_version", v));
    o.timeout().ifPresent(t -> body.put("timeout", t));
    if (o.pending()) {
      body.put("restart_pending", true);
    }
    for (Member m : members) {
      Rest api = rest.apply(m);
      if (o.force() && schedule.isPresent()) {
        api.send("DELETE", "/restart", "");
      }
      Rest.Reply r = api.send("POST", "/restart", body.toString());
      if (r.status() == 200) {
        out.println("Success: restart on member " + m.name());
      } else if (r.status() == 202) {
        out.println("Success: restart scheduled on member " + m.name());
      } else if (r.status() == 409) {
        out.println("Failed: another restart is already scheduled on member " + m.name());
      } else {
        out.println("Failed: restart for member " + m.name() + ", status code=" + r.status() + ", (" + r.body()
            + ")");
      }
    }
    return 0;
  }

  private static int reload(Options o, ClusterSnapshot c, List<Member> all, Prompter prompt, PrintStream out,
      Function<Member, Rest> rest) {
    List<Member> members = byRole(c, all, o.role());
    if (members.isEmpty()) {
      throw CtlException.failure("No " + o.role().orElse("") + " among provided members");
    }
    if (!o.force() && !prompt.confirm("Are you sure you want to reload members " + names(members) + "?")) {
      throw CtlException.failure("Aborted!");
    }
    String loopWait = c.config().map(v -> io.pgquorum.coordinator.config.TimeUnits.seconds(v.value().loopWait()))
        .orElse("10");
    for (Member m : members) {
      Rest.Reply r = rest.apply(m).send("POST", "/reload", "");
      if (r.status() == 200) {
        out.println("No changes to apply on member " + m.name());
      } else if (r.status() == 202) {
        out.println("Reload request received for member " + m.name() + " and will be processed within "
            + loopWait + " seconds");
      } else {
        out.println("Failed: reload for member " + m.name() + ", status code=" + r.status() + ", (" + r.body()
            + ")");
      }
    }
    return 0;
  }

  private static int reinit(Options o, ClusterSnapshot c, List<Member> all, List<String> wanted, Prompter prompt,
      PrintStream out, Function<Member, Rest> rest) {
    List<Member> candidates = all.stream().filter(m -> !c.isLeader(m.name())).toList();
    List<Member> members = candidates;
    if (wanted.isEmpty()) {
      // patronictl asks even with --force: the member is not something to guess.
      String which = prompt.ask("Which member do you want to reinitialize [" + names(candidates) + "]?", null);
      members = candidates.stream().filter(m -> m.name().equals(which)).toList();
    }
    if (members.isEmpty()) {
      throw CtlException.failure("No replica among provided members");
    }
    if (!o.force() && !prompt.confirm("Are you sure you want to reinitialize members " + names(members) + "?")) {
      throw CtlException.failure("Aborted!");
    }
    List<Member> started = new ArrayList<>();
    for (Member m : members) {
      Rest api = rest.apply(m);
      Rest.Reply r = api.send("POST", "/reinitialize", reinitBody(false, o.fromLeader()));
      if (r.status() == 503 && r.body().endsWith("already in progress")
          && (o.force() || prompt.confirm("Do you want to cancel it and reinitialize anyway?"))) {
        r = api.send("POST", "/reinitialize", reinitBody(true, o.fromLeader()));
      }
      if (r.status() == 200) {
        out.println("Success: reinitialize for member " + m.name());
        started.add(m);
      } else {
        out.println("Failed: reinitialize for member " + m.name() + ", status code=" + r.status() + ", ("
            + r.body() + ")");
      }
    }
    if (o.waitDone() && !started.isEmpty()) {
      out.println("Waiting for reinitialize to complete on: " + names(started));
      out.flush();
      List<Member> left = new ArrayList<>(started);
      while (!left.isEmpty()) {
        sleep(WAIT_POLL);
        left.removeIf(m -> {
          Rest.Reply s = rest.apply(m).send("GET", "/patroni", null);
          if (s.status() != 200) {
            return false;
          }
          String state = readState(s.body());
          return state.equals("running") || state.equals("streaming");
        });
      }
      out.println("Reinitialize is completed on: " + names(started));
    }
    return 0;
  }

  private static String readState(String json) {
    try {
      JsonNode n = JSON.readTree(json);
      return n.path("state").asText("");
    } catch (IOException e) {
      return "";
    }
  }

  private static String reinitBody(boolean force, boolean fromLeader) {
    ObjectNode b = JSON.createObjectNode();
    b.put("force", force);
    if (fromLeader) {
      b.put("from_leader", true);
    }
    return b.toString();
  }

  /** patronictl's parse of a schedule: a time without a zone is local time. */
  static String isoWithZone(String text) {
    String t = text.trim().replace(' ', 'T');
    try {
      return OffsetDateTime.parse(t).toString();
    } catch (DateTimeParseException e) {
      try {
        return LocalDateTime.parse(t).atZone(ZoneId.systemDefault()).toOffsetDateTime().toString();
      } catch (DateTimeParseException e2) {
        throw CtlException.failure("Unable to parse scheduled timestamp (" + text + "). It should be in an "
            + "unambiguous format (e.g. ISO 8601)");
      }
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CtlException.failure("interrupted");
    }
  }

  /** A member's REST API, as the configuration's {@code restapi.authentication} lets pgctl call it. */
  interface Rest {
    record Reply(int status, String body) {}

    Reply send(String method, String path, String body);

    /**
     * Over HTTP(S) to the member's {@code api_url}, through pgctl's one {@link RestClient} ({@code -k} is
     * {@code insecure}). A member that cannot be reached answers status 0, as one member down is reported and the
     * others still asked; a failed TLS handshake stops the command with an error line (it is the configuration,
     * not the member: every member would fail the same way).
     */
    static Function<Member, Rest> http(NodeConfig config, boolean insecure) {
      RestClient client = RestClient.of(config, insecure);
      return m -> (method, path, body) -> {
        String base = m.apiUrl().replaceAll("/patroni$", "").replaceAll("/$", "");
        if (base.isEmpty()) {
          return new Reply(0, "member " + m.name() + " has no api_url");
        }
        try {
          RestClient.Reply r = client.send(base + path, method, body, Duration.ofSeconds(300));
          return new Reply(r.status(), r.body());
        } catch (RestClient.Failure e) {
          if (e.tls()) {
            throw CtlException.failure(e.getMessage());
          }
          return new Reply(0, e.getMessage());
        }
      };
    }
  }
}
