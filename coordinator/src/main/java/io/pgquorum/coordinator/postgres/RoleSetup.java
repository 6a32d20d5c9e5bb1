package io.pgquorum.coordinator.postgres;

import io.pgquorum.coordinator.config.Credentials;
import io.pgquorum.coordinator.postgres.ProcessRunner.OnTimeout;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The roles of a freshly bootstrapped cluster, and post_bootstrap. Idempotent: a bootstrap interrupted after
 * some roles exist can run this again.
 *
 * <p>Passwords are hashed by the driver ({@link PGConnection#alterUserPassword}) and sent as SCRAM or MD5
 * verifiers, so the plain text never reaches the server, its logs, or pg_stat_activity.
 */
final class RoleSetup {
  private static final Logger LOG = LoggerFactory.getLogger(RoleSetup.class);
  /** What pg_rewind calls on its source; a non-superuser rewind role needs exactly these. */
  private static final List<String> REWIND_FUNCTIONS = List.of("pg_catalog.pg_ls_dir(text, boolean, boolean)",
      "pg_catalog.pg_stat_file(text, boolean)", "pg_catalog.pg_read_binary_file(text)",
      "pg_catalog.pg_read_binary_file(text, bigint, bigint, boolean)");

  private final PgContext ctx;
  private final Jdbc jdbc;
  private final ConfigWriter config;

  RoleSetup(PgContext ctx, Jdbc jdbc, ConfigWriter config) {
    this.ctx = ctx;
    this.jdbc = jdbc;
    this.config = config;
  }

  void createRoles() {
    String op = "create roles";
    Credentials su = ctx.pg.superuser();
    try (Connection c = jdbc.admin()) {
      awaitEndOfRecovery(c);
      try (Statement s = c.createStatement()) {
        // Nothing of this session's statements in the server log, whatever the logging settings are.
        s.execute("SET log_statement = 'none'");
        s.execute("SET log_min_duration_statement = -1");
        s.execute("SET log_min_error_statement = 'panic'");
      }
      PGConnection pgc = c.unwrap(PGConnection.class);
      if (su.password().isPresent()) {
        pgc.alterUserPassword(su.username(), su.password().get().toCharArray(), null);
      }
      Credentials repl = ctx.pg.replication();
      if (!repl.username().equals(su.username())) {
        ensureRole(c, repl.username(), "LOGIN REPLICATION");
        if (repl.password().isPresent()) {
          pgc.alterUserPassword(repl.username(), repl.password().get().toCharArray(), null);
        }
      }
      Optional<Credentials> rewind = ctx.pg.rewind().filter(r -> !r.username().equals(su.username()));
      if (rewind.isPresent()) {
        String name = rewind.get().username();
        ensureRole(c, name, "LOGIN");
        try (Statement s = c.createStatement()) {
          for (String fn : REWIND_FUNCTIONS) {
            s.execute("GRANT EXECUTE ON FUNCTION " + fn + " TO " + ident(name));
          }
          // pg_rewind trusts the source's control file for its timeline; right after a promotion that is
          // stale until a checkpoint, so the rewinding node asks the source for one (see Rewinder).
          s.execute("GRANT pg_checkpoint TO " + ident(name));
        }
        if (rewind.get().password().isPresent()) {
          pgc.alterUserPassword(name, rewind.get().password().get().toCharArray(), null);
        }
      }
      if (config.bootstrapPending()) {
        // The custom bootstrap's recovery is over: its recovery settings must not apply to any later start.
        config.clearPending();
        config.write(config.currentToken().orElse(0), config.currentRoleSettings());
        try (Statement s = c.createStatement()) {
          s.execute("SELECT pg_reload_conf()");
        }
      }
    } catch (SQLException e) {
      throw new PostgresException(op + " failed: " + jdbc.describe(e), e);
    }
    LOG.info("created roles {} (replication){}", ctx.pg.replication().username(),
        ctx.pg.rewind().map(r -> " and " + r.username() + " (rewind)").orElse(""));
    postBootstrap();
  }

  private void awaitEndOfRecovery(Connection c) throws SQLException {
    long deadline = System.nanoTime() + PgContext.LONG_TOOL_TIMEOUT.toNanos();
    while (true) {
      try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT pg_is_in_recovery()")) {
        r.next();
        if (!r.getBoolean(1)) {
          return;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new PostgresException("create roles: the new cluster is still in recovery");
      }
      Polling.pause(Duration.ofMillis(200), "create roles");
    }
  }

  private static void ensureRole(Connection c, String name, String options) throws SQLException {
    boolean exists;
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
      ps.setString(1, name);
      try (ResultSet r = ps.executeQuery()) {
        exists = r.next();
      }
    }
    try (Statement s = c.createStatement()) {
      s.execute((exists ? "ALTER ROLE " : "CREATE ROLE ") + ident(name) + " WITH " + options);
    }
  }

  static String ident(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  /**
   * Runs post_bootstrap with a connection URL as its one argument. The URL carries no password; the script's
   * libpq finds it in the password file named by PGPASSFILE.
   */
  private void postBootstrap() {
    Optional<String> cmd = ctx.node.bootstrap().postBootstrap().filter(s -> !s.isBlank());
    if (cmd.isEmpty()) {
      return;
    }
    List<String> argv;
    try {
      argv = new ArrayList<>(CommandArgv.split(cmd.get()));
    } catch (IllegalArgumentException e) {
      throw new PostgresException("bootstrap.post_bootstrap: " + e.getMessage());
    }
    String host = ctx.localHost().contains(":") ? "[" + ctx.localHost() + "]" : ctx.localHost();
    argv.add("postgres://" + URLEncoder.encode(ctx.pg.superuser().username(), StandardCharsets.UTF_8) + "@" + host
        + ":" + ctx.port() + "/postgres");
    ctx.writePgPass();
    ctx.runner.check("post_bootstrap", argv, ctx.libpqEnv(), PgContext.LONG_TOOL_TIMEOUT, OnTimeout.KILL_TREE);
  }
}
