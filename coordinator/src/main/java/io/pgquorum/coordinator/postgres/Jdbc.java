package io.pgquorum.coordinator.postgres;

import io.pgquorum.coordinator.config.Credentials;
import io.pgquorum.coordinator.config.TimeUnits;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

/**
 * JDBC connections pgquorum opens to PostgreSQL, always with a bounded connect, login and read time so no call
 * can hang the HA loop.
 *
 * <p>Local connections use TCP to the listen address (loopback for wildcards) with the superuser's password.
 * pgjdbc speaks to a Unix socket only through an extra native library (junixsocket), which pgquorum does not
 * ship; {@code postgresql.use_unix_socket} therefore does not change how pgquorum itself connects. pg_hba gets
 * loopback lines for the superuser so this always works.
 */
final class Jdbc {
  /** pgjdbc property names for the libpq options a {@link Credentials} may carry. */
  private static final Map<String, String> SSL_KEYS = Map.of("sslmode", "sslmode", "sslcert", "sslcert", "sslkey",
      "sslkey", "sslrootcert", "sslrootcert", "sslpassword", "sslpassword", "channel_binding", "channelBinding");

  private final PgContext ctx;
  /** Configuration reloads pgquorum sent ({@link #reloadSent}); a kept probe connection predates none. */
  private final java.util.concurrent.atomic.AtomicLong reloads = new java.util.concurrent.atomic.AtomicLong();

  Jdbc(PgContext ctx) {
    this.ctx = ctx;
  }

  /** Probe connection: two seconds to connect, retry_timeout (at least two seconds) per statement. */
  Connection probe() throws SQLException {
    return open(ctx.localHost(), ctx.port(), ctx.pg.superuser(), Duration.ofSeconds(2), probeRead(), false);
  }

  /** How long a probe statement may take: retry_timeout, at least two seconds. */
  Duration probeRead() {
    return TimeUnits.max(Duration.ofSeconds(2), ctx.dynamic().retryTimeout());
  }

  /**
   * Notes that pgquorum asked PostgreSQL to re-read its configuration: a probe connection opened before shows the
   * old values until its backend handles the signal, so {@link ProbeConnection} opens a new one.
   */
  void reloadSent() {
    reloads.incrementAndGet();
  }

  /** How many reloads pgquorum sent so far ({@link #reloadSent}). */
  long reloadsSent() {
    return reloads.get();
  }

  /** Administrative connection: same connect bound, statements may run up to pg_ctl_timeout. */
  Connection admin() throws SQLException {
    return open(ctx.localHost(), ctx.port(), ctx.pg.superuser(), Duration.ofSeconds(2), ctx.pgCtlTimeout(), false);
  }

  /** As {@link #admin()}, in {@code database}: a logical slot is made and moved only from its own database. */
  Connection adminIn(String database) throws SQLException {
    return open(ctx.localHost(), ctx.port(), ctx.pg.superuser(), Duration.ofSeconds(2), ctx.pgCtlTimeout(), false,
        database);
  }

  /** An ordinary connection to another member's {@code postgres} database as {@code role}. */
  Connection remote(String host, int port, Credentials role) throws SQLException {
    return open(host, port, role, Duration.ofSeconds(5), ctx.pgCtlTimeout(), false);
  }

  /**
   * A physical replication connection to another member (replication role), for IDENTIFY_SYSTEM and
   * TIMELINE_HISTORY: the same access a standby needs anyway, so no extra pg_hba line on the upstream.
   */
  Connection replication(String host, int port) throws SQLException {
    return open(host, port, ctx.pg.replication(), Duration.ofSeconds(5), ctx.shortTimeout(), true);
  }

  private Connection open(String host, int port, Credentials role, Duration connect, Duration read,
      boolean replication) throws SQLException {
    return open(host, port, role, connect, read, replication, "postgres");
  }

  private Connection open(String host, int port, Credentials role, Duration connect, Duration read,
      boolean replication, String database) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", role.username());
    role.password().ifPresent(pw -> p.setProperty("password", pw));
    int connectSeconds = (int) Math.max(1, connect.toSeconds());
    p.setProperty("connectTimeout", Integer.toString(connectSeconds));
    p.setProperty("loginTimeout", Integer.toString(connectSeconds + 1));
    p.setProperty("socketTimeout", Long.toString(Math.max(1, read.toSeconds())));
    p.setProperty("ApplicationName", "pgquorum");
    p.setProperty("gssEncMode", "disable");
    p.setProperty("tcpKeepAlive", "true");
    role.extra().forEach((k, v) -> {
      String jdbcKey = SSL_KEYS.get(k);
      if (jdbcKey != null) {
        p.setProperty(jdbcKey, v);
      }
    });
    if (replication) {
      p.setProperty("replication", "true");
      p.setProperty("assumeMinServerVersion", "9.4");
      p.setProperty("preferQueryMode", "simple");
    }
    String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    String db = java.net.URLEncoder.encode(database, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    return DriverManager.getConnection("jdbc:postgresql://" + h + ":" + port + "/" + db, p);
  }

  /** A SQL error as text for a message: pgjdbc's message (never the statement), secrets masked. */
  String describe(SQLException e) {
    String state = e.getSQLState() == null ? "" : " [" + e.getSQLState() + "]";
    return ctx.redactor.apply(e.getMessage()) + state;
  }
}
