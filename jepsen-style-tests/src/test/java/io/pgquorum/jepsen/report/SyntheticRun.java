package io.pgquorum.jepsen.report;

import io.pgquorum.jepsen.history.History;
import io.pgquorum.jepsen.history.Op;
import io.pgquorum.jepsen.history.OpType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * A hand-made 20-second run of three nodes: node1 is primary until a partition isolates it at 6 s; it loses its
 * lease, node2 takes over at 10 s with token 2; the partition heals at 14 s and node1 rejoins as a replica; node3's
 * daemon is killed from 15 s to 17 s; a pause starts at 18.5 s and is never stopped. Clients write to the primary
 * (ok before and after, fail and info while it is cut off) and read through a router (no node).
 */
final class SyntheticRun {
  static final long S = 1_000_000_000L;
  static final long MS = 1_000_000L;
  static final long END = 20 * S;

  private record Ev(long time, long seq, Op op) {
  }

  private final List<Ev> events = new ArrayList<>();
  private long seq;

  /** Builds the history with {@code clientOps} client operations spread over the run. */
  static History build(int clientOps, long seed) {
    SyntheticRun r = new SyntheticRun();
    r.observer();
    r.nemesis();
    r.clients(clientOps, new Random(seed));
    return r.history();
  }

  private void add(long time, String process, OpType type, String f, String key, Object value, String node,
      String error) {
    events.add(new Ev(time, seq++, new Op(-1, time, process, type, f, key, value, node, error)));
  }

  private void observer() {
    for (long t = 0; t <= END; t += 250 * MS) {
      for (int n = 1; n <= 3; n++) {
        String node = "node" + n;
        String role = role(n, t);
        add(t, node, OpType.INFO, "role", null, role, null, null);
        Long lease = lease(n, t);
        add(t, node, OpType.INFO, "lease", null, lease, null, null);
        Long token = n == 1 && t < 10 * S ? Long.valueOf(1) : n == 2 && t >= 10 * S ? Long.valueOf(2) : null;
        if (token != null) {
          add(t, node, OpType.INFO, "token", null, token, null, null);
        }
      }
    }
  }

  static String role(int node, long t) {
    if (node == 1) {
      return t < 9 * S ? "primary" : t < 14 * S ? "unknown" : "replica";
    }
    if (node == 2) {
      return t < 10 * S ? "replica" : "primary";
    }
    return t >= 15 * S && t < 17 * S ? "stopped" : "replica";
  }

  static Long lease(int node, long t) {
    if (node == 1 && t < 6 * S) {
      return 3000L;
    }
    if (node == 1 && t < 9 * S) {
      return 3000L - (t - 6 * S) / MS; // counting down while cut off
    }
    if (node == 2 && t >= 10 * S) {
      return 3000L;
    }
    return null;
  }

  private void nemesis() {
    add(6 * S, "nemesis", OpType.INFO, "start-partition", null, "isolate node1 <primary>", null, null);
    add(14 * S, "nemesis", OpType.INFO, "stop-partition", null, "isolate node1 <primary>", null, null);
    add(15 * S, "nemesis", OpType.INFO, "start-kill", null, "kill -9 daemon on node3", null, null);
    add(17 * S, "nemesis", OpType.INFO, "stop-kill", null, "kill -9 daemon on node3", null, null);
    add(18500 * MS, "nemesis", OpType.INFO, "start-pause", null, "SIGSTOP node2 daemon", null, null);
  }

  /** One write whose value and error are hostile HTML, completed as a failure at 3.2 s on node1. */
  static final String HOSTILE = "<script>alert('x')</script>";

  private void clients(int count, Random rnd) {
    add(3 * S, "c999", OpType.INVOKE, "write", "k1", HOSTILE, "node1", null);
    add(3200 * MS, "c999", OpType.FAIL, "write", "k1", HOSTILE, "node1", "rejected: " + HOSTILE);
    // Round robin over client slots; a slot's ops are `processes * gap` apart, and a slot continues under a new
    // process name after an unknown outcome (Jepsen's rule), so long INFO ops may overlap the slot's next op.
    int processes = 50;
    long gap = (END - 200 * MS) / Math.max(1, count);
    String[] names = new String[processes];
    for (int p = 0; p < processes; p++) {
      names[p] = "c" + p;
    }
    int renamed = processes;
    for (int i = 0; i < count; i++) {
      int p = i % processes;
      long t = i * gap;
      boolean read = rnd.nextInt(4) == 0;
      String node = read ? null : t < 10 * S ? "node1" : "node2";
      long duration = Math.min((2 + rnd.nextInt(20)) * MS, processes * gap * 8 / 10);
      OpType outcome = OpType.OK;
      String error = null;
      if (!read && t >= 6 * S && t < 10 * S) {
        outcome = rnd.nextBoolean() ? OpType.FAIL : OpType.INFO;
        error = outcome == OpType.FAIL ? "SQLSTATE 25006 read-only transaction" : "timeout after 1000 ms";
        duration = outcome == OpType.INFO ? 1000 * MS : duration;
      }
      String f = read ? "read" : "write";
      add(t, names[p], OpType.INVOKE, f, "k1", read ? null : (long) i, node, null);
      add(t + duration, names[p], outcome, f, "k1", (long) i, node, error);
      if (outcome == OpType.INFO) {
        names[p] = "c" + renamed++;
      }
    }
  }

  private History history() {
    events.sort(Comparator.comparingLong(Ev::time).thenComparingLong(Ev::seq));
    List<Op> ops = new ArrayList<>();
    for (Ev e : events) {
      ops.add(e.op().stamped(ops.size(), e.time()));
    }
    return new History(ops);
  }
}
