package io.pgquorum.pgctl;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.Member;
import io.pgquorum.coordinator.config.NodeConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code pgctl query}: runs SQL on the leader, on a member with a role, or on a named member, through the
 * member's {@code conn_url} (patronictl's query). Credentials as libpq finds them: {@code -U} (else
 * {@code PGUSER}, else the operating system user), {@code --password} asks, else {@code PGPASSWORD}, else the
 * password file; the database is {@code -d}, else {@code PGDATABASE}, else the user name.
 *
 * <p>As patronictl: a failure is printed as a row {@code <time> ERROR, SQLSTATE: <code>} (the server's SQLSTATE,
 * or the driver's message when no server answered) and the command still exits 0; with {@code -W}/{@code -w} the
 * query repeats without clearing the screen. One deliberate difference: a statement that returns no rows (an
 * UPDATE) prints nothing, where patronictl prints its driver's "no results to fetch" as an error row.
 */
final class QueryCommand {
  private QueryCommand() {}

  static int run(ToolOptions t, NodeConfig config, ClusterSource clusters, Services services, Prompts prompts,
      PrintStream out) {
    String sql;
    if (t.file().isPresent()) {
      if (t.sql().isPresent()) {
        throw CtlException.failure("--file and --command are mutually exclusive options");
      }
      sql = read(t.file().get());
    } else {
      sql = t.sql().orElseThrow(() -> CtlException.failure("You need to specify either --command or --file"));
    }
    if (t.member().isPresent() && t.role().isPresent()) {
      throw CtlException.failure("--role and --member are mutually exclusive options");
    }
    Map<String, String> env = services.env();
    String user = t.username().or(() -> nonBlank(env.get("PGUSER")))
        .orElse(System.getProperty("user.name", "postgres"));
    Optional<String> password = Optional.empty();
    if (t.password()) {
      prompts.requireTerminal("query --password asks for the password",
          "run it from a terminal, or give the password in PGPASSWORD or the password file");
      password = Optional.of(prompts.password("Password"));
    } else {
      password = nonBlank(env.get("PGPASSWORD"));
    }
    String dbname = t.dbname().or(() -> nonBlank(env.get("PGDATABASE"))).orElse(user);
    ClusterSnapshot cluster = clusters.read(config); // read once, as patronictl, even when watching
    long started = System.nanoTime();
    while (true) {
      out.print(once(t, cluster, services.sql(), user, password, dbname, sql));
      out.flush();
      if (t.watch().isEmpty() || !services.pacer().awaitNext(t.watch().get(), started)) {
        return 0;
      }
      started = System.nanoTime();
    }
  }

  private static String once(ToolOptions t, ClusterSnapshot cluster, SqlRunner runner, String user,
      Optional<String> password, String dbname, String sql) {
    Optional<Member> member = MemberSelect.any(cluster, t.role(), t.member());
    Optional<SqlRunner.Rows> result = Optional.empty();
    String failure = null;
    if (member.isPresent()) {
      ConnAddress a = ConnAddress.parse(member.get().connUrl());
      if (a.host().isPresent()) {
        SqlRunner.Target target = new SqlRunner.Target(ToolCommands.unbracketed(a.host().get()),
            a.port().orElse(MemberTable.DEFAULT_PORT), user, password, dbname);
        try {
          result = runner.run(target, recoveryFor(t.role()), sql);
        } catch (SQLException e) {
          failure = "ERROR, SQLSTATE: " + sqlstate(e);
        }
      }
    }
    if (failure == null && result.isEmpty()) {
      failure = t.member().map(m -> "No connection to member " + m + " is available")
          .or(() -> t.role().map(r -> "No connection to role " + r + " is available"))
          .orElse("No connection is available");
    }
    if (failure != null) {
      String now = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
      return RowsOutput.render(null, List.of(List.of(now, failure)), Set.of(), t.format(), t.delimiter());
    }
    SqlRunner.Rows rows = result.get();
    if (rows.columns().isEmpty()) {
      return "";
    }
    return RowsOutput.render(rows.columns(), rows.rows(), Set.of(), t.format(), t.delimiter());
  }

  /** Roles other than leader and any are checked against PostgreSQL itself: a replica must be in recovery. */
  private static Optional<Boolean> recoveryFor(Optional<String> role) {
    return role.flatMap(r -> switch (r) {
      case "replica", "standby", "standby-leader" -> Optional.of(true);
      case "primary" -> Optional.of(false);
      default -> Optional.empty();
    });
  }

  /**
   * The server's SQLSTATE; when no server answered (connection class 08, or none), the driver's message, on one
   * line, as patronictl prints a connection failure.
   */
  static String sqlstate(SQLException e) {
    String state = e.getSQLState();
    if (state != null && !state.startsWith("08")) {
      return state;
    }
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return message.replace('\n', ' ');
  }

  private static String read(String file) {
    try {
      return Files.readString(Path.of(file), StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      throw CtlException.usage("invalid value for -f/--file: '" + file + "': " + DcsClusterSource.firstLine(e));
    }
  }

  private static Optional<String> nonBlank(String v) {
    return v == null || v.isBlank() ? Optional.empty() : Optional.of(v);
  }
}
