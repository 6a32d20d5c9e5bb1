package io.pgquorum.coordinator.postgres;

import io.pgquorum.coordinator.config.CustomMethod;
import io.pgquorum.coordinator.postgres.PgState.DataDirState;
import io.pgquorum.coordinator.postgres.ProcessRunner.OnTimeout;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates this node's data directory from an upstream with the configured {@code create_replica_methods}, in
 * order, until one works: the built-in {@code basebackup}, the built-in {@code backrest} (a restore from the
 * pgBackRest repository, with a {@code backrest} section), or custom methods with Patroni's contract.
 */
final class ReplicaCreator {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicaCreator.class);
  static final String BASEBACKUP = "basebackup";
  /** The built-in restore from the pgBackRest repository ({@code backrest} section, issue 13). */
  static final String BACKREST = "backrest";

  private final PgContext ctx;
  private final ConfigWriter config;
  private final DataDirectory dataDir;
  private final BackrestReplica backrest;
  private volatile Map<String, Object> last = Map.of();
  /** The methods the last clone ran without (copies of theirs were refused), and the method whose copy it made. */
  private volatile List<String> lastSkip = List.of();
  private volatile String lastMethod;
  private volatile List<String> lastConfigured = List.of();

  ReplicaCreator(PgContext ctx, ConfigWriter config, Jdbc jdbc) {
    this.ctx = ctx;
    this.config = config;
    this.dataDir = new DataDirectory(ctx.dataDir);
    this.backrest = new BackrestReplica(ctx, jdbc);
  }

  /**
   * Creates the copy from {@code upstream}, or, when it is null (the cluster has no leader), with the methods
   * marked {@code no_leader} only (a restore from a backup), as Patroni does.
   */
  void cloneFrom(Upstream upstream) {
    cloneFrom(upstream, false);
  }

  /** As above; {@code basebackupOnly}: pg_basebackup from {@code upstream}, whatever the methods configured. */
  void cloneFrom(Upstream upstream, boolean basebackupOnly) {
    String op = upstream == null ? "create replica without a leader" : "clone replica from " + describe(upstream);
    run(op, upstream, basebackupOnly, false, null, List.of());
  }

  /**
   * Moves the refused copy aside with {@code moveAside} (never deleting it) and clones again from {@code upstream}
   * with the configured methods except {@code skip}, whose copies PostgreSQL refused ({@link RefusedCopy}).
   */
  void cloneAgainWithout(Upstream upstream, List<String> skip, Runnable moveAside) {
    moveAside.run();
    run("clone replica again from " + describe(upstream) + " without " + String.join(", ", skip), upstream, false,
        false, null, skip);
  }

  /**
   * The refusal of the copy in the data directory, for {@code message} (PostgreSQL's): which method made it, and
   * which are left. {@code pgquorum.replica_creation} now says {@code refused}.
   */
  RefusedCopy refused(String message) {
    Optional<String> method = Optional.ofNullable(lastMethod);
    List<String> skip = new ArrayList<>(lastSkip);
    method.filter(m -> !skip.contains(m)).ifPresent(skip::add);
    // No clone ran in this process (a copy made before a restart): the configured methods.
    List<String> configured = !lastConfigured.isEmpty() ? lastConfigured
        : ctx.pg.createReplicaMethods().isEmpty() ? List.of(BASEBACKUP) : ctx.pg.createReplicaMethods();
    List<String> remaining = configured.stream().filter(m -> !skip.contains(m)).toList();
    if (!last.isEmpty()) {
      Map<String, Object> r = new LinkedHashMap<>(last);
      r.put("result", "refused");
      r.put("refused", message);
      last = Map.copyOf(r);
    }
    return new RefusedCopy(method, message, skip, remaining);
  }

  /**
   * Creates the copy again over this node's stopped cluster (a reinitialize, a rejoin that must re-clone). When the
   * first method is the built-in {@code backrest}, the repository holds a backup of this same database system and
   * the copy holds nothing of its own ({@code wasStandby}: it was a standby, so overwriting it loses
   * no write nobody else has), the directory stays for a {@code pgbackrest restore --delta},
   * which copies only the files that differ; otherwise (or when that restore fails) {@code moveAside} moves it
   * aside first, never deleting it, and the methods run as for a new replica.
   */
  void recloneFrom(Upstream upstream, boolean basebackupOnly, Runnable moveAside,
      java.util.function.BooleanSupplier wasStandby) {
    String op = "clone replica again from " + describe(upstream);
    List<String> methods = methods(upstream, basebackupOnly);
    if (dataDir.hasCluster() && !methods.isEmpty() && isBuiltinBackrest(methods.get(0)) && upstream != null
        && upstream.streams() && upstream.remote().isEmpty()) {
      BackrestReplicaSource.Verdict v;
      try {
        v = backrest.judge(upstream);
      } catch (PostgresException e) {
        v = new BackrestReplicaSource.Unusable(e.getMessage());
      }
      if (v instanceof BackrestReplicaSource.Usable u && u.delta() && !wasStandby.getAsBoolean()) {
        v = new BackrestReplicaSource.Unusable("it was a primary when it last stopped (it may hold writes nobody "
            + "else has)");
      }
      if (v instanceof BackrestReplicaSource.Usable u && u.delta()) {
        run(op, upstream, basebackupOnly, true, moveAside, List.of());
        return;
      }
      LOG.info("{}: the data directory is not reused for a --delta restore: {}", op,
          v instanceof BackrestReplicaSource.Unusable un ? un.reason() : "it holds another database system");
    }
    moveAside.run();
    run(op, upstream, basebackupOnly, false, null, List.of());
  }

  /** The methods to try, in order (see cloneFrom). */
  private List<String> methods(Upstream upstream, boolean basebackupOnly) {
    boolean remote = upstream != null && upstream.remote().isPresent();
    // A standby leader's first copy comes from the remote with standby_cluster's methods (Patroni's), which name
    // basebackup or this node's postgresql.<method> sections.
    List<String> configured = basebackupOnly && upstream != null && !remote ? List.of(BASEBACKUP)
        : remote ? upstream.remote().get().createReplicaMethods()
        : ctx.pg.createReplicaMethods().isEmpty() ? List.of(BASEBACKUP) : ctx.pg.createReplicaMethods();
    return upstream == null ? configured.stream().filter(this::worksWithoutLeader).toList() : configured;
  }

  /**
   * @param kept the directory holds this node's earlier copy, kept for a --delta restore by the first method
   *     (built-in backrest); when that fails it is moved aside with {@code moveAside} and the others run on a
   *     missing directory
   */
  private void run(String op, Upstream upstream, boolean basebackupOnly, boolean kept, Runnable moveAside,
      List<String> skip) {
    boolean remote = upstream != null && upstream.remote().isPresent();
    String listedIn = remote ? "standby_cluster.create_replica_methods" : "postgresql.create_replica_methods";
    List<String> configured0 = methods(upstream, basebackupOnly);
    List<String> methods = configured0.stream().filter(m -> !skip.contains(m)).toList();
    lastSkip = List.copyOf(skip);
    lastMethod = null;
    lastConfigured = configured0;
    if (methods.isEmpty() && !skip.isEmpty()) {
      throw new PostgresException(op + ": every method in " + listedIn + " " + configured0 + " made a copy "
          + "PostgreSQL refused");
    }
    if (methods.isEmpty()) {
      List<String> configured = ctx.pg.createReplicaMethods();
      throw new PostgresException(op + ": none of postgresql.create_replica_methods " + configured
          + " works without a leader; a custom method marked no_leader: true (a restore from a backup "
          + "repository, say) would");
    }
    boolean existed = true;
    if (!kept) {
      // Never clone into, or clean up, a directory holding files pgquorum did not create (a mistyped data_dir
      // naming a home directory must keep its .ssh). Missing or empty after this check, so whatever is in it
      // later was created by the methods this clone ran, and reset() may remove it.
      dataDir.requireMissingOrEmpty(op);
      existed = dataDir.state() == DataDirState.EMPTY;
    }
    ctx.writePgPass();
    List<String> failures = new ArrayList<>();
    List<Map<String, Object>> attempts = new ArrayList<>();
    String keptBy = null; // the keep_data method whose output the directory holds now, if any
    for (String method : methods) {
      CustomMethod m = null;
      long started = System.nanoTime();
      boolean delta = false;
      try {
        if (isBuiltinBackrest(method)) {
          if (remote) {
            throw new PostgresException("backrest builds replicas of this cluster's members only");
          }
          if (!kept) {
            reset(existed);
            keptBy = null;
          }
          delta = kept;
          backrest(upstream, kept);
        } else {
          if (!isBasebackup(method)) {
            m = ctx.pg.replicaMethods().get(method);
            if (m == null) {
              throw new PostgresException(listedIn + " lists " + method
                  + " but there is no section postgresql." + method);
            }
          }
          if (m != null && m.keepData()) {
            if (keptBy != null) {
              LOG.info("{}: leaving what method {} left in the data directory for {} (keep_data)", op, keptBy,
                  method);
            }
          } else {
            // Patroni cleans the directory before a method without keep_data: here back to how this clone found
            // it, missing (so a method that creates its target, as many restore tools do, can) or empty.
            reset(existed);
            keptBy = null;
          }
          if (m == null) {
            basebackup(upstream);
          } else {
            custom(m, upstream);
          }
        }
        if (!dataDir.hasCluster()) {
          throw new PostgresException("it exited 0 but left no cluster in " + ctx.dataDir);
        }
        finish(upstream);
        lastMethod = method;
        attempts.add(attempt(method, "succeeded", delta, started, null));
        record(op, method, "succeeded", attempts);
        LOG.info("{}: done with method {}{}", op, method, delta ? " (--delta over the existing data directory)"
            : "");
        return;
      } catch (PostgresException e) {
        LOG.warn("{}: method {} failed: {}", op, method, e.getMessage());
        failures.add(method + ": " + e.getMessage());
        attempts.add(attempt(method, "failed", delta, started, e.getMessage()));
        if (kept) {
          // The earlier copy, perhaps half restored over: kept (moved aside), the next method starts afresh.
          kept = false;
          moveAside.run();
          existed = false;
        } else if (m != null && m.keepData()) {
          // keep_data: the method's work stays (a later keep_data method, or the operator, may resume it).
          keptBy = dataDir.state() == DataDirState.MISSING || dataDir.state() == DataDirState.EMPTY ? null : method;
        } else {
          // The method's partial copy (pg_basebackup cleans up after itself the same way): none of it was there
          // before this clone started.
          reset(existed);
        }
      }
    }
    record(op, null, "failed", attempts);
    String keptText = keptBy == null ? "" : "\nthe data directory " + ctx.dataDir + " keeps what method " + keptBy
        + " left (keep_data); pgquorum does not clone into it again: move it away to retry";
    throw new PostgresException(op + " failed, every method failed:\n- " + String.join("\n- ", failures)
        + keptText);
  }

  /** The last replica creation on this node, for {@code pgquorum.replica_creation} in {@code /patroni}. */
  Map<String, Object> lastCreation() {
    return last;
  }

  private void record(String op, String method, String result, List<Map<String, Object>> attempts) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("operation", op);
    r.put("result", result);
    if (method != null) {
      r.put("method", method);
    }
    r.put("at", Instant.now().toString());
    r.put("attempts", List.copyOf(attempts));
    last = Map.copyOf(r);
  }

  private static Map<String, Object> attempt(String method, String result, boolean delta, long startedNanos,
      String error) {
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("method", method);
    a.put("result", result);
    if (delta) {
      a.put("delta", true);
    }
    a.put("seconds", Math.round((System.nanoTime() - startedNanos) / 1e7) / 100.0);
    if (error != null) {
      a.put("error", error);
    }
    return a;
  }

  /** The built-in restore from the repository, unless the operator wrote a custom method of that name. */
  private boolean isBuiltinBackrest(String method) {
    return method.equals(BACKREST) && !ctx.pg.replicaMethods().containsKey(BACKREST);
  }

  private void backrest(Upstream upstream, boolean delta) {
    BackrestReplicaSource.Verdict v = backrest.judge(upstream);
    if (v instanceof BackrestReplicaSource.Unusable u) {
      throw new PostgresException(u.reason());
    }
    BackrestReplicaSource.Usable usable = (BackrestReplicaSource.Usable) v;
    if (usable.delta() != delta) {
      // Kept for --delta but no longer the same system (or the reverse): nothing is restored over it.
      throw new PostgresException("the data directory changed while the restore was being planned");
    }
    backrest.restore(usable);
  }

  private static boolean isBasebackup(String method) {
    return method.equals(BASEBACKUP) || method.equals("pg_basebackup");
  }

  /** Patroni's rule: only a custom method marked no_leader can work without a leader to copy from. */
  private boolean worksWithoutLeader(String method) {
    CustomMethod m = ctx.pg.replicaMethods().get(method);
    return !isBasebackup(method) && m != null && m.noLeader();
  }

  /**
   * Back to the state cloneFrom found: the directory missing (when it was) or empty. Everything removed was
   * created by this clone's methods, since the directory was verified missing or empty before the first.
   */
  private void reset(boolean existed) {
    if (existed) {
      dataDir.removeCreatedSince(Set.of());
      return;
    }
    try {
      DataDirectory.deleteTree(ctx.dataDir);
    } catch (IOException e) {
      throw new PostgresException("removing the failed copy " + ctx.dataDir + " failed: " + e.getMessage(), e);
    }
  }

  private void basebackup(Upstream upstream) {
    if (!upstream.streams()) {
      throw new PostgresException("basebackup needs a server to copy: standby_cluster has no host (archive only); "
          + "list a method in standby_cluster.create_replica_methods that restores from the archive");
    }
    dataDir.create(); // empty, as pg_basebackup requires (see cloneFrom)
    List<String> argv = new ArrayList<>(List.of(ctx.bin("pg_basebackup"), "-D", ctx.dataDir.toString(),
        "-X", "stream", "-c", "fast", "-h", upstream.host(), "-p", Integer.toString(upstream.port()),
        "-U", ctx.pg.replication().username(), "-w"));
    argv.addAll(CommandArgv.longOptions(ctx.pg.basebackup()));
    ctx.runner.check("pg_basebackup", argv, ctx.libpqEnv(), PgContext.LONG_TOOL_TIMEOUT, OnTimeout.KILL_TREE);
  }

  /**
   * Patroni's contract: the command, then (unless no_params) {@code --scope --datadir --role=replica
   * --connstring=<url of the upstream, replication user, no password; empty without a leader>}, then every extra key as
   * {@code --key=value}. The password comes from PGPASSFILE.
   */
  private void custom(CustomMethod m, Upstream upstream) {
    // No directory is made for the method: it gets the target as cloneFrom left it (missing, or empty, or with
    // a keep_data method's work), as under Patroni.
    List<String> argv;
    try {
      argv = new ArrayList<>(CommandArgv.split(m.command()));
    } catch (IllegalArgumentException e) {
      throw new PostgresException("postgresql." + m.name() + ".command: " + e.getMessage());
    }
    if (!m.noParams()) {
      argv.add("--scope=" + ctx.node.scope());
      argv.add("--datadir=" + ctx.dataDir);
      argv.add("--role=replica");
      // Without a leader (a no_leader method) or with an archive-only remote, Patroni passes an empty one.
      argv.add("--connstring=" + (upstream == null || !upstream.streams() ? "" : connectionUrl(upstream)));
    }
    new TreeMap<>(m.extra()).forEach((k, v) -> argv.add("--" + k + "=" + v));
    ctx.runner.check("replica method " + m.name(), argv, ctx.libpqEnv(), PgContext.LONG_TOOL_TIMEOUT,
        OnTimeout.KILL_TREE);
  }

  String connectionUrl(Upstream upstream) {
    String host = upstream.host().contains(":") ? "[" + upstream.host() + "]" : upstream.host();
    return "postgres://" + URLEncoder.encode(ctx.pg.replication().username(), StandardCharsets.UTF_8) + "@" + host
        + ":" + upstream.port() + "/postgres";
  }

  /** Makes the copy a stopped standby of {@code upstream}. */
  private void finish(Upstream upstream) {
    try {
      // A file-level copy of a running server carries its lock files; nothing runs on this fresh copy.
      Files.deleteIfExists(ctx.dataDir.resolve("postmaster.pid"));
      Files.deleteIfExists(ctx.dataDir.resolve("postmaster.opts"));
      Files.deleteIfExists(ctx.dataDir.resolve(ConfigWriter.BOOTSTRAP_PENDING));
    } catch (IOException e) {
      throw new PostgresException("cleaning the copied lock files failed: " + e.getMessage(), e);
    }
    dataDir.create(); // PostgreSQL refuses to start on a directory with looser permissions
    config.writeStandby(config.currentToken().orElse(0), config.replicaSettings(upstream));
  }

  static String describe(Upstream upstream) {
    if (upstream == null) {
      return "no upstream";
    }
    if (!upstream.streams()) {
      return upstream.name() + " (archive only)";
    }
    return upstream.name() + " (" + upstream.host() + ":" + upstream.port() + ")";
  }
}
