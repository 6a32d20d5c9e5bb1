package io.pgquorum.pgctl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.Member;
import io.pgquorum.coordinator.config.Credentials;
import io.pgquorum.coordinator.config.NodeConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * {@code pgctl switchover} and {@code pgctl failover}, patronictl 4.1's: show the cluster, ask (unless
 * {@code --force}) for the leader, the candidate, the time and a confirmation, then {@code POST /switchover} or
 * {@code POST /failover} to the leader's REST API (the candidate's when there is no leader), with the REST
 * credentials of the node's configuration file ({@code ctl.authentication}, else {@code restapi.authentication}).
 * Prints the API's answer after a timestamp, then the cluster again.
 *
 * <p>Differences from patronictl, on purpose: a refused request (the API's 4xx/5xx) exits 1 rather than 0, so a
 * script can tell; without a terminal and without {@code --force} a command that would prompt says so and exits 1
 * instead of waiting for input that never comes; when the API cannot be reached pgctl does not fall back to
 * writing the failover key itself (the API's checks would be skipped) and says so.
 */
final class SwitchoverCommand {
  static final String SWITCHOVER = "switchover";
  static final String FAILOVER = "failover";
  static final Set<String> NAMES = Set.of(SWITCHOVER, FAILOVER);
  /** Longer than the API's own wait for the outcome (2 * max(10, loop_wait) seconds) with a loop_wait up to 20. */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSS");

  /** Whether prompts can be answered: a terminal. Replaced by tests that feed answers. */
  static BooleanSupplier terminal = () -> System.console() != null;

  /** One POST to a member's REST API. */
  @FunctionalInterface
  interface Api {
    /** @return the status and body; throws {@link IOException} when the API cannot be reached */
    Answer post(String url, String body, Optional<Credentials> auth) throws IOException;
  }

  record Answer(int status, String body) {}

  /** The options after the command, parsed (patronictl's names). */
  record Options(Optional<String> cluster, Optional<String> leader, Optional<String> candidate,
      Optional<String> scheduled, boolean force, boolean help) {}

  private SwitchoverCommand() {}

  /** Parses the arguments after {@code command} (with the model, {@link CommandTree}). */
  static Options parse(String command, List<String> args) {
    return options(CommandTree.parse(command, args));
  }

  /** The options of a parsed switchover or failover (failover's model has no --leader or --scheduled). */
  static Options options(Invocation a) {
    Optional<String> cluster = a.positionals().stream().findFirst();
    return new Options(cluster, a.value("--leader"), a.value("--candidate"), a.value("--scheduled"),
        a.flag("--force"), a.help());
  }

  /** Runs the command; the exit status (0 done, 1 refused or failed). */
  static int run(String command, Options o, NodeConfig config, ClusterSource clusters, Api api, BufferedReader in,
      PrintStream out) {
    boolean failover = command.equals(FAILOVER);
    String scope = config.scope();
    if (o.cluster().isPresent() && !o.cluster().get().equals(scope)) {
      throw CtlException.usage("cluster '" + o.cluster().get() + "' is not the cluster of this configuration, "
          + "which is '" + scope + "'");
    }
    ClusterSnapshot cluster = clusters.read(config);
    out.println("Current cluster topology");
    out.print(table(scope, cluster));
    out.flush();
    Optional<String> current = cluster.leader().map(l -> l.name());
    if (!failover && current.isEmpty()) {
      throw CtlException.failure("This cluster has no leader");
    }
    boolean ask = !o.force();
    if (ask && !terminal.getAsBoolean()) {
      throw CtlException.failure(command + " asks for confirmation, and there is no terminal to ask on: run it in "
          + "a terminal, or pass --force (and --candidate, --scheduled as needed) to run it without questions");
    }
    Optional<String> leader = o.leader();
    if (leader.isEmpty()) {
      leader = ask && !failover ? Optional.of(prompt("Primary", current.orElse(""), in, out)) : current;
    }
    if (leader.isPresent() && !leader.equals(current)) {
      throw CtlException.failure("Member " + leader.get() + " is not the leader of cluster " + scope);
    }
    String from = leader.orElse("");
    List<String> names = new ArrayList<>();
    for (Member m : cluster.members().values()) {
      if (!m.name().equals(from) && !m.nofailover()) {
        names.add(m.name());
      }
    }
    names.sort(null);
    if (names.isEmpty()) {
      throw CtlException.failure("No candidates found to " + command + " to");
    }
    Optional<String> candidate = o.candidate();
    if (candidate.isEmpty() && ask) {
      String typed = prompt("Candidate " + pythonList(names), "", in, out);
      candidate = typed.isEmpty() ? Optional.empty() : Optional.of(typed);
    }
    if (failover && candidate.isEmpty()) {
      throw CtlException.failure("Failover could be performed only to a specific candidate");
    }
    if (candidate.isPresent() && candidate.equals(leader)) {
      throw CtlException.failure("Member " + candidate.get() + " is already the leader of cluster " + scope);
    }
    if (candidate.isPresent() && !names.contains(candidate.get())) {
      throw CtlException.failure("Member " + candidate.get() + " does not exist in cluster " + scope
          + " or is tagged as nofailover");
    }
    Optional<String> at = Optional.empty();
    if (!failover) {
      String when = o.scheduled().orElseGet(() -> ask ? prompt("When should the switchover take place (e.g. "
          + LocalDateTime.now().plusHours(1).format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm")) + " ) ",
          "now", in, out) : "now");
      at = scheduledAt(when);
    }
    if (ask) {
      String demoting = leader.map(l -> ", demoting current leader " + l).orElse("");
      String question = at.isPresent()
          ? "Are you sure you want to schedule " + command + " of cluster " + scope + " at " + at.get() + demoting + "?"
          : "Are you sure you want to " + command + " cluster " + scope + demoting + "?";
      if (!DcsMemberCommands.confirm(question, in, out)) {
        throw CtlException.failure(at.isPresent() ? "Aborting scheduled " + command : "Aborting " + command);
      }
    }
    Map<String, Object> body = new LinkedHashMap<>();
    if (!failover) {
      body.put("leader", leader.orElseThrow());
    }
    body.put("candidate", candidate.orElse(""));
    at.ifPresent(t -> body.put("scheduled_at", t));
    Optional<String> to = current.isPresent() ? current : candidate;
    Optional<Member> target = to.flatMap(cluster::member);
    String url = target.map(Member::apiUrl).filter(u -> !u.isEmpty()).orElseThrow(() -> CtlException.failure(
        "no REST API address (api_url) is published for " + to.orElse("the leader")));
    Answer answer;
    try {
      answer = api.post(endpoint(url, command), json(body), credentials(config));
    } catch (IOException e) {
      throw CtlException.failure("Could not " + command + " using the REST API of " + target.get().name() + " ("
          + url + "): " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
    }
    int status;
    if (answer.status() == 200 || answer.status() == 202) {
      out.println(LocalDateTime.now().format(STAMP) + " " + answer.body());
      status = 0;
    } else {
      out.println(title(command) + " failed, details: " + answer.status() + ", " + answer.body());
      status = CtlException.FAILURE;
    }
    out.print(table(scope, clusters.read(config)));
    out.flush();
    return status;
  }

  /**
   * patronictl's {@code --scheduled}: {@code now} (or nothing) for an immediate switchover, else a time; one
   * without a zone is this machine's local time. Sent as ISO-8601 with its offset.
   */
  static Optional<String> scheduledAt(String text) {
    String t = text.trim();
    if (t.isEmpty() || t.equals("now")) {
      return Optional.empty();
    }
    String iso = t.replace(' ', 'T');
    try {
      return Optional.of(OffsetDateTime.parse(iso).toString());
    } catch (DateTimeParseException withoutZone) {
      try {
        LocalDateTime local = LocalDateTime.parse(iso.length() == 16 ? iso + ":00" : iso);
        return Optional.of(ZonedDateTime.of(local, ZoneId.systemDefault()).toOffsetDateTime().toString());
      } catch (DateTimeParseException e) {
        throw CtlException.failure("Unable to parse scheduled timestamp (" + t + "). It should be in an "
            + "unambiguous format (e.g. ISO 8601)");
      }
    }
  }

  /** {@code api_url} names the status endpoint ({@code .../patroni}); the action lives next to it. */
  static String endpoint(String apiUrl, String command) {
    URI u = URI.create(apiUrl);
    return u.getScheme() + "://" + u.getRawAuthority() + "/" + command;
  }

  /** The credentials for write requests: {@code ctl.authentication}, else {@code restapi.authentication}. */
  static Optional<Credentials> credentials(NodeConfig config) {
    return RestClient.credentials(config);
  }

  /**
   * The real API: pgctl's one {@link RestClient} (TLS from the {@code ctl} section, {@code -k} is
   * {@code insecure}); it sends the same credentials as {@link #credentials} on its own.
   */
  static Api http(NodeConfig config, boolean insecure) {
    RestClient client = RestClient.of(config, insecure);
    return (url, body, auth) -> {
      RestClient.Reply r = client.send(url, "POST", body, REQUEST_TIMEOUT);
      return new Answer(r.status(), r.body());
    };
  }

  /** click's prompt: {@code Text [default]: }, an empty answer takes the default; no input at all aborts. */
  private static String prompt(String text, String defaultValue, BufferedReader in, PrintStream out) {
    out.print(text + " [" + defaultValue + "]: ");
    out.flush();
    String answer;
    try {
      answer = in.readLine();
    } catch (IOException e) {
      answer = null;
    }
    if (answer == null) {
      out.println();
      throw CtlException.failure("Aborted: no answer");
    }
    return answer.trim().isEmpty() ? defaultValue : answer.trim();
  }

  /** A list as patronictl prints it (Python's repr): {@code ['a', 'b']}. */
  private static String pythonList(List<String> names) {
    return "['" + String.join("', '", names) + "']";
  }

  private static String title(String command) {
    return Character.toUpperCase(command.charAt(0)) + command.substring(1);
  }

  private static String json(Map<String, Object> body) {
    try {
      return JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the request as JSON", e);
    }
  }

  private static String table(String scope, ClusterSnapshot cluster) {
    ClusterView view = ClusterView.of(scope, cluster);
    return MemberOutput.render(view, MemberTable.of(view, false, false), OutputFormat.PRETTY);
  }
}
