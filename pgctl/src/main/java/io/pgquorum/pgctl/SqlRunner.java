package io.pgquorum.pgctl;

import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** Runs {@code pgctl query}'s SQL on one member's PostgreSQL. */
@FunctionalInterface
interface SqlRunner {
  /**
   * Connects, optionally checks the server's recovery state, and runs {@code sql}.
   *
   * @param inRecovery when present, the member qualifies only if {@code pg_is_in_recovery()} equals it (patronictl
   *     double-checks roles other than leader and any against PostgreSQL itself)
   * @return the last result of {@code sql}; empty when the member does not qualify
   * @throws SQLException a connection or statement failure
   */
  Optional<Rows> run(Target target, Optional<Boolean> inRecovery, String sql) throws SQLException;

  /**
   * Where and as whom to connect.
   *
   * @param password empty: libpq's sources (PGPASSWORD, the password file)
   */
  record Target(String host, int port, String user, Optional<String> password, String dbname) {
    @Override
    public String toString() {
      return "Target[" + user + "@" + host + ":" + port + "/" + dbname + "]";
    }
  }

  /**
   * A result: column names (empty when the statement returns no rows, e.g. an UPDATE) and rows, values as
   * patronictl's driver gives them (numbers, booleans, null, else text).
   */
  record Rows(List<String> columns, List<List<Object>> rows) {}
}
