package io.pgquorum.jepsen.stack;

import io.pgquorum.testkit.proc.Deadline;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What the harness observes of a {@link PgCluster}, always straight from each node (outside any fault): REST
 * answers, JDBC connections, the current primary (cached briefly), and the waits for health built on them.
 */
final class ClusterQueries {
  private static final long PRIMARY_CACHE_NANOS = 300_000_000L;

  private final List<StackNode> nodes;
  private final Passwords passwords;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final ReentrantLock primaryRefresh = new ReentrantLock();
  private volatile int cachedPrimary = -1;
  private volatile long cachedAt;
  private volatile boolean stale = true;

  ClusterQueries(List<StackNode> nodes, Passwords passwords) {
    this.nodes = nodes;
    this.passwords = passwords;
  }

  /** Forgets the cached primary: a fault may have changed it. */
  void markStale() {
    stale = true;
  }

  /** GET a REST path on node {@code node} directly (1 s timeouts); status 0 when unreachable. */
  HttpResult get(int node, String path) {
    try {
      return getAsync(node, path).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return HttpResult.none();
    } catch (Exception e) {
      return HttpResult.none();
    }
  }

  /** Asynchronous {@link #get}; never completes exceptionally. */
  CompletableFuture<HttpResult> getAsync(int node, String path) {
    StackNode n = nodes.get(node);
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + n.addr.harnessHost() + ":" + n.ports.restPort()
        + path)).timeout(Duration.ofSeconds(1)).GET().build();
    return http.sendAsync(req, HttpResponse.BodyHandlers.ofString())
        .thenApply(r -> new HttpResult(r.statusCode(), r.body()))
        .exceptionally(t -> HttpResult.none());
  }

  /** A JDBC connection as the superuser straight to node {@code node}'s PostgreSQL. */
  Connection connect(int node, int connectTimeoutSeconds, int socketTimeoutSeconds) throws SQLException {
    StackNode n = nodes.get(node);
    return connect(n.addr.harnessHost(), n.ports.pgPort(), connectTimeoutSeconds, socketTimeoutSeconds);
  }

  /** A superuser JDBC connection to {@code host:port}. */
  Connection connect(String host, int port, int connectTimeoutSeconds, int socketTimeoutSeconds)
      throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", "postgres");
    p.setProperty("password", passwords.superuser());
    p.setProperty("connectTimeout", String.valueOf(connectTimeoutSeconds));
    p.setProperty("loginTimeout", String.valueOf(connectTimeoutSeconds + 1));
    p.setProperty("socketTimeout", String.valueOf(socketTimeoutSeconds));
    p.setProperty("tcpKeepAlive", "true");
    p.setProperty("ApplicationName", "jepsen");
    return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/postgres", p);
  }

  /**
   * The node answering 200 on {@code /primary} when exactly one does, else -1. Answers from a cache younger than
   * 300 ms; a refresh asks every node in parallel with 1 s timeouts, and callers arriving during a refresh get the
   * cached value instead of waiting.
   */
  int primary() {
    if ((!stale && System.nanoTime() - cachedAt < PRIMARY_CACHE_NANOS) || !primaryRefresh.tryLock()) {
      return cachedPrimary;
    }
    try {
      List<CompletableFuture<HttpResult>> answers = new ArrayList<>();
      for (int i = 0; i < nodes.size(); i++) {
        answers.add(getAsync(i, "/primary"));
      }
      int found = -1;
      int count = 0;
      for (int i = 0; i < answers.size(); i++) {
        if (answers.get(i).join().status() == 200) {
          found = i;
          count++;
        }
      }
      cachedPrimary = count == 1 ? found : -1;
      cachedAt = System.nanoTime();
      stale = false;
      return cachedPrimary;
    } finally {
      primaryRefresh.unlock();
    }
  }

  /** Waits until there is exactly one primary and every other node is a streaming replica. */
  void awaitHealthy(Duration within) {
    String[] last = {""};
    Deadline.await("cluster healthy", within, Duration.ofMillis(300), () -> {
      int primaries = 0;
      int streaming = 0;
      for (int i = 0; i < nodes.size(); i++) {
        if (get(i, "/primary").status() == 200) {
          primaries++;
        } else if (get(i, "/replica?replication_state=streaming").status() == 200) {
          streaming++;
        }
      }
      last[0] = primaries + " primaries, " + streaming + " streaming replicas";
      return primaries == 1 && streaming == nodes.size() - 1;
    }, () -> last[0]);
    stale = true;
  }

  /** Waits until node {@code node}'s REST API answers at all (any status). */
  void awaitDaemonUp(int node, Duration within) {
    Deadline.await(nodes.get(node).name() + "'s daemon answering on its REST API", within, Duration.ofMillis(200),
        () -> get(node, "/patroni").status() != 0, () -> "no answer");
  }

  /** Creates the workload tables on the primary, retrying until it accepts DDL. */
  void createTables(Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    SQLException last = null;
    while (System.nanoTime() < deadline) {
      int p = primary();
      if (p >= 0) {
        try (Connection c = connect(p, 2, 5); Statement s = c.createStatement()) {
          s.execute("CREATE TABLE IF NOT EXISTS jepsen_probe (id bigserial PRIMARY KEY, node text NOT NULL, "
              + "token bigint, at timestamptz NOT NULL DEFAULT clock_timestamp())");
          s.execute("CREATE TABLE IF NOT EXISTS jepsen_set (value bigint PRIMARY KEY)");
          return;
        } catch (SQLException e) {
          last = e;
        }
      }
      PgCluster.sleep(300); // retrying until the primary accepts DDL, with a deadline
    }
    throw new IllegalStateException("cannot create the workload tables: "
        + (last == null ? "no primary" : last.getMessage()));
  }
}
