package io.pgquorum.coordinator.postgres;

import io.pgquorum.coordinator.config.Credentials;
import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.coordinator.config.PostgresConfig;
import io.pgquorum.coordinator.config.TimeUnits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What every part of {@link LocalPostgres} shares: the configuration, resolved paths, timeouts, and the tool
 * runner. Immutable except for the dynamic configuration, which is read fresh on every use.
 */
final class PgContext {
  /**
   * Deadline for tools whose duration grows with the database (pg_basebackup, pg_rewind, custom methods,
   * post_bootstrap). They run on a background thread, so the bound only has to catch a hung tool; killing a
   * slow copy of a large cluster would waste the work done so far.
   */
  static final Duration LONG_TOOL_TIMEOUT = Duration.ofHours(24);

  /**
   * The node's configuration; replaced by a reload ({@link #replace}). Volatile: the REST thread that re-read the
   * file swaps it while the loop (or a task) reads it.
   */
  volatile NodeConfig node;
  volatile PostgresConfig pg;
  private final Supplier<DynamicConfig> dynamic;
  final Path dataDir;
  /** The data directory's parent: default socket directory, and home of the postmaster's startup log. */
  final Path runtimeDir;
  final Path startupLog;
  /** Where the postmaster puts its Unix socket (see {@link #socketDirFor}). */
  final Path socketDir;
  final Path pgpass;
  final Redactor redactor;
  final ProcessRunner runner;
  /**
   * What PostgreSQL waits for an operator to do, and how (empty: nothing), set by a task while it waits (a custom
   * bootstrap paused at its recovery target) and read by the status publication on the loop's thread.
   */
  final java.util.concurrent.atomic.AtomicReference<String> waitingForOperator =
      new java.util.concurrent.atomic.AtomicReference<>("");

  PgContext(NodeConfig node, Supplier<DynamicConfig> dynamic) {
    this.node = node;
    this.pg = node.postgresql();
    this.dynamic = dynamic;
    this.dataDir = pg.dataDir().toAbsolutePath().normalize();
    Path parent = dataDir.getParent();
    this.runtimeDir = parent == null ? dataDir : parent;
    // Outside the data directory: pg_basebackup and pg_rewind would copy it between members otherwise.
    this.startupLog = runtimeDir.resolve(dataDir.getFileName() + ".postmaster.log");
    this.socketDir = socketDirFor(runtimeDir, pg.listen().port());
    this.pgpass = pg.pgpass().toAbsolutePath().normalize();
    List<String> secrets = new ArrayList<>();
    for (Credentials c : roles()) {
      c.password().ifPresent(secrets::add);
    }
    node.restapi().authentication().flatMap(Credentials::password).ifPresent(secrets::add);
    this.redactor = new Redactor(secrets);
    this.runner = new ProcessRunner(redactor);
  }

  /**
   * Takes {@code next}, a re-read of this node's file, for everything read on use: parameters, pg_hba, replica
   * methods, timeouts. What was resolved at start (the data directory, sockets, the pgpass path) stays: those
   * need a restart of the daemon, as in Patroni.
   */
  void replace(NodeConfig next) {
    this.pg = next.postgresql();
    this.node = next;
  }

  /** Linux limits a Unix socket path to 107 bytes (sun_path); PostgreSQL refuses to start beyond it. */
  static final int MAX_SOCKET_PATH_BYTES = 107;

  /**
   * The data directory's parent, unless the socket path there ({@code <dir>/.s.PGSQL.<port>}) would be longer
   * than the kernel allows: deep data directories are common (test harnesses, container volumes) and PostgreSQL
   * would fail with "could not create any Unix-domain sockets". Then the system's temporary directory is used
   * (the port keeps sockets of several servers apart there). A {@code unix_socket_directories} parameter in the
   * configuration still overrides this default.
   */
  static Path socketDirFor(Path runtimeDir, int port) {
    if (socketPathFits(runtimeDir.resolve(".s.PGSQL." + port).toString())) {
      return runtimeDir;
    }
    return Path.of(System.getProperty("java.io.tmpdir", "/tmp"));
  }

  /**
   * Whether a socket path fits sun_path. Counted in UTF-8 bytes, the encoding of every Linux locale that can
   * name a non-ASCII path at all (under the C locale the JVM cannot represent such a path, and ASCII is one byte
   * per character in both).
   */
  static boolean socketPathFits(String socketPath) {
    return socketPath.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= MAX_SOCKET_PATH_BYTES;
  }

  /** The cluster-wide settings as currently known; before the DCS has them, the bootstrap seed. */
  DynamicConfig dynamic() {
    DynamicConfig d = dynamic.get();
    return d != null ? d : node.bootstrap().dcs();
  }

  List<Credentials> roles() {
    List<Credentials> roles = new ArrayList<>();
    roles.add(pg.superuser());
    roles.add(pg.replication());
    pg.rewind().ifPresent(roles::add);
    return roles;
  }

  String bin(String tool) {
    return pg.binDir().resolve(tool).toString();
  }

  Duration pgCtlTimeout() {
    return Duration.ofSeconds(Math.max(1, pg.pgCtlTimeout()));
  }

  /** Runner deadline for pg_ctl: pg_ctl's own -t fires first, so its message is what the user sees. */
  Duration pgCtlRunnerTimeout() {
    return pgCtlTimeout().plusSeconds(15);
  }

  /** Deadline for quick tools (pg_controldata) and probe queries. */
  Duration shortTimeout() {
    return TimeUnits.max(Duration.ofSeconds(5), dynamic().retryTimeout());
  }

  boolean usePgRewind() {
    return pg.usePgRewind().orElse(dynamic().usePgRewind());
  }

  boolean useSlots() {
    return dynamic().useSlots();
  }

  /** Environment for libpq-based tools: the password file, and no endless connection attempts. */
  Map<String, String> libpqEnv() {
    return Map.of("PGPASSFILE", pgpass.toString(), "PGCONNECT_TIMEOUT", "10");
  }

  void writePgPass() {
    PgPass.write(pgpass, roles());
  }

  /**
   * Where pgquorum itself connects: the first listen address, or loopback when PostgreSQL listens on a
   * wildcard.
   */
  String localHost() {
    String first = pg.listen().host().split(",")[0].trim();
    if (first.isEmpty() || first.equals("*") || first.equals("0.0.0.0")) {
      return "127.0.0.1";
    }
    if (first.equals("::")) {
      return "::1";
    }
    return first;
  }

  int port() {
    return pg.listen().port();
  }

  String slotName() {
    return SlotNames.forMember(node.name());
  }
}
