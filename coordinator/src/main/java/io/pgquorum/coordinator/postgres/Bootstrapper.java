package io.pgquorum.coordinator.postgres;

import io.pgquorum.coordinator.config.BootstrapConfig;
import io.pgquorum.coordinator.config.CustomMethod;
import io.pgquorum.coordinator.postgres.ProcessRunner.OnTimeout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates a new cluster in an empty data directory: initdb, or a custom {@code bootstrap.method} with Patroni's
 * contract. Leaves it stopped, with pgquorum's configuration written and marked as a bootstrap that is not done
 * until {@link #finish()}.
 */
final class Bootstrapper {
  private static final Logger LOG = LoggerFactory.getLogger(Bootstrapper.class);

  private final PgContext ctx;
  private final ConfigWriter config;
  private final DataDirectory dataDir;

  Bootstrapper(PgContext ctx, ConfigWriter config) {
    this.ctx = ctx;
    this.config = config;
    this.dataDir = new DataDirectory(ctx.dataDir);
  }

  /** @param fromBackup a restore's target, replacing the configured method (pgctl restore); empty: the config's */
  void bootstrap(Optional<io.pgquorum.coordinator.config.BackrestBootstrap> fromBackup) {
    dataDir.requireMissingOrEmpty("bootstrap");
    java.util.Set<String> before = dataDir.entries();
    ctx.writePgPass();
    BootstrapConfig b = ctx.node.bootstrap();
    Optional<io.pgquorum.coordinator.config.BackrestBootstrap> backrest = fromBackup.or(b::backrest);
    Optional<String> method = fromBackup.isPresent() ? Optional.of("backrest")
        : b.method().map(String::trim).filter(m -> !m.isEmpty() && !m.equals("initdb"));
    Map<String, String> recovery = Map.of();
    try {
      if (backrest.isPresent()) {
        recovery = new BackrestBootstrapper(ctx).restore(backrest.get());
      } else if (method.isPresent()) {
        recovery = custom(method.get());
      } else {
        initdb(b.initdb());
      }
      if (!dataDir.hasCluster()) {
        throw new PostgresException("bootstrap: " + method.map(m -> "bootstrap method " + m).orElse("initdb")
            + " left no cluster in " + ctx.dataDir);
      }
    } catch (RuntimeException e) {
      if (!dataDir.hasCluster()) {
        // The failed attempt's leftovers (the directory was verified empty, so all of it is ours): without this
        // the directory reads as not empty, nothing may bootstrap or clone into it, and the cluster waits for an
        // operator. A directory that does hold a cluster is moved aside by the caller instead.
        dataDir.removeCreatedSince(before);
      }
      throw e;
    }
    // From here until finish() the directory holds a cluster whose bootstrap is not done: a daemon killed
    // meanwhile finds it marked, and never starts it for clients (see PgState.DataDirState.BOOTSTRAP_INCOMPLETE).
    dataDir.markBootstrapIncomplete(true);
    dataDir.create(); // a custom method may have left looser permissions than PostgreSQL accepts
    config.writePending(recovery);
    config.write(0, Map.of());
    LOG.info("created a new cluster in {} with {}; finishing its bootstrap with only pgquorum connected",
        ctx.dataDir, method.orElse("initdb"));
  }

  /**
   * The last step, with the server stopped again: the custom bootstrap's recovery settings must not apply to any
   * later start, and the marker goes, so that the cluster counts as bootstrapped.
   */
  void finish() {
    config.clearPending();
    config.write(0, Map.of());
    dataDir.markBootstrapIncomplete(false);
    LOG.info("bootstrapped a new cluster in {}", ctx.dataDir);
  }

  private void initdb(List<String> options) {
    Path pwfile = null;
    try {
      List<String> argv = new ArrayList<>(List.of(ctx.bin("initdb"), "-D", ctx.dataDir.toString(), "-U",
          ctx.pg.superuser().username()));
      Optional<String> password = ctx.pg.superuser().password();
      if (password.isPresent()) {
        // The password reaches initdb through a private file, never the command line.
        pwfile = Files.createTempFile("pgquorum-initdb-", ".pw"); // mode 0600
        Files.writeString(pwfile, password.get() + "\n", StandardCharsets.UTF_8);
        argv.add("--pwfile=" + pwfile);
      }
      // pg_hba.conf is replaced before the first start (ConfigWriter.writeHba); initdb's own file must still
      // never say trust, even for the moment it exists. Not md5: initdb would then also set
      // password_encryption = md5 and every role would get a weak MD5 verifier. Without a password, reject:
      // the configured pg_hba lines decide how such a superuser authenticates.
      String auth = password.isPresent() ? "scram-sha-256" : "reject";
      argv.add("--auth-local=" + auth);
      argv.add("--auth-host=" + auth);
      argv.addAll(CommandArgv.longOptions(options)); // the user's options last, so they win
      Files.createDirectories(ctx.runtimeDir);
      ctx.runner.check("bootstrap: initdb", argv, Map.of(), PgContext.LONG_TOOL_TIMEOUT, OnTimeout.KILL_TREE);
    } catch (IOException e) {
      throw new PostgresException("bootstrap: initdb failed: " + e.getMessage(), e);
    } finally {
      if (pwfile != null) {
        try {
          Files.deleteIfExists(pwfile);
        } catch (IOException ignored) {
          // private temp file; nothing else to do
        }
      }
    }
  }

  /** Runs {@code bootstrap.<name>}; returns the recovery settings to apply before the first start. */
  private Map<String, String> custom(String name) {
    CustomMethod m = ctx.node.bootstrap().methods().get(name);
    if (m == null) {
      throw new PostgresException("bootstrap.method: " + name + " has no section bootstrap." + name);
    }
    List<String> argv;
    try {
      argv = new ArrayList<>(CommandArgv.split(m.command()));
    } catch (IllegalArgumentException e) {
      throw new PostgresException("bootstrap." + name + ".command: " + e.getMessage());
    }
    if (!m.noParams()) {
      argv.add("--scope=" + ctx.node.scope());
      argv.add("--datadir=" + ctx.dataDir);
    }
    new TreeMap<>(m.extra()).forEach((k, v) -> argv.add("--" + k + "=" + v));
    try {
      Files.createDirectories(ctx.runtimeDir);
    } catch (IOException e) {
      throw new PostgresException("bootstrap: cannot create " + ctx.runtimeDir + ": " + e.getMessage(), e);
    }
    ctx.runner.check("bootstrap: method " + name, argv, ctx.libpqEnv(), PgContext.LONG_TOOL_TIMEOUT,
        OnTimeout.KILL_TREE);
    try {
      if (!m.keepExistingRecoveryConf()) {
        for (String f : List.of("standby.signal", "recovery.signal", "recovery.conf")) {
          Files.deleteIfExists(ctx.dataDir.resolve(f));
        }
      }
      if (m.recoveryConf().isEmpty()) {
        return Map.of();
      }
      Map<String, String> recovery = new LinkedHashMap<>(new TreeMap<>(m.recoveryConf()));
      boolean hasTarget = recovery.keySet().stream().anyMatch(k -> k.startsWith("recovery_target")
          && !k.equals("recovery_target_timeline") && !k.equals("recovery_target_action"));
      if (hasTarget) {
        // PostgreSQL's default is to pause at the target, which would leave a bootstrap waiting forever.
        recovery.putIfAbsent("recovery_target_action", "promote");
      }
      Path signal = ctx.dataDir.resolve("recovery.signal");
      if (!Files.exists(signal)) {
        Files.createFile(signal);
      }
      return recovery;
    } catch (IOException e) {
      throw new PostgresException("bootstrap: preparing recovery after method " + name + " failed: "
          + e.getMessage(), e);
    }
  }
}
