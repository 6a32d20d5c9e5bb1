package io.pgquorum.bench.switchover;

import io.pgquorum.bench.failover.ClusterHealth;
import io.pgquorum.bench.failover.FailoverTrial;
import io.pgquorum.bench.failover.HaCluster;
import io.pgquorum.bench.failover.HaCluster.Endpoint;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One immediate switchover requested through the system's own REST API ({@code POST /switchover} on the primary,
 * naming the leader and the candidate, as {@code patronictl switchover --force} does), under a steady write load:
 * a writer per node inserting straight into that node's PostgreSQL every {@value #WRITE_INTERVAL_MS} ms, and one
 * client writing through HAProxy ({@link HaproxyFront}) at the same rate, reconnecting after any error.
 *
 * <p>Measured: request to answer (the REST call's duration; both systems answer only once the new leader holds
 * the lock, or say it failed); the server-side write gap, from the last committed write on the old primary to the
 * first committed write on any other node; and the client outage, the longest time between two consecutive
 * committed writes of the HAProxy client from the request until it wrote again after the switchover.
 */
final class SwitchoverTrial {
  static final long WRITE_INTERVAL_MS = 20;

  /**
   * The outcome of a trial.
   *
   * @param answerSeconds request to answer
   * @param status the REST answer's status
   * @param body the REST answer's body (a plain-text message on both systems)
   * @param writeGapSeconds last write on the old primary to the first on another node
   * @param clientOutageSeconds the longest gap between the HAProxy client's committed writes
   * @param newPrimary the node the first write after the switchover committed on
   */
  record Outcome(double answerSeconds, int status, String body, double writeGapSeconds,
      double clientOutageSeconds, int newPrimary) {}

  private SwitchoverTrial() {}

