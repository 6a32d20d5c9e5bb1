package io.pgquorum.jepsen.stack;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgquorum.jepsen.history.HistoryRecorder;
import io.pgquorum.jepsen.history.Op;
import io.pgquorum.jepsen.history.OpType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Watches what every coordinator says about itself: polls each node's {@code GET /patroni} (every ~250 ms, all
 * nodes in parallel, 1 s timeout) and records INFO events with the node's name as process and node:
 * <ul>
 *   <li>f {@code role}: {@code primary} / {@code replica} / {@code uninitialized} ... as reported, or
 *       {@code unknown} when the node does not answer (daemon dead, stopped or partitioned from the harness);
 *       recorded on every change and as a heartbeat every {@code heartbeat}, so a report can draw role segments;
 *   <li>f {@code token}: the {@code fencing_token} a primary reports, on change;
 *   <li>f {@code lease}: {@code pgquorum.lease_remaining_ms} when the daemon publishes it (a Long; null when it
 *       publishes the field without a value or stops publishing it after having done so), on a change between
 *       held and not held, otherwise at most once a second. Daemons that never publish it produce no lease
 *       events.
 * </ul>
 */
public final class RoleObserver implements Workload {
  private final PgCluster cluster;
  private final HistoryRecorder recorder;
  private final Duration interval;
  private final Duration heartbeat;
  private Thread thread;
  private volatile boolean running;

  public RoleObserver(PgCluster cluster, HistoryRecorder recorder) {
    this(cluster, recorder, Duration.ofMillis(250), Duration.ofSeconds(5));
  }

  public RoleObserver(PgCluster cluster, HistoryRecorder recorder, Duration interval, Duration heartbeat) {
    this.cluster = cluster;
    this.recorder = recorder;
    this.interval = interval;
    this.heartbeat = heartbeat;
  }

  /** What was last recorded for one node. */
  private static final class Seen {
    String role;
    long roleAt = Long.MIN_VALUE;
    Long token;
    boolean leaseSeen;
    Long lease;
    long leaseAt = Long.MIN_VALUE;
  }

  @Override
  public synchronized void start() {
    if (thread != null) {
      throw new IllegalStateException("observer already started");
    }
    running = true;
    thread = new Thread(this::loop, "role-observer");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    List<Seen> seen = new ArrayList<>();
    for (int i = 0; i < cluster.size(); i++) {
      seen.add(new Seen());
    }
    while (running) {
      List<CompletableFuture<HttpResult>> answers = new ArrayList<>();
      for (int i = 0; i < cluster.size(); i++) {
        answers.add(cluster.getAsync(i, "/patroni"));
      }
      for (int i = 0; i < answers.size(); i++) {
        observe(i, answers.get(i).join(), seen.get(i));
      }
      PgCluster.sleep(interval.toMillis()); // the observer's sampling rate
    }
  }

  private void observe(int node, HttpResult r, Seen s) {
    String name = cluster.name(node);
    JsonNode j = r.status() == 0 ? null : r.json();
    String role = j == null || !j.path("role").isTextual() ? "unknown" : j.path("role").asText();
    long now = System.nanoTime();
    if (!role.equals(s.role) || now - s.roleAt >= heartbeat.toNanos()) {
      record(name, "role", role);
      s.role = role;
      s.roleAt = now;
    }
    if (j == null) {
      return;
    }
    JsonNode token = j.path("fencing_token");
    if (token.isIntegralNumber() && !Objects.equals(token.asLong(), s.token)) {
      s.token = token.asLong();
      record(name, "token", s.token);
    }
    JsonNode lease = j.path("pgquorum").path("lease_remaining_ms");
    if (lease.isMissingNode()) {
      lease = j.path("pgquorum.lease_remaining_ms");
    }
    boolean present = !lease.isMissingNode();
    if (!present && !s.leaseSeen) {
      return;
    }
    Long value = present && lease.isNumber() ? lease.asLong() : null;
    boolean heldChanged = (value == null) != (s.lease == null) || !s.leaseSeen;
    if (heldChanged || (value != null && now - s.leaseAt >= 1_000_000_000L)) {
      record(name, "lease", value);
      s.leaseSeen = true;
      s.lease = value;
      s.leaseAt = now;
    }
  }

  private void record(String node, String f, Object value) {
    recorder.record(Op.of(node, OpType.INFO, f, null, value, node, null));
  }

  @Override
  public void close() {
    running = false;
    Thread t = thread;
    if (t != null) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
