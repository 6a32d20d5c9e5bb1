package io.pgquorum.coordinator.config;

import io.pgquorum.backrest.BackrestSection;
import io.pgquorum.backrest.BackrestSettings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Builds a {@link NodeConfig} from a configuration in Patroni's YAML layout plus Patroni's {@code PATRONI_*}
 * environment variables (which win over the file).
 *
 * <p>Reading is YAML 1.1, as Patroni's, so {@code hot_standby: on} and {@code use_pg_rewind: yes} mean what they
 * mean there. Every problem is collected and reported together in one {@link ConfigException}, each as
 * {@code key.path: reason} (with {@code (from PATRONI_X)} when the value came from the environment). Keys that
 * Patroni knows but pgquorum does not implement, unknown keys, and values adjusted to satisfy the timing rule
 * become {@link NodeConfig#warnings()}, which the caller logs. Passwords never appear in messages or warnings.
 *
 * <p>Deviations from Patroni, each to avoid running differently from what the file asks for: a key repeated in
 * one mapping is an error; settings that would silently weaken transport security ({@code restapi.ciphers}, TLS
 * keys without {@code restapi.certfile}, {@code raft.password}) are errors rather than warnings; a foreign DCS
 * section is an error explaining the {@code raft} section.
 */
public final class ConfigLoader {
  /** The variable that holds a whole YAML document, used instead of a file. */
  public static final String CONFIGURATION_VARIABLE = "PATRONI_CONFIGURATION";

  private static final Set<String> SECRET_KEYS = ConfigKeys.secretNames();
  /** Dynamic keys users sometimes put at the top level, where Patroni ignores them too. */
  private static final List<String> DYNAMIC_KEYS = ConfigKeys.dynamicTopLevelNames();

  private ConfigLoader() {}

  /**
   * Reads {@code file} (UTF-8) and applies {@code env}. When {@code env} holds {@value #CONFIGURATION_VARIABLE},
   * that document is used instead and the file is not read (a warning says so); {@code file} may then be null.
   *
   * @throws ConfigException listing every problem; a missing or unreadable file names its path
   */
  public static NodeConfig load(Path file, Map<String, String> env) {
    String inline = env.get(CONFIGURATION_VARIABLE);
    if (inline != null && !inline.isBlank()) {
      NodeConfig config = parse(inline, CONFIGURATION_VARIABLE, env);
      if (file == null) {
        return config;
      }
      List<String> warnings = new ArrayList<>(config.warnings());
      warnings.add(0, CONFIGURATION_VARIABLE + " is set: using it instead of " + file);
      return withWarnings(config, warnings);
    }
    if (file == null) {
      throw new ConfigException("configuration", "no configuration file given and " + CONFIGURATION_VARIABLE
          + " is not set");
    }
    return parse(read(file), file.toString(), env);
  }

  /**
   * A configuration held only in the environment: {@value #CONFIGURATION_VARIABLE} if set, else the
   * {@code PATRONI_*} variables alone (as in a container that is configured without a file).
   */
  public static NodeConfig fromEnvironment(Map<String, String> env) {
    String inline = env.get(CONFIGURATION_VARIABLE);
    boolean hasInline = inline != null && !inline.isBlank();
    return parse(hasInline ? inline : "", hasInline ? CONFIGURATION_VARIABLE : "environment", env);
  }

  /**
   * Parses {@code yaml} and applies {@code env}; {@code sourceName} names the document in syntax errors (a path,
   * or {@value #CONFIGURATION_VARIABLE}). {@value #CONFIGURATION_VARIABLE} in {@code env} is not consulted here.
   *
   * @throws ConfigException listing every problem
   */
  public static NodeConfig parse(String yaml, String sourceName, Map<String, String> env) {
    Problems problems = new Problems();
    Section root = document(yaml, sourceName, env, problems);

    String scope = scope(root);
    String name = memberName(root);
    String namespace = namespace(root);
    int foreignBefore = problems.errorCount();
    RaftSection.refuseForeignDcs(root);
    boolean foreign = problems.errorCount() > foreignBefore;
    RestApiConfig restapi = RestApiSection.parse(root);
    RaftConfig raft = RaftSection.parse(root, foreign);
    BootstrapConfig bootstrap = BootstrapSection.parse(root);
    PostgresConfig postgresql = PostgresSection.parse(root);
    Tags tags = TagsSection.parse(root);
    LogConfig log = LogSection.parse(root);
    WatchdogConfig watchdog = WatchdogSection.parse(root);
    CtlConfig ctl = CtlSection.parse(root);
    Optional<BackrestSettings> backrest = backrest(root, scope);
    root.unsupported(NodeKeys.TABLE.keys(ConfigKey.Support.IGNORED));
    for (String key : DYNAMIC_KEYS) {
      if (root.keys().contains(key)) {
        root.value(key);
        problems.warn(key, "ignored here: cluster-wide settings belong under bootstrap.dcs");
      }
    }
    root.warnUnknown();
    CrossChecks.addresses(restapi, raft, postgresql, problems);
    CrossChecks.directories(raft, postgresql, log, problems);
    problems.throwIfErrors();
    return new NodeConfig(scope, namespace, name, restapi, raft, bootstrap, postgresql, tags, log, watchdog, ctl,
        problems.warnings(), backrest);
  }

  /**
   * The document's root section, with {@code env}'s variables applied; secrets are collected before and after, so a
   * secret from either source is never echoed in a problem.
   */
  private static Section document(String yaml, String sourceName, Map<String, String> env, Problems problems) {
    Map<String, Object> tree = YamlDocument.loadMapping(yaml, sourceName);
    collectSecrets(tree, problems);
    EnvOverlay.apply(tree, env, problems);
    collectSecrets(tree, problems);
    return new Section("", tree, problems);
  }

  /**
   * The sections of a node's file that a witness has no use for: ignored with a warning, never an error. Not
   * {@code restapi}: a witness serves its monitoring endpoint there.
   */
  private static final List<String> NODE_ONLY_SECTIONS = List.of("ctl", "bootstrap", "postgresql",
      "tags", "watchdog", "backrest", "namespace");

  /**
   * Reads a witness's file ({@code pgquorum witness}), as {@link #load} reads a node's: {@code scope} and
   * {@code raft} are required, {@code name}, {@code log} and {@code restapi} (validated as a node's) optional,
   * every problem is reported at once naming its key, and {@code PATRONI_*} variables override the file.
   *
   * @throws ConfigException listing every problem
   */
  public static WitnessConfig loadWitness(Path file, Map<String, String> env) {
    String inline = env.get(CONFIGURATION_VARIABLE);
    if (inline != null && !inline.isBlank()) {
      WitnessConfig config = parseWitness(inline, CONFIGURATION_VARIABLE, env);
      List<String> warnings = new ArrayList<>(config.warnings());
      warnings.add(0, CONFIGURATION_VARIABLE + " is set: using it instead of " + file);
      return new WitnessConfig(config.scope(), config.name(), config.raft(), config.log(),
          config.restapi(), warnings);
    }
    return parseWitness(read(file), file.toString(), env);
  }

  /** {@link #loadWitness} on a document already read; {@code sourceName} names it in syntax errors. */
  public static WitnessConfig parseWitness(String yaml, String sourceName, Map<String, String> env) {
    Problems problems = new Problems();
    Section root = document(yaml, sourceName, env, problems);
    String scope = scope(root);
    Optional<String> name = Optional.empty();
    if (root.has(NodeKeys.NAME)) {
      name = Optional.ofNullable(memberName(root));
    }
    int foreignBefore = problems.errorCount();
    RaftSection.refuseForeignDcs(root);
    RaftConfig raft = RaftSection.parse(root, problems.errorCount() > foreignBefore);
    LogConfig log = LogSection.parse(root);
    Optional<RestApiConfig> restapi = Optional.empty();
    if (root.keys().contains(RestApiKeys.TABLE.prefix())) {
      restapi = Optional.ofNullable(RestApiSection.parse(root));
    }
    for (String key : NODE_ONLY_SECTIONS) {
      if (root.keys().contains(key)) {
        root.value(key);
        problems.warn(key, "ignored by a witness: it runs only a DCS member and its monitoring endpoint (no "
            + "PostgreSQL or HA loop)");
      }
    }
    root.warnUnknown();
    if (restapi.isPresent()) {
      CrossChecks.addresses(restapi.get(), raft, null, problems);
    }
    problems.throwIfErrors();
    return new WitnessConfig(scope, name, raft, log, restapi, problems.warnings());
  }

  /**
   * The {@code backrest} section, parsed by the adapter's own parser (its keys live in {@code BackrestKeys}); its
   * problems join this file's, each under the key the adapter names. Absent: pgBackRest stays off; present but
   * empty ({@code backrest:} alone) means on with every default, as the adapter reads it.
   */
  private static Optional<BackrestSettings> backrest(Section root, String scope) {
    if (!root.keys().contains(NodeKeys.BACKREST.name())) {
      return Optional.empty();
    }
    BackrestSection.Parsed parsed = BackrestSection.parse(root.value(NodeKeys.BACKREST), scope == null ? "" : scope);
    for (String e : parsed.errors()) {
      int colon = e.indexOf(": ");
      if (colon > 0) {
        root.problems().error(e.substring(0, colon), e.substring(colon + 2));
      } else {
        root.problems().error(NodeKeys.BACKREST.name(), e);
      }
    }
    return parsed.settings();
  }

  /**
   * Interprets a dynamic configuration: {@code bootstrap.dcs}, or the JSON {@code config} key read from the DCS.
   * Keys, defaults and ranges as {@link DynamicKeys} declares them (Patroni's names); the whole input is kept in
   * {@link DynamicConfig#raw()}. Timing values that break {@code loop_wait + 2*retry_timeout <= ttl} are
   * lowered, with a warning.
   *
   * @param raw the mapping (null means empty)
   * @param keyPathPrefix how messages name it, e.g. {@code bootstrap.dcs} or {@code config}
   * @param warnings receives the warnings (unsupported keys, adjustments)
   * @throws ConfigException listing every problem
   */
  public static DynamicConfig parseDynamic(Map<String, Object> raw, String keyPathPrefix, List<String> warnings) {
    Problems problems = new Problems();
    DynamicConfig config = DynamicConfigParser.parse(raw, keyPathPrefix, problems);
    warnings.addAll(problems.warnings());
    problems.throwIfErrors();
    return config;
  }

  /**
   * The map to store as the DCS {@code config} key: {@link DynamicConfig#raw()} with the interpreted values
   * (after defaults and timing adjustments) written over it, PostgreSQL parameters as text. A fresh mutable map;
   * {@code parseDynamic(toMap(c), ...)} gives back an equal configuration.
   */
  public static Map<String, Object> toMap(DynamicConfig config) {
    return DynamicConfigParser.toMap(config);
  }

  private static String read(Path file) {
    if (Files.isDirectory(file)) {
      throw new ConfigException(file.toString(), "is a directory; pgquorum reads one configuration file");
    }
    try {
      byte[] bytes = Files.readAllBytes(file);
      return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
    } catch (NoSuchFileException e) {
      throw new ConfigException(file.toString(), "configuration file does not exist");
    } catch (AccessDeniedException e) {
      throw new ConfigException(file.toString(), "configuration file is not readable (permission denied)");
    } catch (CharacterCodingException e) {
      throw new ConfigException(file.toString(), "configuration file is not valid UTF-8");
    } catch (IOException e) {
      throw new ConfigException(file.toString(), "configuration file cannot be read ("
          + e.getClass().getSimpleName() + ")");
    }
  }

  private static String scope(Section root) {
    String scope = root.requiredString(NodeKeys.SCOPE);
    if (scope != null && !scope.matches("[A-Za-z0-9._-]{1,64}")) {
      // The scope names the embedded Raft group too, which restricts it more than Patroni does.
      root.problems().error(root.keyPath(NodeKeys.SCOPE), "must be 1-64 letters, digits, '.', '_' or '-' (it "
          + "also names the Raft group), got " + root.problems().show(scope));
      return null;
    }
    return scope;
  }

  private static String memberName(Section root) {
    String name = root.requiredString(NodeKeys.NAME);
    if (name != null && (name.contains("/") || !name.equals(name.trim()) || name.chars().anyMatch(c -> c < 32))) {
      root.problems().error(root.keyPath(NodeKeys.NAME), "must not contain '/', control characters or "
          + "surrounding spaces (it is part of the DCS key members/<name>), got " + root.problems().show(name));
      return null;
    }
    return name;
  }

  /** Patroni's normalisation: always {@code /<namespace>/}. */
  private static String namespace(Section root) {
    String ns = root.string(NodeKeys.NAMESPACE).orElse(NodeKeys.NAMESPACE.defaultString()).trim();
    if (!ns.startsWith("/")) {
      ns = "/" + ns;
    }
    if (!ns.endsWith("/")) {
      ns = ns + "/";
    }
    if (ns.equals("/") || ns.contains("//") || ns.chars().anyMatch(Character::isWhitespace)) {
      root.problems().error(root.keyPath(NodeKeys.NAMESPACE), "must be a path such as /service/, got "
          + root.problems().show(ns));
    }
    return ns;
  }

  private static void collectSecrets(Object node, Problems problems) {
    if (node instanceof Map) {
      for (Map.Entry<?, ?> e : ((Map<?, ?>) node).entrySet()) {
        if (SECRET_KEYS.contains(String.valueOf(e.getKey())) && !(e.getValue() instanceof Map)
            && !(e.getValue() instanceof List) && e.getValue() != null) {
          problems.addSecret(String.valueOf(e.getValue()));
        } else {
          collectSecrets(e.getValue(), problems);
        }
      }
    } else if (node instanceof List) {
      for (Object item : (List<?>) node) {
        collectSecrets(item, problems);
      }
    }
  }

  private static NodeConfig withWarnings(NodeConfig c, List<String> warnings) {
    return new NodeConfig(c.scope(), c.namespace(), c.name(), c.restapi(), c.raft(), c.bootstrap(), c.postgresql(),
        c.tags(), c.log(), c.watchdog(), c.ctl(), warnings, c.backrest());
  }
}
