package io.pgquorum.coordinator.postgres;

import io.pgquorum.coordinator.config.Credentials;
import io.pgquorum.coordinator.postgres.ProcessRunner.OnTimeout;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.postgresql.util.PasswordUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The roles of a freshly bootstrapped cluster, and post_bootstrap, done on the bootstrap's {@link PrivateServer}
 * (a custom bootstrap restores another cluster, whose passwords pgquorum does not know). Idempotent: a bootstrap
 * interrupted after some roles exist can run this again.
 *
 * <p>Passwords are hashed here ({@link PasswordUtil}, as the driver does) and sent as SCRAM or MD5 verifiers
 * (whichever the server's {@code password_encryption} asks for), from a private file: the plain text never
 * reaches the server, its logs, pg_stat_activity or a command line.
 */
final class RoleSetup {
  private static final Logger LOG = LoggerFactory.getLogger(RoleSetup.class);
  /** What pg_rewind calls on its source; a non-superuser rewind role needs exactly these. */
  private static final List<String> REWIND_FUNCTIONS = List.of("pg_catalog.pg_ls_dir(text, boolean, boolean)",
      "pg_catalog.pg_stat_file(text, boolean)", "pg_catalog.pg_read_binary_file(text)",
      "pg_catalog.pg_read_binary_file(text, bigint, bigint, boolean)");

  private final PgContext ctx;

  RoleSetup(PgContext ctx) {
    this.ctx = ctx;
  }

  /** Sets the configured passwords and creates the roles on {@code server}, then runs post_bootstrap. */
  void createRoles(PrivateServer server) {
    String op = "create roles";
    server.awaitEndOfRecovery(op, PgContext.LONG_TOOL_TIMEOUT);
    String encryption = server.query(op, "SHOW password_encryption").strip();
    Credentials su = ctx.pg.superuser();
    StringBuilder sql = new StringBuilder();
    // Nothing of this session's statements in the server log, whatever the logging settings are.
    sql.append("SET log_statement = 'none';\nSET log_min_duration_statement = -1;\n")
        .append("SET log_min_error_statement = 'panic';\n");
    if (su.password().isPresent()) {
      sql.append(password(su, encryption));
    }
    Credentials repl = ctx.pg.replication();
    if (!repl.username().equals(su.username())) {
      ensureRole(sql, repl.username(), "LOGIN REPLICATION");
      if (repl.password().isPresent()) {
        sql.append(password(repl, encryption));
      }
    }
    Optional<Credentials> rewind = ctx.pg.rewind().filter(r -> !r.username().equals(su.username()));
    if (rewind.isPresent()) {
      String name = rewind.get().username();
      ensureRole(sql, name, "LOGIN");
      for (String fn : REWIND_FUNCTIONS) {
        sql.append("GRANT EXECUTE ON FUNCTION ").append(fn).append(" TO ").append(ident(name)).append(";\n");
      }
      // pg_rewind trusts the source's control file for its timeline; right after a promotion that is stale until
      // a checkpoint, so the rewinding node asks the source for one (see Rewinder).
      sql.append("GRANT pg_checkpoint TO ").append(ident(name)).append(";\n");
      if (rewind.get().password().isPresent()) {
        sql.append(password(rewind.get(), encryption));
      }
    }
    server.query(op, sql.toString());
    LOG.info("created roles {} (replication){}", ctx.pg.replication().username(),
        ctx.pg.rewind().map(r -> " and " + r.username() + " (rewind)").orElse(""));
    postBootstrap(server);
  }

  private String password(Credentials role, String encryption) {
    try {
      return PasswordUtil.genAlterUserPasswordSQL(role.username(), role.password().orElseThrow().toCharArray(),
          encryption) + ";\n";
    } catch (SQLException e) {
      throw new PostgresException("create roles: cannot hash the password of " + role.username() + " for "
          + "password_encryption = " + encryption + ": " + ctx.redactor.apply(e.getMessage()), e);
    }
  }

  private static void ensureRole(StringBuilder sql, String name, String options) {
    String literal = "'" + name.replace("'", "''") + "'";
    sql.append("SELECT format('CREATE ROLE %I', ").append(literal).append(") WHERE NOT EXISTS (SELECT 1 FROM ")
        .append("pg_roles WHERE rolname = ").append(literal).append(") \\gexec\n");
    sql.append("ALTER ROLE ").append(ident(name)).append(" WITH ").append(options).append(";\n");
  }

  static String ident(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  /**
   * Runs post_bootstrap with a connection URL as its one argument: the private server's socket, as the superuser.
   * The URL carries no password (none is needed there); PGPASSFILE still names the password file, for scripts
   * that also reach other servers.
   */
  private void postBootstrap(PrivateServer server) {
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
    argv.add(server.url());
    ctx.writePgPass();
    ctx.runner.check("post_bootstrap", argv, ctx.libpqEnv(), PgContext.LONG_TOOL_TIMEOUT, OnTimeout.KILL_TREE);
  }
}
