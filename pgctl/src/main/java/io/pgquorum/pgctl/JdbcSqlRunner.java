package io.pgquorum.pgctl;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * {@link SqlRunner} with PostgreSQL's JDBC driver. Like patronictl's connection: a 5 s connect timeout and
 * pgctl as application name; without a password the driver reads the password file ({@code PGPASSFILE}, else
 * {@code ~/.pgpass}) as libpq does.
 */
final class JdbcSqlRunner implements SqlRunner {
  static final int CONNECT_TIMEOUT_SECONDS = 5;

  @Override
  public Optional<Rows> run(Target t, Optional<Boolean> inRecovery, String sql) throws SQLException {
    String host = t.host().contains(":") && !t.host().startsWith("[") ? "[" + t.host() + "]" : t.host();
    Properties props = new Properties();
    props.setProperty("user", t.user());
    t.password().ifPresent(p -> props.setProperty("password", p));
    props.setProperty("connectTimeout", String.valueOf(CONNECT_TIMEOUT_SECONDS));
    props.setProperty("ApplicationName", "pgctl");
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + host + ":" + t.port() + "/"
        + java.net.URLEncoder.encode(t.dbname(), java.nio.charset.StandardCharsets.UTF_8), props);
        Statement s = c.createStatement()) {
      if (inRecovery.isPresent()) {
        try (ResultSet r = s.executeQuery("SELECT pg_catalog.pg_is_in_recovery()")) {
          if (!r.next() || r.getBoolean(1) != inRecovery.get()) {
            return Optional.empty();
          }
        }
      }
      // Several statements in one string: the last one's result is the answer, as with patronictl's cursor.
      Rows last = new Rows(List.of(), List.of());
      boolean isResult = s.execute(sql);
      while (true) {
        if (isResult) {
          try (ResultSet r = s.getResultSet()) {
            last = rows(r);
          }
        } else if (s.getUpdateCount() == -1) {
          break;
        }
        isResult = s.getMoreResults();
      }
      return Optional.of(last);
    }
  }

  private static Rows rows(ResultSet r) throws SQLException {
    ResultSetMetaData meta = r.getMetaData();
    List<String> columns = new ArrayList<>();
    for (int i = 1; i <= meta.getColumnCount(); i++) {
      columns.add(meta.getColumnLabel(i));
    }
    List<List<Object>> rows = new ArrayList<>();
    while (r.next()) {
      List<Object> row = new ArrayList<>();
      for (int i = 1; i <= columns.size(); i++) {
        row.add(value(r, i, meta.getColumnType(i)));
      }
      rows.add(row);
    }
    return new Rows(columns, rows);
  }

  /** Numbers and booleans as such (json shows them unquoted), everything else in PostgreSQL's text form. */
  private static Object value(ResultSet r, int i, int type) throws SQLException {
    Object v = switch (type) {
      case Types.SMALLINT, Types.INTEGER, Types.BIGINT, Types.NUMERIC, Types.DECIMAL, Types.REAL, Types.DOUBLE,
          Types.FLOAT -> r.getObject(i);
      case Types.BIT, Types.BOOLEAN -> r.getObject(i) == null ? null : r.getBoolean(i);
      default -> r.getString(i);
    };
    return r.wasNull() ? null : v;
  }
}
