package io.pgquorum.coordinator.init;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The command line of {@code pgquorum init}, checked: every mistake is one {@link InitException} naming the flag.
 * A required value that no flag gave is asked for through the {@link Prompter} (a terminal), else it is an error.
 */
public final class InitArgs {
  public static final int DEFAULT_REST_PORT = 8008;
  public static final int DEFAULT_PG_PORT = 5432;
  /** Patroni's Raft examples use 2222 for pysyncobj; pgquorum's README does too. */
  public static final int DEFAULT_RAFT_PORT = 2222;
  public static final String DEFAULT_DATA_ROOT = "/var/lib/pgquorum";
  public static final String DEFAULT_BIN_DIR = "/usr/lib/postgresql/15/bin";

  /** The same rule as the configuration's {@code scope}: it names the Raft group. */
  private static final Pattern SCOPE = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  /** Node names become directory names and a certificate's common name: DNS-label characters only. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9_.-]{0,62}[A-Za-z0-9])?");
  private static final Pattern DNS = Pattern.compile(
      "(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
  private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

  private static final Set<String> VALUE_FLAGS = Set.of("--scope", "--node", "--witness", "--output", "--data-root",
      "--bin-dir", "--rest-port", "--raft-port", "--pg-port", "--superuser-password", "--replication-password");

  private InitArgs() {}

  /** Every flag that takes a value (the others are --help and -h). */
  public static Set<String> valueFlags() {
    return VALUE_FLAGS;
  }

  public static String usage() {
    return "usage: pgquorum init --scope NAME --node NAME=HOST[,rest=PORT][,raft=PORT][,pg=PORT] (one per node)\n"
        + "         [--witness NAME=HOST[,raft=PORT][,rest=PORT] (one per DCS witness)] --output DIR\n"
        + "         [--data-root DIR] [--bin-dir DIR]\n"
        + "         [--rest-port P] [--raft-port P] [--pg-port P]\n"
        + "         [--superuser-password PW] [--replication-password PW]\n"
        + "Nodes and witnesses are the DCS's voters: an odd number of them, at least 3, with at least 2 nodes (two\n"
        + "nodes and one witness is the smallest cluster that survives the loss of a node).\n"
        + "Writes a CA, each node's certificate and key, and each node's configuration (REST API on HTTPS with\n"
        + "client certificates, mutual TLS on Raft) under DIR/<name>/; a witness gets DIR/<name>/witness.yml (for\n"
        + "pgquorum witness, its REST port serving /health and /metrics on HTTPS) with its certificate and key.\n"
        + "Ports default to " + DEFAULT_REST_PORT
        + " (REST), " + DEFAULT_RAFT_PORT + " (Raft)\n"
        + "and " + DEFAULT_PG_PORT + " (PostgreSQL); --data-root to " + DEFAULT_DATA_ROOT + " (PostgreSQL in "
        + "<root>/<name>/pgdata, Raft in <root>/<name>/raft).\n"
        + "Passwords not given are generated; they are written only into the configurations (mode 0600).\n"
        + "On a terminal, missing values are asked for. Existing files are never overwritten.";
  }