  static Outcome run(HaCluster c, HaproxyFront haproxy, int candidate, Duration deadline) {
    int old = c.primary();
    if (old < 0 || old == candidate) {
      throw new IllegalStateException("no single primary other than the candidate to switch over from");
    }
    int n = c.size();
    AtomicLong requestAt = new AtomicLong(Long.MAX_VALUE);
    AtomicLong[] lastWrite = new AtomicLong[n];
    AtomicLong[] firstWriteAfterRequest = new AtomicLong[n];
    for (int i = 0; i < n; i++) {
      lastWrite[i] = new AtomicLong(Long.MIN_VALUE);
      firstWriteAfterRequest[i] = new AtomicLong(Long.MAX_VALUE);
    }
    ConcurrentLinkedQueue<Long> proxyWrites = new ConcurrentLinkedQueue<>();
    CountDownLatch warm = new CountDownLatch(n + 1);
    CountDownLatch done = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int node = i;
      threads.add(new Thread(() -> write(() -> c.connect(node, 1, 1), c.name(node), warm, done, t -> {
        lastWrite[node].set(t);
        if (t >= requestAt.get()) {
          firstWriteAfterRequest[node].compareAndSet(Long.MAX_VALUE, t);
        }
      }, false), "bench-writer-" + c.name(node)));
    }
    threads.add(new Thread(() -> write(() -> c.connectTo(haproxy.front(), 1, 1), "haproxy", warm, done,
        proxyWrites::add, true), "bench-writer-haproxy"));
    threads.forEach(Thread::start);
    try {
      if (!warm.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the writers did not get going within 30 s (the HAProxy client needs one "
            + "committed write first; HAProxy log: " + haproxy.log() + ")");
      }
      requestAt.set(System.nanoTime());
      HttpResponse<String> answer = post(c.restEndpoint(old), "{\"leader\":\"" + c.name(old) + "\",\"candidate\":\""
          + c.name(candidate) + "\"}", deadline);
      long answeredAt = System.nanoTime();
      if (answer.statusCode() != 200) {
        throw new IllegalStateException(c.system() + " answered " + answer.statusCode() + " '" + answer.body().trim()
            + "' to the switchover from " + c.name(old) + " to " + c.name(candidate) + c.diagnostics());
      }
      long until = System.nanoTime() + deadline.toNanos();
      int newPrimary = -1;
      long firstNew = Long.MAX_VALUE;
      while (System.nanoTime() < until) {
        for (int i = 0; i < n; i++) {
          if (i != old && firstWriteAfterRequest[i].get() < firstNew) {
            firstNew = firstWriteAfterRequest[i].get();
            newPrimary = i;
          }
        }
        long lastProxy = proxyWrites.stream().mapToLong(Long::longValue).max().orElse(Long.MIN_VALUE);
        if (newPrimary >= 0 && lastProxy > firstNew) {
          break;
        }
        // The poll interval of a loop bounded by the deadline, not a stand-in for a condition.
        FailoverTrial.pause(WRITE_INTERVAL_MS);
      }
      if (newPrimary < 0) {
        throw new IllegalStateException("no node other than " + c.name(old) + " accepted a write within "
            + deadline.toSeconds() + " s of the switchover's answer" + c.diagnostics());
      }
      long lastOld = lastWrite[old].get();
      if (lastOld == Long.MIN_VALUE) {
        throw new IllegalStateException("the old primary " + c.name(old) + " never accepted a write");
      }
      if (lastOld >= firstNew) {
        // Not a timing: two nodes accepted writes at once, which a switchover must never allow.
        throw new IllegalStateException("split brain: " + c.name(old) + " still committed a write "
            + (lastOld - firstNew) / 1_000_000 + " ms after " + c.name(newPrimary) + " committed its first"
            + c.diagnostics());
      }
      long fromProxy = Long.MIN_VALUE;
      long maxGap = 0;
      for (long t : proxyWrites.stream().sorted().toList()) {
        if (fromProxy != Long.MIN_VALUE && t >= requestAt.get()) {
          maxGap = Math.max(maxGap, t - fromProxy);
        }
        fromProxy = t;
      }
      if (fromProxy < firstNew) {
        throw new IllegalStateException("the client behind HAProxy did not write again within " + deadline.toSeconds()
            + " s after the switchover; HAProxy log: " + haproxy.log());
      }
      return new Outcome((answeredAt - requestAt.get()) / 1e9, answer.statusCode(), answer.body().trim(),
          (firstNew - lastOld) / 1e9, maxGap / 1e9, newPrimary);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } finally {
      done.countDown();
      threads.forEach(Thread::interrupt);
      for (Thread t : threads) {
        try {
          t.join(10_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  private static HttpResponse<String> post(Endpoint rest, String json, Duration timeout) {
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + rest + "/switchover"))
        .timeout(timeout).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build();
    try {
      return HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      throw new IllegalStateException("POST /switchover to " + rest + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** A JDBC connection factory that may fail. */
  private interface Connector {
    Connection open() throws SQLException;
  }

  /**
   * Inserts every interval until {@code done}, calling {@code committed} with the time of each committed insert. A
   * replica refuses writes and a stopped server refuses connections: the writer keeps trying; a broken connection
   * is replaced (the HAProxy client's connection is closed by HAProxy when its server is marked down).
   */
  private static void write(Connector connector, String name, CountDownLatch warm, CountDownLatch done,
      java.util.function.LongConsumer committed, boolean warmOnCommit) {
    Connection conn = null;
    boolean warmed = false;
    try {
      while (done.getCount() > 0) {
        try {
          if (conn == null) {
            conn = connector.open();
          }
          try (PreparedStatement s = conn.prepareStatement("INSERT INTO " + ClusterHealth.TABLE
              + " (node) VALUES (?)")) {
            s.setString(1, name);
            s.executeUpdate();
          }
          committed.accept(System.nanoTime());
          if (!warmed && warmOnCommit) {
            warmed = true;
            warm.countDown();
          }
        } catch (SQLException e) {
          if (conn != null && FailoverTrial.isBroken(conn)) {
            FailoverTrial.close(conn);
            conn = null;
          }
        }
        if (!warmed && !warmOnCommit) {
          warmed = true;
          warm.countDown();
        }
        if (!FailoverTrial.pause(WRITE_INTERVAL_MS)) {
          return;
        }
      }
    } finally {
      if (!warmed) {
        warm.countDown();
      }
      FailoverTrial.close(conn);
    }
  }
}
