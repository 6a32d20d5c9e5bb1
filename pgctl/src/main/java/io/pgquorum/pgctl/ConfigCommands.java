package io.pgquorum.pgctl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.DcsKeys;
import io.pgquorum.coordinator.cluster.Member;
import io.pgquorum.coordinator.config.ConfigException;
import io.pgquorum.coordinator.config.ConfigLoader;
import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.config.MergePatch;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.dcs.api.KeyValue;
import io.pgquorum.dcs.api.Precondition;
import io.pgquorum.dcs.api.WriteResult;
import io.pgquorum.dcs.ratis.RatisDcsClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * patronictl's {@code pause}, {@code resume}, {@code show-config} and {@code edit-config}: maintenance mode and the
 * dynamic configuration (the DCS {@code config} key), with patronictl's options, messages and exit codes.
 *
 * <p>pause and resume go, as patronictl's, through a member's REST API ({@code PATCH /config}, leader first, with
 * the {@code ctl} section's TLS and credentials, see {@link RestClient}): the member checks and writes the key.
 * edit-config writes the key in the DCS itself, as patronictl does: a compare-and-set on the revision it read, so
 * a change someone else made meanwhile is never overwritten, and only after the document passed the coordinator's
 * own checks (a document the nodes would refuse is never stored; every problem is named). {@code --force} means
 * no prompt; a prompt without a terminal is refused with a clear error instead of hanging or guessing.
 */
final class ConfigCommands {
  static final String PAUSE = "pause";
  static final String RESUME = "resume";
  static final String EDIT_CONFIG = "edit-config";
  static final String SHOW_CONFIG = "show-config";
  static final List<String> NAMES = List.of(PAUSE, RESUME, EDIT_CONFIG, SHOW_CONFIG);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};

  /** Whether a person can answer a prompt (tests replace it). */
  static BooleanSupplier terminal = () -> System.console() != null;
  /** The environment ({@code EDITOR}); tests replace it. */
  static UnaryOperator<String> env = System::getenv;
  /** Between two checks of the member keys with {@code --wait} (patronictl polls every second). */
  static Duration poll = Duration.ofSeconds(1);

  private ConfigCommands() {}

  /**
   * One of these commands, parsed.
   *
   * @param sets {@code -s/--set} and {@code -p/--pg} (as {@code postgresql.parameters.} paths), in order
   */
  record Options(String command, boolean help, Optional<String> cluster, boolean waitForMembers, List<String> sets,
      Optional<String> apply, Optional<String> replace, boolean force, boolean quiet) {}

  /** Parses the arguments after {@code command} (with the model, {@link CommandTree}). */
  static Options parse(String command, List<String> args) {
    return options(CommandTree.parse(command, args));
  }

  /** The options of a parsed pause, resume, show-config or edit-config. */
  static Options options(Invocation a) {
    List<String> sets = new ArrayList<>();
    // -s and -p in the order typed: a later setting of the same key wins
    for (Map.Entry<String, String> o : a.ordered()) {
      switch (o.getKey()) {
        case "--set" -> sets.add(o.getValue());
        case "--pg" -> sets.add("postgresql.parameters." + o.getValue().stripLeading());
        default -> {
          // --apply and --replace: read below
        }
      }
    }
    return new Options(a.command().orElseThrow(), a.help(), a.positionals().stream().findFirst(), a.flag("--wait"),
        sets, a.value("--apply"), a.value("--replace"), a.flag("--force"), a.flag("--quiet"));
  }

  static String help(String command) {
    return switch (command) {
      case PAUSE, RESUME -> "Usage: pgctl [-c FILE] " + command + " [OPTIONS] [CLUSTER_NAME]\n\n"
          + (command.equals(PAUSE)
              ? "  Maintenance mode: the nodes keep the lock but stop managing PostgreSQL (they\n"
                  + "  never start, stop, promote or demote it on their own).\n"
              : "  Ends maintenance mode: the nodes manage PostgreSQL again.\n")
          + "\nOptions:\n  --wait      wait until every member has seen the change\n"
          + "  -h, --help  show this message and exit\n";
      case SHOW_CONFIG -> "Usage: pgctl [-c FILE] show-config [CLUSTER_NAME]\n\n"
          + "  Show the dynamic configuration (the DCS config key) as YAML.\n"
          + "\nOptions:\n  -h, --help  show this message and exit\n";
      default -> """
          Usage: pgctl [-c FILE] edit-config [OPTIONS] [CLUSTER_NAME]

            Edit the dynamic configuration (the DCS config key): in $EDITOR when no change
            is given, then shows the diff and asks before applying it.

          Options:
            -q, --quiet          do not show the diff
            -s, --set TEXT       set a key, e.g. -s ttl=20 or -s postgresql.use_slots=false
                                 (the value is YAML; null removes the key)
            -p, --pg TEXT        set a PostgreSQL parameter, e.g. -p work_mem=16MB
            --apply FILE         merge a YAML document from FILE (- for standard input)
            --replace FILE       replace the whole configuration with FILE (- for stdin)
            --force              do not ask for confirmation
            -h, --help           show this message and exit
          """;
    };
  }

  static int run(Options o, NodeConfig config, Duration timeout, MemberApi api, BufferedReader in, PrintStream out,
      PrintStream err) {
    if (o.cluster().isPresent() && !o.cluster().get().equals(config.scope())) {
      throw CtlException.usage("cluster '" + o.cluster().get() + "' is not the cluster of this configuration, "
          + "which is '" + config.scope() + "'");
    }
    // Read the input documents before connecting: a typo in a file name should not wait for the network.
    Optional<Map<String, Object>> replaceDoc = o.replace().map(f -> document(f, in));
    Optional<Map<String, Object>> applyDoc = o.apply().map(f -> document(f, in));
    DcsKeys keys = new DcsKeys(config.keyPrefix());
    try (RatisDcsClient client = DcsClusterSource.connect(config, timeout)) {
      return switch (o.command()) {
        case PAUSE, RESUME -> pause(o, config, client, keys, api, out, err);
        case SHOW_CONFIG -> {
          client.get(keys.config()).map(kv -> yaml(parseJson(kv.value()))).ifPresent(out::print);
          out.flush();
          yield 0;
        }
        default -> edit(o, config, client, keys, replaceDoc, applyDoc, in, out);
      };
    } catch (CtlException e) {
      throw e;
    } catch (RuntimeException e) {
      throw DcsClusterSource.unreachable(config, timeout, e);
    }
  }

  private static int pause(Options o, NodeConfig config, RatisDcsClient client, DcsKeys keys, MemberApi api,
      PrintStream out, PrintStream err) {
    boolean want = o.command().equals(PAUSE);
    KeyValue kv = client.get(keys.config()).orElseThrow(() -> CtlException.failure(
        "The config key does not exist in the cluster " + config.scope()));
    DynamicConfig current = validate(parseJson(kv.value()));
    if (current.paused() == want) {
      throw CtlException.failure(want ? "Cluster is already paused" : "Cluster is not paused");
    }
    // As patronictl: PATCH /config on the members' REST APIs, leader first, until one answers; the member
    // validates and writes the key (its own compare-and-set), with the credentials and TLS of the ctl section.
    String patch = want ? "{\"pause\":true}" : "{\"pause\":null}";
    MemberApi.Response answer = null;
    for (Member m : MemberSelect.leaderFirst(ClusterRoleCommands.read(client, config))) {
      try {
        answer = api.send(config, m.apiUrl(), "PATCH", "config", patch);
        break;
      } catch (CtlException e) {
        err.println(e.getMessage());
        err.println("Member " + m.name() + " is not accessible");
        err.flush();
      }
    }
    if (answer == null) {
      throw CtlException.failure("Can not find accessible cluster member");
    }
    if (answer.status() != 200) {
      out.println("Failed: " + o.command() + " cluster management status code=" + answer.status() + ", ("
          + answer.body() + ")");
      out.flush();
      return 0;
    }
    DynamicConfig written = ClusterRoleCommands.read(client, config).config().map(v -> v.value()).orElse(current);
    String verb = want ? "paused" : "resumed";
    if (o.waitForMembers()) {
      out.println("'" + o.command() + "' request sent, waiting until it is recognized by all nodes");
      out.flush();
      // patronictl waits loop_wait + 1 seconds: every member sees the change on its next cycle.
      String loopWait = io.pgquorum.coordinator.config.TimeUnits.seconds(written.loopWait());
      List<String> members = ClusterRoleCommands.read(client, config).members().values().stream()
          .filter(m -> !m.apiUrl().isEmpty()).map(Member::name).toList();
      long deadline = System.nanoTime() + written.loopWait().plusSeconds(1).toNanos();
      List<String> remaining = lagging(ClusterRoleCommands.read(client, config), members, want);
      while (!remaining.isEmpty() && System.nanoTime() < deadline) {
        sleep(poll);
        remaining = lagging(ClusterRoleCommands.read(client, config), members, want);
      }
      if (!remaining.isEmpty()) {
        out.println(String.join(", ", remaining) + " members didn't recognized pause state after " + loopWait
            + " seconds");
        out.flush();
        return 0;
      }
    }
    out.println("Success: cluster management is " + verb);
    out.flush();
    return 0;
  }

  /** Members (of {@code names}) whose key does not show {@code pause} as wanted yet (a gone member counts). */
  private static List<String> lagging(ClusterSnapshot cluster, List<String> names, boolean want) {
    return names.stream().filter(n -> cluster.member(n)
        .map(m -> Boolean.TRUE.equals(m.raw().get(PAUSE)) != want).orElse(true)).toList();
  }

  private static int edit(Options o, NodeConfig config, RatisDcsClient client, DcsKeys keys,
      Optional<Map<String, Object>> replaceDoc, Optional<Map<String, Object>> applyDoc, BufferedReader in,
      PrintStream out) {
    KeyValue kv = client.get(keys.config()).orElseThrow(() -> CtlException.failure(
        "The config key does not exist in the cluster " + config.scope()));
    Map<String, Object> stored = parseJson(kv.value());
    String before = yaml(stored);
    Map<String, Object> changed = stored;
    boolean requested = false;
    if (replaceDoc.isPresent()) {
      changed = replaceDoc.get();
      requested = true;
    }
    if (applyDoc.isPresent()) {
      changed = MergePatch.apply(changed, applyDoc.get());
      requested = true;
    }
    if (!o.sets().isEmpty()) {
      changed = withSettings(changed, o.sets());
      requested = true;
    }
    if (!requested) {
      if (!terminal.getAsBoolean()) {
        throw CtlException.failure("edit-config without -s, -p, --apply or --replace opens an editor, which "
            + "needs a terminal");
      }
      changed = fromEditor(before);
    }
    if (changed.equals(stored)) {
      if (!o.quiet()) {
        out.println("Not changed");
      }
      return 0;
    }
    if (!o.quiet()) {
      out.print(UnifiedDiff.of(before, yaml(changed)));
    }
    validate(changed);
    boolean fromStdin = o.apply().filter("-"::equals).isPresent() || o.replace().filter("-"::equals).isPresent();
    if (fromStdin && !o.force()) {
      out.println("Use --force option to apply changes");
      out.flush();
      return CtlException.FAILURE;
    }
    if (!o.force()) {
      if (!terminal.getAsBoolean()) {
        out.flush();
        throw CtlException.failure("not applied: \"Apply these changes?\" needs an answer and there is no "
            + "terminal; use --force to apply without asking");
      }
      if (!DcsMemberCommands.confirm("Apply these changes?", in, out)) {
        return 0;
      }
    }
    WriteResult r = client.put(keys.config(), ClusterRoleCommands.json(changed),
        Precondition.modRevision(kv.modRevision()), null);
    if (r.outcome() == WriteResult.Outcome.CONDITION_FAILED) {
      throw CtlException.failure("Config modification aborted due to concurrent changes");
    }
    if (!r.succeeded()) {
      throw CtlException.failure("the DCS refused the write of " + keys.config() + ": " + r.outcome());
    }
    out.println("Configuration changed");
    out.flush();
    return 0;
  }

  /**
   * patronictl's {@code -s key.path=value}: the value is YAML ({@code 20} a number, {@code null} removes the key),
   * missing parents are created and parents left empty are removed; under {@code postgresql.parameters} the rest
   * of the path is one name (a parameter such as {@code pg_stat_statements.max} keeps its dot).
   */
  static Map<String, Object> withSettings(Map<String, Object> document, List<String> settings) {
    Map<String, Object> out = deepCopy(document);
    for (String setting : settings) {
      int eq = setting.indexOf('=');
      if (setting.isEmpty() || eq < 0) {
        throw CtlException.failure("Invalid parameter setting " + setting);
      }
      List<String> path = List.of(setting.substring(0, eq).strip().split("\\.", -1));
      Object value;
      try {
        value = new Yaml(new SafeConstructor(new LoaderOptions())).load(setting.substring(eq + 1));
      } catch (YAMLException e) {
        throw CtlException.failure("Invalid parameter setting " + setting + ": the value is not YAML");
      }
      set(out, path, value, List.of());
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static void set(Map<String, Object> node, List<String> path, Object value, List<String> prefix) {
    if (prefix.equals(List.of("postgresql", "parameters"))) {
      path = List.of(String.join(".", path));
    }
    String key = path.get(0);
    if (path.size() == 1) {
      if (value == null) {
        node.remove(key);
      } else {
        node.put(key, value);
      }
      return;
    }
    if (!(node.get(key) instanceof Map)) {
      node.put(key, new LinkedHashMap<String, Object>());
    }
    Map<String, Object> child = (Map<String, Object>) node.get(key);
    List<String> deeper = new ArrayList<>(prefix);
    deeper.add(key);
    set(child, path.subList(1, path.size()), value, deeper);
    if (child.isEmpty()) {
      node.remove(key);
    }
  }

  private static Map<String, Object> fromEditor(String before) {
    String editor = Optional.ofNullable(env.apply("EDITOR")).filter(e -> !e.isBlank()).orElse(null);
    if (editor == null) {
      editor = onPath("editor") ? "editor" : "vi";
    }
    try {
      Path file = Files.createTempFile("pgctl-config-", ".yaml");
      try {
        Files.writeString(file, before, StandardCharsets.UTF_8);
        List<String> argv = new ArrayList<>(List.of(editor.trim().split("\\s+")));
        argv.add(file.toString());
        int status = new ProcessBuilder(argv).inheritIO().start().waitFor();
        if (status != 0) {
          throw CtlException.failure("Editor exited with return code " + status);
        }
        return yamlDocument(Files.readString(file, StandardCharsets.UTF_8), "the edited configuration");
      } finally {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw CtlException.failure("cannot run the editor " + editor + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CtlException.failure("interrupted while the editor ran; nothing was changed");
    }
  }

  private static boolean onPath(String program) {
    String path = Optional.ofNullable(env.apply("PATH")).orElse("");
    return List.of(path.split(":")).stream().anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, program)));
  }

  /** {@code --apply}/{@code --replace}: a YAML mapping from FILE, or standard input for {@code -}. */
  private static Map<String, Object> document(String file, BufferedReader in) {
    String text;
    if (file.equals("-")) {
      text = in.lines().collect(Collectors.joining("\n"));
    } else {
      try {
        text = Files.readString(Path.of(file), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw CtlException.failure("cannot read " + file + ": " + e.getMessage());
      }
    }
    return yamlDocument(text, file.equals("-") ? "standard input" : file);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> yamlDocument(String text, String what) {
    Object doc;
    try {
      doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    } catch (YAMLException e) {
      throw CtlException.failure(what + " is not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
    }
    if (doc == null) {
      return new LinkedHashMap<>();
    }
    if (!(doc instanceof Map)) {
      throw CtlException.failure(what + " must be a YAML mapping");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    ((Map<Object, Object>) doc).forEach((k, v) -> out.put(String.valueOf(k), v));
    return out;
  }

  /** The coordinator's verdict; every problem named, nothing written when there is one. */
  private static DynamicConfig validate(Map<String, Object> document) {
    try {
      return ConfigLoader.parseDynamic(document, "config", new ArrayList<>());
    } catch (ConfigException e) {
      throw CtlException.failure("invalid configuration, nothing was changed:\n  "
          + String.join("\n  ", e.problems()));
    }
  }

  /** patronictl's layout: block YAML, keys sorted. */
  static String yaml(Map<String, Object> document) {
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setWidth(200);
    return new Yaml(options).dump(sorted(document));
  }

  private static Object sorted(Object value) {
    if (value instanceof Map<?, ?> m) {
      Map<String, Object> out = new TreeMap<>();
      m.forEach((k, v) -> out.put(String.valueOf(k), sorted(v)));
      return out;
    }
    if (value instanceof List<?> l) {
      return l.stream().map(ConfigCommands::sorted).toList();
    }
    return value;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> deepCopy(Map<String, Object> m) {
    Map<String, Object> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k, v instanceof Map ? deepCopy((Map<String, Object>) v) : v));
    return out;
  }

  private static Map<String, Object> parseJson(String value) {
    try {
      LinkedHashMap<String, Object> doc = JSON.readValue(value, MAP);
      if (doc == null) {
        throw CtlException.failure("the config key holds JSON null, not the dynamic configuration");
      }
      return doc;
    } catch (JsonProcessingException e) {
      throw CtlException.failure("the config key is not a JSON object (" + e.getOriginalMessage() + ")");
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CtlException.failure("interrupted while waiting for the members; the change is written");
    }
  }
}