  /** Parses {@code args} (after the word {@code init}); asks {@code prompter} for what is missing. */
  public static InitSpec parse(List<String> args, Prompter prompter) {
    Map<String, String> single = new HashMap<>();
    List<String> nodeFlags = new ArrayList<>();
    List<String> witnessFlags = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      String flag = arg;
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        flag = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      }
      if (!VALUE_FLAGS.contains(flag)) {
        throw new InitException(arg.startsWith("-") ? "unknown option " + flag : "unexpected argument " + arg);
      }
      if (value == null) {
        if (i + 1 >= args.size()) {
          throw new InitException(flag + " needs a value");
        }
        value = args.get(++i);
      }
      if (flag.equals("--node")) {
        nodeFlags.add(value);
      } else if (flag.equals("--witness")) {
        witnessFlags.add(value);
      } else if (single.put(flag, value) != null) {
        throw new InitException(flag + " is given twice");
      }
    }

    String scope = required(single, "--scope", "cluster scope (its name)", prompter);
    if (!SCOPE.matcher(scope).matches()) {
      throw new InitException("--scope: expected 1-64 letters, digits, '.', '_' or '-', got \"" + scope + "\"");
    }
    int restPort = port(single, "--rest-port", DEFAULT_REST_PORT);
    int raftPort = port(single, "--raft-port", DEFAULT_RAFT_PORT);
    int pgPort = port(single, "--pg-port", DEFAULT_PG_PORT);

    if (nodeFlags.isEmpty()) {
      nodeFlags = askNodes(prompter);
    }
    List<InitSpec.Member> members = new ArrayList<>();
    for (String spec : nodeFlags) {
      members.add(member(spec, restPort, raftPort, pgPort));
    }
    List<InitSpec.Witness> witnesses = new ArrayList<>();
    for (String spec : witnessFlags) {
      witnesses.add(witness(spec, raftPort, restPort));
    }
    checkMembers(members, witnesses);

    Path output = path("--output", required(single, "--output", "output directory", prompter));
    String dataRootText = single.get("--data-root");
    if (dataRootText == null) {
      dataRootText = prompter.ask("data directory root on each node [" + DEFAULT_DATA_ROOT + "]")
          .filter(s -> !s.isEmpty()).orElse(DEFAULT_DATA_ROOT);
    }
    Path dataRoot = path("--data-root", dataRootText);
    String binDir = single.getOrDefault("--bin-dir", DEFAULT_BIN_DIR);
    path("--bin-dir", binDir);
    Optional<String> superuser = password(single, "--superuser-password", "superuser (postgres) password", prompter);
    Optional<String> replication =
        password(single, "--replication-password", "replication (replicator) password", prompter);
    return new InitSpec(scope, members, witnesses, output, dataRoot, binDir, superuser, replication);
  }

  private static String required(Map<String, String> single, String flag, String question, Prompter prompter) {
    String value = single.get(flag);
    if (value == null) {
      value = prompter.ask(question).orElseThrow(() -> new InitException(flag + " is required"));
    }
    if (value.isBlank()) {
      throw new InitException(flag + " must not be empty");
    }
    return value.strip();
  }

  private static List<String> askNodes(Prompter prompter) {
    String count = prompter.ask("number of nodes (odd, at least 3) [3]")
        .orElseThrow(() -> new InitException("--node is required (one per node, at least 3)"));
    int n;
    try {
      n = count.isEmpty() ? 3 : Integer.parseInt(count);
    } catch (NumberFormatException e) {
      throw new InitException("--node: the number of nodes must be a number, got \"" + count + "\"");
    }
    if (n < 3 || n % 2 == 0 || n > 99) {
      throw new InitException("--node: the number of nodes must be odd and at least 3, got " + n);
    }
    List<String> specs = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      String name = prompter.ask("node " + i + " name [node" + i + "]").filter(s -> !s.isEmpty()).orElse("node" + i);
      String host = prompter.ask("node " + i + " (" + name + ") host or IPv4 address, as the others reach it")
          .orElse("");
      specs.add(name + "=" + host);
    }
    return specs;
  }

  /** {@code NAME=HOST[,rest=PORT][,raft=PORT][,pg=PORT]}. */
  static InitSpec.Member member(String spec, int restPort, int raftPort, int pgPort) {
    Parsed p = parse("--node " + spec, spec, "NAME=HOST[,rest=PORT][,raft=PORT][,pg=PORT]",
        Map.of("rest", restPort, "raft", raftPort, "pg", pgPort), "expected rest=PORT, raft=PORT or pg=PORT");
    return new InitSpec.Member(p.name(), p.host(), p.ports().get("rest"), p.ports().get("raft"), p.ports().get("pg"));
  }

  /**
   * {@code NAME=HOST[,raft=PORT][,rest=PORT]}: a witness has a Raft port and a monitoring endpoint (defaults as a
   * node's), no PostgreSQL port.
   */
  static InitSpec.Witness witness(String spec, int raftPort, int restPort) {
    Parsed p = parse("--witness " + spec, spec, "NAME=HOST[,raft=PORT][,rest=PORT]",
        Map.of("raft", raftPort, "rest", restPort), "a witness has a Raft and a REST port: expected raft=PORT or "
            + "rest=PORT");
    return new InitSpec.Witness(p.name(), p.host(), p.ports().get("raft"), p.ports().get("rest"));
  }

  /** A member's name, host and ports as {@link #parse} read them. */
  private record Parsed(String name, String host, Map<String, Integer> ports) {}

  /**
   * {@code NAME=HOST[,KEY=PORT]...} with the keys of {@code defaults} (each at most once, the default when absent);
   * errors start with {@code flag}, an unknown key's with {@code unknownKey}.
   */
  private static Parsed parse(String flag, String spec, String shape, Map<String, Integer> defaults,
      String unknownKey) {
    int eq = spec.indexOf('=');
    if (eq <= 0) {
      throw new InitException(flag + ": expected " + shape);
    }
    String name = spec.substring(0, eq).strip();
    if (!NAME.matcher(name).matches()) {
      throw new InitException(flag + ": the name must be 1-64 letters, digits, '.', '_' or '-' (starting and "
          + "ending with a letter or digit), got \"" + name + "\"");
    }
    String[] parts = spec.substring(eq + 1).split(",", -1);
    String host = parts[0].strip();
    checkHost(flag, host);
    Map<String, Integer> ports = new LinkedHashMap<>(defaults);
    Set<String> seen = new HashSet<>();
    for (int i = 1; i < parts.length; i++) {
      String[] kv = parts[i].split("=", 2);
      String key = kv[0].strip();
      if (kv.length != 2 || !ports.containsKey(key)) {
        throw new InitException(flag + ": " + unknownKey + " after the host, got \"" + parts[i] + "\"");
      }
      if (!seen.add(key)) {
        throw new InitException(flag + ": " + key + " is given twice");
      }
      ports.put(key, parsePort(flag + " (" + key + ")", kv[1].strip()));
    }
    return new Parsed(name, host, ports);
  }

  private static void checkHost(String flag, String host) {
    if (host.isEmpty()) {
      throw new InitException(flag + ": the host is missing");
    }
    if (host.indexOf(':') >= 0 || host.startsWith("[")) {
      throw new InitException(flag + ": IPv6 addresses are not supported by init; give a DNS name or an IPv4 "
          + "address (ports go after the host as ,rest=PORT,raft=PORT,pg=PORT)");
    }
    if (IPV4.matcher(host).matches()) {
      if (!isIpv4(host)) {
        throw new InitException(flag + ": \"" + host + "\" is not a valid IPv4 address");
      }
      if (host.equals("0.0.0.0")) {
        throw new InitException(flag + ": 0.0.0.0 is not an address the other members can reach; give this node's"
            + " own address");
      }
      return;
    }
    if (!DNS.matcher(host).matches() || host.chars().allMatch(c -> Character.isDigit(c) || c == '.')) {
      throw new InitException(flag + ": \"" + host + "\" is neither a DNS name nor an IPv4 address");
    }
  }

  static boolean isIpv4(String host) {
    var m = IPV4.matcher(host);
    if (!m.matches()) {
      return false;
    }
    for (int g = 1; g <= 4; g++) {
      if (Integer.parseInt(m.group(g)) > 255) {
        return false;
      }
    }
    return true;
  }

  /**
   * An odd count of voters (nodes and witnesses) of at least 3, at least 2 of them nodes; unique names; no port
   * used twice on one host.
   */
  private static void checkMembers(List<InitSpec.Member> members, List<InitSpec.Witness> witnesses) {
    if (witnesses.isEmpty() && (members.size() < 3 || members.size() % 2 == 0)) {
      throw new InitException("--node: an odd number of nodes, at least 3, is needed (a Raft majority survives one"
          + " loss only from 3 on, and an even count adds no tolerance; or two nodes and a --witness); got "
          + members.size());
    }
    int voters = members.size() + witnesses.size();
    if (!witnesses.isEmpty() && (members.size() < 2 || voters < 3 || voters % 2 == 0)) {
      throw new InitException("--witness: nodes and witnesses together must be an odd number, at least 3, with at "
          + "least 2 nodes (a Raft majority survives one loss only from 3 voters on, and an even count adds no "
          + "tolerance); got " + members.size() + " nodes and " + witnesses.size() + " witnesses");
    }
    Set<String> names = new HashSet<>();
    Map<String, String> endpoints = new HashMap<>();
    for (InitSpec.Witness w : witnesses) {
      if (!names.add(w.name().toLowerCase(java.util.Locale.ROOT))) {
        throw new InitException("--witness: the name " + w.name() + " is given twice");
      }
      for (var e : Map.of("raft", w.raftPort(), "rest", w.restPort()).entrySet().stream()
          .sorted(Map.Entry.comparingByKey()).toList()) {
        String owner = w.name() + " (" + e.getKey() + ")";
        String previous = endpoints.putIfAbsent(w.host().toLowerCase(java.util.Locale.ROOT) + ":" + e.getValue(),
            owner);
        if (previous != null) {
          throw new InitException("--witness: port " + e.getValue() + " on " + w.host() + " is used twice, by "
              + previous + " and " + owner);
        }
      }
    }
    for (InitSpec.Member m : members) {
      if (!names.add(m.name().toLowerCase(java.util.Locale.ROOT))) {
        throw new InitException("--node: the name " + m.name() + " is given twice");
      }
      Map<String, Integer> own = new LinkedHashMap<>();
      own.put("rest", m.restPort());
      own.put("raft", m.raftPort());
      own.put("pg", m.pgPort());
      for (var e : own.entrySet()) {
        String key = m.host().toLowerCase(java.util.Locale.ROOT) + ":" + e.getValue();
        String owner = m.name() + " (" + e.getKey() + ")";
        String previous = endpoints.putIfAbsent(key, owner);
        if (previous != null) {
          throw new InitException("--node: port " + e.getValue() + " on " + m.host() + " is used twice, by "
              + previous + " and " + owner);
        }
      }
    }
  }

  private static int port(Map<String, String> single, String flag, int defaultPort) {
    String value = single.get(flag);
    return value == null ? defaultPort : parsePort(flag, value.strip());
  }

  private static int parsePort(String flag, String value) {
    try {
      int port = Integer.parseInt(value);
      if (port >= 1 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new InitException(flag + ": expected a port between 1 and 65535, got \"" + value + "\"");
  }

  private static Path path(String flag, String value) {
    if (value.isBlank() || value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
      throw new InitException(flag + ": expected a path, got \"" + value + "\"");
    }
    try {
      return Path.of(value.strip()).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      throw new InitException(flag + ": not a path: " + e.getMessage());
    }
  }

  private static Optional<String> password(Map<String, String> single, String flag, String what,
      Prompter prompter) {
    String value = single.get(flag);
    if (value == null) {
      return prompter.askSecret(what + " (empty: generate one)");
    }
    if (value.isEmpty() || value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
      throw new InitException(flag + ": expected a non-empty single-line password");
    }
    return Optional.of(value);
  }
}
