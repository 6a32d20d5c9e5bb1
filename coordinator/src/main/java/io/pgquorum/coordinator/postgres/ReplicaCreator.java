package io.pgquorum.coordinator.postgres;

import io.pgquorum.coordinator.config.CustomMethod;
import io.pgquorum.coordinator.postgres.ProcessRunner.OnTimeout;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates this node's data directory from an upstream with the configured {@code create_replica_methods}, in
 * order, until one works: the built-in {@code basebackup}, or custom methods with Patroni's contract.
 */
final class ReplicaCreator {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicaCreator.class);
  static final String BASEBACKUP = "basebackup";

  private final PgContext ctx;
  private final ConfigWriter config;
  private final DataDirectory dataDir;

  ReplicaCreator(PgContext ctx, ConfigWriter config) {
    this.ctx = ctx;
    this.config = config;
    this.dataDir = new DataDirectory(ctx.dataDir);
  }

  void cloneFrom(Upstream upstream) {
    String op = "clone replica from " + describe(upstream);
    // Never clone into, or clean up, a directory holding files pgquorum did not create (a mistyped data_dir
    // naming a home directory must keep its .ssh). Empty after this check, so whatever a failed method leaves
    // behind below was created by that method; a keep_data method's leftovers stay, and a later method then
    // finds the directory not empty and fails on its own.
    dataDir.requireMissingOrEmpty(op);
    Set<String> before = dataDir.entries();
    ctx.writePgPass();
    // A standby leader's first copy comes from the remote with standby_cluster's methods (Patroni's), which name
    // basebackup or this node's postgresql.<method> sections.
    String listedIn = upstream.remote().isPresent() ? "standby_cluster.create_replica_methods"
        : "postgresql.create_replica_methods";
    List<String> methods = upstream.remote().map(r -> r.createReplicaMethods())
        .orElseGet(() -> ctx.pg.createReplicaMethods().isEmpty() ? List.of(BASEBACKUP)
            : ctx.pg.createReplicaMethods());
    List<String> failures = new ArrayList<>();
    for (String method : methods) {
      boolean keepData = false;
      try {
        if (method.equals(BASEBACKUP) || method.equals("pg_basebackup")) {
          basebackup(upstream);
        } else {
          CustomMethod m = ctx.pg.replicaMethods().get(method);
          if (m == null) {
            throw new PostgresException(listedIn + " lists " + method
                + " but there is no section postgresql." + method);
          }
          keepData = m.keepData();
          custom(m, upstream);
        }
        if (!dataDir.hasCluster()) {
          throw new PostgresException("it exited 0 but left no cluster in " + ctx.dataDir);
        }
        finish(upstream);
        LOG.info("{}: done with method {}", op, method);
        return;
      } catch (PostgresException e) {
        LOG.warn("{}: method {} failed: {}", op, method, e.getMessage());
        failures.add(method + ": " + e.getMessage());
        if (!keepData) {
          // The method's partial copy (pg_basebackup cleans up after itself the same way); nothing that was
          // there before, so the next method starts from the same empty directory.
          dataDir.removeCreatedSince(before);
        }
      }
    }
    throw new PostgresException(op + " failed, every method failed:\n- " + String.join("\n- ", failures));
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
   * --connstring=<url of the upstream, replication user, no password>}, then every extra key as
   * {@code --key=value}. The password comes from PGPASSFILE.
   */
  private void custom(CustomMethod m, Upstream upstream) {
    dataDir.create();
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
      if (upstream.streams()) {
        argv.add("--connstring=" + connectionUrl(upstream));
      }
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
    config.write(config.currentToken().orElse(0), config.replicaSettings(upstream));
    config.signals(true);
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
