package io.pgquorum.coordinator.postgres;

import io.pgquorum.coordinator.config.Credentials;
import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.config.RecoveryConf;
import io.pgquorum.coordinator.config.StandbyCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the configuration pgquorum owns in the data directory: {@value #OUR_FILE}, the {@code include} line
 * that makes {@code postgresql.conf} read it, {@code pg_hba.conf}, and the standby/recovery signal files.
 *
 * <p>Why an included file rather than rewriting {@code postgresql.conf}: the main file stays as initdb (or the
 * operator, or the backup it was restored from) left it, comments and all, while every setting pgquorum is
 * responsible for lives in one file it regenerates whole, atomically, before each start and reload. The include
 * line is appended at the end of {@code postgresql.conf}, so our values win over anything earlier in it;
 * {@code postgresql.auto.conf} ({@code ALTER SYSTEM}) is still read afterwards and wins over ours, as it does in
 * plain PostgreSQL.
 *
 * <p>Why no settings on the postgres command line (Patroni passes the cluster-wide ones there): PostgreSQL
 * ignores a changed file value for a setting whose current value came from the command line, so
 * {@code pg_settings.pending_restart} would stay false after a cluster-wide change and the need for a restart
 * would be invisible. Everything therefore goes through the file, and cluster-wide parameters are taken only
 * from the dynamic configuration.
 *
 * <p>Precedence, lowest first: pgquorum's defaults, dynamic {@code parameters}, local
 * {@code postgresql.parameters} (except the cluster-wide ones), then the values pgquorum always sets
 * (listen_addresses, port, cluster_name, hot_standby, the fencing token, replication settings).
 */
final class ConfigWriter {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigWriter.class);

  static final String OUR_FILE = "postgresql.pgquorum.conf";
  static final String INCLUDE_LINE = "include '" + OUR_FILE + "'";
  /** Recovery settings a custom bootstrap asked for, applied until the new cluster has finished recovery. */
  static final String BOOTSTRAP_PENDING = "pgquorum.bootstrap-pending.conf";
  static final String FENCING_TOKEN = "pgquorum.fencing_token";
  /**
   * A digest of everything else in {@value #OUR_FILE}, written as its last line. A backend that shows the digest
   * the file has now has read this content (a reload applies the file as a whole), so {@link ProbeConnection} keeps
   * its session across a reload pgquorum sent once the session shows it, instead of opening a new one (a login
   * during a promotion's end-of-recovery checkpoint took 140-420 ms in the switchover bench). A function of the
   * content: the same settings written again give the same digest.
   */
  static final String CONFIG_DIGEST = "pgquorum.config_digest";
  static final String STANDBY_NAMES = "synchronous_standby_names";
  /**
   * The line before a synchronous_standby_names pgquorum set (synchronous_mode on or quorum; the text is kept as
   * first written, files carry it), in {@value #OUR_FILE}: how a restarted daemon knows the value in the file is
   * its own and keeps it (dropping it would let a primary acknowledge commits no synchronous standby has while the
   * sync key names one).
   */
  static final String OWNED_STANDBY_NAMES = "# pgquorum sets synchronous_standby_names (synchronous_mode: on)";
  /**
   * The method of pgquorum's own pg_hba lines: {@code md5} rather than {@code scram-sha-256} because it accepts
   * both stored forms (and authenticates with SCRAM when the stored password is SCRAM). Never {@code trust}.
   */
  static final String PASSWORD_METHOD = "md5";

  /** Parameters that must be equal on every member (a standby refuses to run with lower values than its primary). */
  static final Set<String> CLUSTER_WIDE = Set.of("max_connections", "max_wal_senders", "max_replication_slots",
      "wal_level", "max_prepared_transactions", "max_locks_per_transaction", "track_commit_timestamp",
      "max_worker_processes", "wal_log_hints", "wal_keep_size");

  /** Replication settings that only a standby has. */
  static final List<String> REPLICA_KEYS = List.of("primary_conninfo", "primary_slot_name");

  /**
   * Recovery settings only a standby leader has ({@link #standbyLeaderSettings}): part of the role settings a
   * promotion carries until it is done and then drops, like {@link #REPLICA_KEYS}.
   */
  static final List<String> STANDBY_LEADER_KEYS = List.of("restore_command", "archive_cleanup_command",
      "recovery_min_apply_delay");

  private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_$]*(\\.[a-z_][a-z0-9_$]*)?");
  /** A setting line of postgresql.auto.conf (PostgreSQL's own format, {@code name = 'value'}): its name. */
  private static final Pattern AUTO_CONF_LINE = Pattern.compile("\\s*([A-Za-z_][A-Za-z0-9_$.]*)\\s*=");

  private final PgContext ctx;
  /** The synchronous_standby_names pgquorum set, if any; null until read back from {@value #OUR_FILE}. */
  private Optional<String> ownedStandbyNames;

  /** Local cluster-wide keys already warned about: once per key is enough, not once per reload. */
  private final Set<String> warned = java.util.concurrent.ConcurrentHashMap.newKeySet();

  ConfigWriter(PgContext ctx) {
    this.ctx = ctx;
  }

  Path ourFile() {
    return ctx.dataDir.resolve(OUR_FILE);
  }

  /**
   * The recovery settings this node's replicas run with: the local {@code postgresql.recovery_conf} when set,
   * else the dynamic one (Patroni: the local section replaces the dynamic one as a whole).
   */
  RecoveryParameters recovery() {
    Map<String, String> local = ctx.pg.recoveryConf();
    // With a backrest section its restore_command is added where recovery_conf has none (BackrestFiles).
    return RecoveryParameters.forStandby(BackrestFiles.withRestoreCommand(ctx,
        local.isEmpty() ? ctx.dynamic().recoveryConf() : local));
  }

  /** Settings that make this server a standby of {@code upstream}, with this node's {@link #recovery()}. */
  Map<String, String> replicaSettings(Upstream upstream) {
    return replicaSettings(upstream, recovery());
  }

  /**
   * Settings that make this server a standby of {@code upstream} (null: nothing to follow, read-only, replaying
   * what it has and what {@code recovery} fetches, e.g. with restore_command) with {@code recovery}.
   */
  Map<String, String> replicaSettings(Upstream upstream, RecoveryParameters recovery) {
    Map<String, String> s = new LinkedHashMap<>(recovery.settings());
    if (upstream == null) {
      return s;
    }
    if (upstream.remote().isPresent()) {
      // Patroni's order: the recovery_conf settings, with the standby_cluster section's values over them.
      s.putAll(standbyLeaderSettings(upstream.remote().get()));
      return s;
    }
    if (ctx.node.tags().nostream()) {
      // Patroni's nostream: no streaming at all, so no primary_conninfo and no slot; WAL comes only through the
      // recovery settings (restore_command). The upstream still serves the divergence check and pg_rewind.
      return s;
    }
    s.put("primary_conninfo", primaryConninfo(upstream.host(), upstream.port(), Map.of()));
    if (ctx.useSlots()) {
      s.put("primary_slot_name", ctx.slotName());
    }
    // Patroni's: in a standby cluster every member gets the section's archive commands over its own, so a member
    // that fell behind its standby leader's WAL catches up from the archive the cluster is fed from;
    // recovery_min_apply_delay stays the standby leader's alone (its members would delay twice).
    ctx.dynamic().standbyCluster().ifPresent(remote -> {
      remote.restoreCommand().ifPresent(v -> s.put("restore_command", v));
      remote.archiveCleanupCommand().ifPresent(v -> s.put("archive_cleanup_command", v));
    });
    return s;
  }

  /**
   * The standby leader's settings ({@code standby_cluster}, Patroni's): primary_conninfo to the remote primary, when
   * it has a host (the same replication role and passfile as inside the cluster), its {@code primary_slot_name}
   * only (never this member's own slot, which exists nowhere on the remote), and the section's restore_command,
   * archive_cleanup_command and recovery_min_apply_delay, which only the standby leader gets. Kept apart from
   * {@code postgresql.recovery_conf}: the section's values are the remote's and win for the standby leader.
   */
  Map<String, String> standbyLeaderSettings(StandbyCluster remote) {
    Map<String, String> s = new LinkedHashMap<>();
    if (remote.streams()) {
      // Several hosts: only the remote's primary holds the slot and the newest WAL.
      Map<String, String> several = remote.host().get().contains(",")
          ? Map.of("target_session_attrs", "read-write") : Map.of();
      s.put("primary_conninfo", primaryConninfo(remote.host().get(), remote.port(), several));
      if (ctx.useSlots()) {
        remote.primarySlotName().ifPresent(slot -> s.put("primary_slot_name", slot));
      }
    }
    remote.restoreCommand().ifPresent(v -> s.put("restore_command", v));
    remote.archiveCleanupCommand().ifPresent(v -> s.put("archive_cleanup_command", v));
    remote.recoveryMinApplyDelay().ifPresent(v -> s.put("recovery_min_apply_delay", v));
    return s;
  }

  /**
   * primary_conninfo to {@code host}:{@code port} as the replication role, with this member's application_name and
   * the passfile (never a password), {@code extra} keys, then the role's own extra connection keys where unset.
   */
  private String primaryConninfo(String host, int port, Map<String, String> extra) {
    Map<String, String> conn = new LinkedHashMap<>();
    Credentials repl = ctx.pg.replication();
    conn.put("host", host);
    conn.put("port", Integer.toString(port));
    conn.put("user", repl.username());
    conn.put("application_name", ctx.node.name());
    conn.put("passfile", ctx.pgpass.toString());
    conn.putAll(extra);
    repl.extra().forEach(conn::putIfAbsent);
    return ConnInfo.render(conn);
  }

  /** The effective parameters, in file order. {@code roleSettings} is empty for a primary. */
  Map<String, String> parameters(long fencingToken, Map<String, String> roleSettings) {
    DynamicConfig dyn = ctx.dynamic();
    Map<String, String> p = new LinkedHashMap<>();
    p.put("wal_level", "replica");
    p.put("hot_standby", "on");
    p.put("max_wal_senders", "10");
    p.put("max_replication_slots", "10");
    // pg_rewind needs hint-bit changes WAL-logged; with data checksums this is already true and costs nothing.
    p.put("wal_log_hints", "on");
    p.put("unix_socket_directories", ctx.socketDir.toString());
    // The backrest section's archive settings are defaults: explicit parameters below win (BackrestFiles).
    Map<String, String> backrest = BackrestFiles.parameters(ctx);
    p.putAll(backrest);
    Set<String> dynamicKeys = putAll(p, dyn.parameters(), "parameters", false);
    Set<String> localKeys = putAll(p, ctx.pg.parameters(), "postgresql.parameters", true);
    leaveOutUnknown(p, dynamicKeys, localKeys);
    backrest.forEach((k, v) -> {
      if (!v.equals(p.get(k)) && warned.add("backrest:" + k + "=" + p.get(k))) {
        LOG.info("{} from the configuration's parameters is used, not the backrest section's", k);
      }
    });
    p.putAll(readPending());
    p.put("listen_addresses", ctx.pg.listen().host());
    p.put("port", Integer.toString(ctx.pg.listen().port()));
    p.put("cluster_name", ctx.node.scope());
    p.put("hot_standby", "on");
    p.put(FENCING_TOKEN, Long.toString(fencingToken));
    for (String k : REPLICA_KEYS) {
      p.remove(k); // only the role decides these
    }
    // Written for every role: it is a restart-only setting, so dropping it when a replica is promoted would
    // leave the new primary flagged pending_restart for nothing ('latest' is also PostgreSQL's default).
    p.putIfAbsent("recovery_target_timeline", "latest"); // a custom bootstrap's PITR target wins
    // The same for the recovery targets, written empty (their default) unless set: a standby's file has them empty
    // (RecoveryParameters#settings), and a promoted primary whose file dropped them was flagged pending_restart on
    // all five (PostgreSQL flags a removed restart-only line even when the default equals the old value).
    RecoveryParameters.TARGETS.forEach(t -> p.putIfAbsent(t, ""));
    p.putAll(roleSettings);
    appliedStandbyNames().ifPresent(v -> p.put(STANDBY_NAMES, v));
    // PostgreSQL 15 applies these lines in file order and refuses to start ("multiple recovery targets
    // specified") when an empty target follows a set one: a set target (a bootstrap's PITR) goes after the others.
    for (String t : RecoveryParameters.TARGETS) {
      if (!p.get(t).isEmpty()) {
        p.put(t, p.remove(t));
      }
    }
    return p;
  }

  /**
   * Takes the configured settings the server does not know out of {@code p} ({@link ServerParameters}), as Patroni
   * does: PostgreSQL refuses to start with one, on every node at once. One warning names them all with where
   * each came from (never a value: it may be a secret), once for each set of names rather than at every reload.
   */
  private void leaveOutUnknown(Map<String, String> p, Set<String> dynamicKeys, Set<String> localKeys) {
    Set<String> configured = new java.util.LinkedHashSet<>(dynamicKeys);
    configured.addAll(localKeys);
    Set<String> unknown = ServerParameters.unknown(ctx, configured);
    if (unknown.isEmpty()) {
      return;
    }
    List<String> named = new ArrayList<>();
    for (String key : unknown) {
      p.remove(key);
      named.add(key + " (" + (!localKeys.contains(key) ? "parameters" : dynamicKeys.contains(key)
          ? "parameters and postgresql.parameters" : "postgresql.parameters") + ")");
    }
    if (warned.add("unknown:" + named)) {
      LOG.warn("left out of PostgreSQL's configuration, as Patroni does, because {} does not know them: {}; remove "
          + "them from the configuration", ctx.bin("postgres"), String.join(", ", named));
    }
  }

  /** Puts {@code source}'s settings (checked, renamed ones converted) into {@code target}; returns the keys put. */
  private Set<String> putAll(Map<String, String> target, Map<String, String> source, String keyPath,
      boolean local) {
    Map<String, String> checked = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : source.entrySet()) {
      String key = e.getKey().trim().toLowerCase(Locale.ROOT);
      if (!NAME.matcher(key).matches()) {
        throw new PostgresException(keyPath + "." + e.getKey() + ": not a PostgreSQL parameter name");
      }
      String value = e.getValue() == null ? "" : e.getValue();
      if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
        throw new PostgresException(keyPath + "." + key + ": value must be a single line");
      }
      checked.put(key, value);
    }
    // Before the cluster-wide test: a local wal_keep_segments is a local wal_keep_size, ignored like one.
    Map<String, String> converted = RenamedParameters.convert(checked, (was, now) -> {
      if (warned.add(keyPath + "." + was)) {
        LOG.warn("{}: {} is not a PostgreSQL 15 setting, using {} instead (as Patroni does); write the new name"
            + " in the configuration", keyPath, was, now);
      }
    });
    for (Map.Entry<String, String> e : converted.entrySet()) {
      String key = e.getKey();
      String value = e.getValue();
      if (local && CLUSTER_WIDE.contains(key)) {
        if (warned.add(key)) {
          LOG.warn("{}.{} is ignored: it must be equal on all members, set it in the dynamic configuration",
              keyPath, key);
        }
        continue;
      }
      target.put(key, value);
    }
    return converted.keySet().stream().filter(target::containsKey)
        .filter(k -> !(local && CLUSTER_WIDE.contains(k)))
        .collect(java.util.stream.Collectors.toCollection(java.util.LinkedHashSet::new));
  }

  /** Writes {@value #OUR_FILE}, makes postgresql.conf include it, and writes pg_hba.conf. */
  void write(long fencingToken, Map<String, String> roleSettings) {
    BackrestFiles.writeConf(ctx);
    Map<String, String> params = parameters(fencingToken, roleSettings);
    StringBuilder sb = new StringBuilder();
    sb.append("# Written by pgquorum before every start and reload; do not edit.\n");
    sb.append("# Change postgresql.parameters in the node's YAML or the cluster's dynamic configuration instead.\n");
    for (Map.Entry<String, String> e : params.entrySet()) {
      if (e.getKey().equals(STANDBY_NAMES) && appliedStandbyNames().isPresent()) {
        sb.append(OWNED_STANDBY_NAMES).append('\n');
      }
      sb.append(e.getKey()).append(" = ").append(quote(e.getValue())).append('\n');
    }
    sb.append(CONFIG_DIGEST).append(" = ").append(quote(digest(sb.toString()))).append('\n');
    try {
      FileWriting.writeAtomically(ourFile(), sb.toString().getBytes(StandardCharsets.UTF_8), true);
      ensureInclude();
    } catch (IOException e) {
      throw new PostgresException("writing PostgreSQL configuration in " + ctx.dataDir + " failed: "
          + e.getMessage(), e);
    }
    writeHba();
  }

  /** Makes {@code value} the synchronous_standby_names pgquorum sets (empty: the configured one again). */
  void ownStandbyNames(Optional<String> value) {
    ownedStandbyNames = value;
  }

  /**
   * The synchronous_standby_names pgquorum sets, if any: the one last given, else (a restarted daemon, with
   * synchronous_mode on or quorum) the one its file says it set.
   */
  private Optional<String> appliedStandbyNames() {
    if (ownedStandbyNames == null) {
      ownedStandbyNames = Optional.empty();
      try {
        // Adopted only while synchronous mode is on or quorum: turned off while this daemon was down, the setting
        // goes back. Quorum mode too: its ANY k (voters) is what lets the key's quorum trust the voters; adopted by
        // on mode alone, a restarted quorum daemon's next write dropped it (found by ConfigWriterTest).
        if (ctx.dynamic().synchronous().mode().ownsStandbyNames()
            && Files.exists(ourFile()) && Files.readAllLines(ourFile(), StandardCharsets.UTF_8)
            .contains(OWNED_STANDBY_NAMES)) {
          ownedStandbyNames = readConf(ourFile()).map(m -> m.get(STANDBY_NAMES));
        }
      } catch (IOException e) {
        LOG.warn("could not read {} to find the synchronous_standby_names pgquorum set: {}", ourFile(),
            e.getMessage());
      }
    }
    // Not conditioned on the mode otherwise: the decision that set it read the mode from its snapshot, which may be
    // newer than the configuration this writer has been handed yet; turning the mode off gives the setting back
    // through the decision's own step.
    return ownedStandbyNames;
  }

  /** The synchronous_standby_names the file now sets ("" when none: PostgreSQL's default). */
  String standbyNamesInFile() {
    return readConf(ourFile()).map(m -> m.getOrDefault(STANDBY_NAMES, "")).orElse("");
  }

  private void ensureInclude() throws IOException {
    Path main = ctx.dataDir.resolve("postgresql.conf");
    String text = Files.exists(main) ? Files.readString(main, StandardCharsets.UTF_8) : "";
    for (String line : text.split("\n")) {
      if (line.trim().equals(INCLUDE_LINE)) {
        return;
      }
    }
    StringBuilder sb = new StringBuilder(text);
    if (!text.isEmpty() && !text.endsWith("\n")) {
      sb.append('\n');
    }
    sb.append("\n# pgquorum: the settings pgquorum manages (keep this line last so they take effect)\n");
    sb.append(INCLUDE_LINE).append('\n');
    FileWriting.writeAtomically(main, sb.toString().getBytes(StandardCharsets.UTF_8), true);
  }

  /**
   * pg_hba.conf: first the lines pgquorum needs for itself, then the configured lines exactly as written (local
   * {@code postgresql.pg_hba}, else the dynamic {@code pg_hba}, else {@code bootstrap.pg_hba}). Remote members
   * need configured lines.
   *
   * <p>What pgquorum needs, and why each line: the daemon connects as the superuser over TCP to the loopback
   * (pgjdbc has no Unix sockets, see {@link Jdbc}); its tools (pg_basebackup, pg_rewind, post_bootstrap) reach
   * this server as the replication, rewind or superuser role from this host, with the password from the pgpass
   * file; the {@code local} lines serve an operator's psql on the socket. Every line asks for the password
   * ({@code md5}, which also accepts SCRAM-stored passwords and then authenticates with SCRAM). Never
   * {@code trust}: anyone who can reach the loopback (every local user, every process on the host) would be
   * superuser. A role without a password gets no line here: it authenticates some other way (a client
   * certificate, say), which only the configured lines can express.
   */
  void writeHba() {
    StringBuilder sb = new StringBuilder();
    sb.append("# Written by pgquorum before every start; do not edit. Configure postgresql.pg_hba instead.\n");
    sb.append("# pgquorum's own connections, always with a password\n");
    Credentials su = ctx.pg.superuser();
    ownLines(sb, "all", su, true);
    ownLines(sb, "replication", ctx.pg.replication(), true);
    Optional<Credentials> rewind = ctx.pg.rewind().filter(r -> !r.username().equals(su.username()));
    if (rewind.isPresent()) {
      ownLines(sb, "all", rewind.get(), false);
    }
    List<String> configured = !ctx.pg.pgHba().isEmpty() ? ctx.pg.pgHba()
        : !ctx.dynamic().pgHba().isEmpty() ? ctx.dynamic().pgHba() : ctx.node.bootstrap().pgHba();
    sb.append("# configured lines\n");
    for (String line : configured) {
      if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
        throw new PostgresException("postgresql.pg_hba: each entry must be a single line");
      }
      sb.append(line).append('\n');
    }
    try {
      FileWriting.writeAtomically(ctx.dataDir.resolve("pg_hba.conf"), sb.toString().getBytes(StandardCharsets.UTF_8),
          true);
    } catch (IOException e) {
      throw new PostgresException("writing pg_hba.conf in " + ctx.dataDir + " failed: " + e.getMessage(), e);
    }
  }

  /** The password lines for one of pgquorum's roles from this host; none for a role without a password. */
  private static void ownLines(StringBuilder sb, String db, Credentials role, boolean local) {
    if (role.password().isEmpty()) {
      sb.append("# (no line for \"").append(role.username().replaceAll("[\\r\\n]", " "))
          .append("\": it has no password in postgresql.authentication)\n");
      return;
    }
    if (local) {
      hba(sb, "local", db, role, "", PASSWORD_METHOD);
    }
    for (String addr : List.of("127.0.0.1/32", "::1/128", "samehost")) {
      hba(sb, "host", db, role, addr, PASSWORD_METHOD);
    }
  }

  private static void hba(StringBuilder sb, String type, String db, Credentials role, String addr, String method) {
    String user = "\"" + role.username().replace("\"", "\"\"") + "\"";
    sb.append(String.format("%-7s %-12s %-20s %-16s %s%n", type, db, user, addr, method));
  }

  /**
   * Makes the data directory a standby's: postgresql.auto.conf cleaned of what would break replication
   * ({@link #sanitizeAutoConf}), pgquorum's file with {@code roleSettings} ({@link #replicaSettings}), and
   * standby.signal.
   */
  void writeStandby(long fencingToken, Map<String, String> roleSettings) {
    sanitizeAutoConf(roleSettings.keySet());
    // A standby has no synchronous standbys; kept, the value would make a later promotion wait for the former
    // primary's standbys until the new primary's first cycle set its own.
    ownedStandbyNames = Optional.empty();
    write(fencingToken, roleSettings);
    signals(true);
  }

  /**
   * Takes out of postgresql.auto.conf the settings that would stop a standby from following its leader
   * ({@link RecoveryParameters#BREAK_REPLICATION}: a recovery target, such as the recovery_target_lsn a
   * point-in-time restore leaves there, pauses replay at it for good; a fixed timeline, primary_conninfo or slot
   * overrides pgquorum's). PostgreSQL reads that file after pgquorum's, so these would win; Patroni removes them
   * too. Why here and not a deletion of the file: everything else in it is the operator's (ALTER SYSTEM) and stays
   * as written. The file as it was is copied to {@code postgresql.auto.conf.pgquorum-<UTC time>} first, and the
   * removed lines are logged.
   */
  void sanitizeAutoConf() {
    sanitizeAutoConf(java.util.Set.of());
  }

  /**
   * As {@link #sanitizeAutoConf()}, and also the recovery parameters among {@code written} (what pgquorum writes
   * for this standby, e.g. standby_cluster's restore_command): a value left in postgresql.auto.conf (a restore
   * tool writes its own restore_command there) would override pgquorum's, and a plan comparing the running value
   * with the configured one would rewrite and reload for ever. Recovery parameters pgquorum does not write stay.
   */
  void sanitizeAutoConf(java.util.Set<String> written) {
    Path auto = ctx.dataDir.resolve("postgresql.auto.conf");
    List<String> lines;
    try {
      lines = Files.readAllLines(auto, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return;
    } catch (IOException e) {
      throw new PostgresException("reading " + auto + " failed: " + e.getMessage(), e);
    }
    StringBuilder kept = new StringBuilder();
    List<String> removed = new ArrayList<>();
    for (String line : lines) {
      Matcher m = AUTO_CONF_LINE.matcher(line);
      String name = m.lookingAt() ? m.group(1).toLowerCase(Locale.ROOT) : "";
      if (RecoveryParameters.BREAK_REPLICATION.contains(name)
          || written.contains(name) && io.pgquorum.coordinator.config.RecoveryConf.PARAMETERS.contains(name)) {
        removed.add(line.trim());
      } else {
        kept.append(line).append('\n');
      }
    }
    if (removed.isEmpty()) {
      return;
    }
    Path copy = ctx.dataDir.resolve("postgresql.auto.conf.pgquorum-" + ZonedDateTime.now(
        ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")));
    try {
      Files.copy(auto, copy, StandardCopyOption.COPY_ATTRIBUTES);
      FileWriting.writeAtomically(auto, kept.toString().getBytes(StandardCharsets.UTF_8), true);
    } catch (IOException e) {
      throw new PostgresException("removing recovery settings from " + auto + " failed: " + e.getMessage(), e);
    }
    LOG.warn("removed from {} what would stop this standby from following its leader: {} (the file as it was is "
        + "in {})", auto, String.join("; ", removed), copy.getFileName());
  }

  /** Creates standby.signal (replica) or removes it (primary); a recovery.signal left behind is removed. */
  void signals(boolean standby) {
    try {
      Files.deleteIfExists(ctx.dataDir.resolve("recovery.signal"));
      Path s = ctx.dataDir.resolve("standby.signal");
      if (standby) {
        if (!Files.exists(s)) {
          Files.createFile(s);
        }
      } else {
        Files.deleteIfExists(s);
      }
    } catch (IOException e) {
      throw new PostgresException("writing signal files in " + ctx.dataDir + " failed: " + e.getMessage(), e);
    }
  }

  /** The first 16 hex digits of the SHA-256 of {@code content}. */
  static String digest(String content) {
    try {
      byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(d, 0, 8);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is a required JDK algorithm", e);
    }
  }

  /** The {@link #CONFIG_DIGEST} of {@value #OUR_FILE} as last written, if it has one. */
  Optional<String> writtenDigest() {
    return currentSetting(CONFIG_DIGEST);
  }

  /** A value in {@value #OUR_FILE} as last written. */
  Optional<String> currentSetting(String key) {
    return readConf(ourFile()).map(m -> m.get(key));
  }

  OptionalLong currentToken() {
    Optional<String> v = currentSetting(FENCING_TOKEN);
    if (v.isEmpty()) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(v.get()));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /**
   * The replication settings last written: a standby's connection and recovery settings (standby.signal marks a
   * standby's configuration; without it, a primary's, only the connection keys, normally none).
   */
  Map<String, String> currentRoleSettings() {
    Map<String, String> all = readConf(ourFile()).orElse(Map.of());
    boolean standby = Files.exists(ctx.dataDir.resolve("standby.signal"));
    Map<String, String> s = new LinkedHashMap<>();
    all.forEach((k, v) -> {
      // A standby leader's restore_command & co. are carried through its promotion like the connection keys.
      if (REPLICA_KEYS.contains(k) || STANDBY_LEADER_KEYS.contains(k)
          || (standby && RecoveryConf.PARAMETERS.contains(k))) {
        s.put(k, v);
      }
    });
    return s;
  }

  void writePending(Map<String, String> recoverySettings) {
    StringBuilder sb = new StringBuilder("# recovery settings of the custom bootstrap; removed once it finished\n");
    recoverySettings.forEach((k, v) -> sb.append(k).append(" = ").append(quote(v)).append('\n'));
    try {
      FileWriting.writeAtomically(ctx.dataDir.resolve(BOOTSTRAP_PENDING),
          sb.toString().getBytes(StandardCharsets.UTF_8), true);
    } catch (IOException e) {
      throw new PostgresException("writing bootstrap recovery settings failed: " + e.getMessage(), e);
    }
  }

  boolean bootstrapPending() {
    return Files.exists(ctx.dataDir.resolve(BOOTSTRAP_PENDING));
  }

  void clearPending() {
    try {
      Files.deleteIfExists(ctx.dataDir.resolve(BOOTSTRAP_PENDING));
    } catch (IOException e) {
      throw new PostgresException("removing " + BOOTSTRAP_PENDING + " failed: " + e.getMessage(), e);
    }
  }

  private Map<String, String> readPending() {
    return readConf(ctx.dataDir.resolve(BOOTSTRAP_PENDING)).orElse(Map.of());
  }

  /** PostgreSQL's quoting: a single-quoted string where {@code '} doubles and {@code \} escapes. */
  static String quote(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
  }

  /** Reads a file in the format {@link #write} produces (one {@code key = 'value'} per line). */
  static Optional<Map<String, String>> readConf(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new PostgresException("reading " + file + " failed: " + e.getMessage(), e);
    }
    Map<String, String> m = new LinkedHashMap<>();
    for (String line : lines) {
      String t = line.trim();
      int eq = t.indexOf('=');
      if (t.isEmpty() || t.startsWith("#") || eq < 0) {
        continue;
      }
      String key = t.substring(0, eq).trim();
      String raw = t.substring(eq + 1).trim();
      m.put(key, unquote(raw));
    }
    return Optional.of(m);
  }

  static String unquote(String raw) {
    if (raw.length() < 2 || raw.charAt(0) != '\'' || raw.charAt(raw.length() - 1) != '\'') {
      return raw;
    }
    String body = raw.substring(1, raw.length() - 1);
    StringBuilder sb = new StringBuilder(body.length());
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (c == '\\' && i + 1 < body.length()) {
        sb.append(body.charAt(++i));
      } else if (c == '\'' && i + 1 < body.length() && body.charAt(i + 1) == '\'') {
        sb.append('\'');
        i++;
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
