package io.pgquorum.jepsen.checker;

import io.pgquorum.jepsen.history.History;
import io.pgquorum.jepsen.history.Op;
import io.pgquorum.jepsen.history.OpType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Generates a concurrent register history that is linearizable by construction: every operation gets a
 * linearization point inside its [invoke, complete] interval, the operations are applied to a real register in
 * the order of those points, and each one's result is what the register returned. Some writes and cas end as
 * INFO (half of them applied, half not) and some reads as INFO; the client then continues as a new process.
 */
final class RegisterSimulation {

  private record Planned(int client, long inv, long lp, long comp, String f, String key) {
  }

  private RegisterSimulation() {
  }

  static History generate(long seed, int ops, int clients, int keys) {
    Random rnd = new Random(seed);
    long[] free = new long[clients];
    List<List<Planned>> perClient = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      perClient.add(new ArrayList<>());
    }
    List<Planned> all = new ArrayList<>();
    for (int i = 0; i < ops; i++) {
      int c = i % clients;
      long inv = free[c] + 1 + rnd.nextInt(20);
      long lp = inv + rnd.nextInt(30);
      long comp = lp + 1 + rnd.nextInt(30);
      free[c] = comp;
      int r = rnd.nextInt(10);
      String f = r < 5 ? "read" : r < 8 ? "write" : "cas";
      Planned p = new Planned(c, inv, lp, comp, f, "k" + rnd.nextInt(keys));
      perClient.get(c).add(p);
      all.add(p);
    }
    // Apply in linearization order. Scaled times (t * 16 + client) make every event time distinct while keeping
    // each client's order and every real-time precedence consistent with the linearization order.
    all.sort(Comparator.comparingLong((Planned p) -> scaled(p.lp(), p.client())));
    Map<String, Long> register = new HashMap<>();
    Map<Planned, Object[]> outcome = new HashMap<>(); // {invoke value, completion type, completion value}
    long next = 1;
    for (Planned p : all) {
      Long current = register.get(p.key());
      boolean unknown = rnd.nextInt(100) < 3;
      switch (p.f()) {
        case "read":
          outcome.put(p, new Object[] {null, unknown ? OpType.INFO : OpType.OK, current});
          break;
        case "write": {
          long v = next++;
          boolean applied = !unknown || rnd.nextBoolean();
          if (applied) {
            register.put(p.key(), v);
          }
          outcome.put(p, new Object[] {v, unknown ? OpType.INFO : OpType.OK, null});
          break;
        }
        default: {
          long expected = current != null && rnd.nextBoolean() ? current : rnd.nextInt(3);
          long v = next++;
          boolean holds = current != null && current == expected;
          boolean applied = holds && (!unknown || rnd.nextBoolean());
          if (applied) {
            register.put(p.key(), v);
          }
          OpType type = unknown ? OpType.INFO : holds ? OpType.OK : OpType.FAIL;
          outcome.put(p, new Object[] {List.of(expected, v), type, null});
        }
      }
    }
    // Events, with Jepsen's process rule: after an INFO the client continues as a fresh process.
    record Event(long time, Op op) {
    }

    List<Event> events = new ArrayList<>();
    int nextProcess = clients + 1;
    for (int c = 0; c < clients; c++) {
      String process = "c" + (c + 1);
      for (Planned p : perClient.get(c)) {
        Object[] o = outcome.get(p);
        Op invoke = Op.of(process, OpType.INVOKE, p.f(), p.key(), o[0], null, null);
        events.add(new Event(scaled(p.inv(), c), invoke));
        OpType type = (OpType) o[1];
        events.add(new Event(scaled(p.comp(), c), invoke.complete(type, o[2], type == OpType.OK ? null : "x")));
        if (type == OpType.INFO) {
          process = "c" + nextProcess++;
        }
      }
    }
    events.sort(Comparator.comparingLong(Event::time));
    List<Op> stamped = new ArrayList<>();
    for (Event e : events) {
      stamped.add(e.op().stamped(stamped.size(), e.time()));
    }
    return new History(stamped);
  }

  /** A copy where the OK read at about {@code fraction} of the history returns {@code value} instead. */
  static History withReadChanged(History h, double fraction, long value) {
    List<Op> ops = new ArrayList<>(h.ops());
    for (int i = (int) (ops.size() * fraction); i < ops.size(); i++) {
      Op op = ops.get(i);
      if (op.type() == OpType.OK && op.f().equals("read")) {
        ops.set(i, new Op(op.index(), op.timeNanos(), op.process(), op.type(), op.f(), op.key(), value, op.node(),
            op.error()));
        return new History(ops);
      }
    }
    throw new IllegalStateException("no OK read after " + fraction);
  }

  private static long scaled(long t, int client) {
    return t * 16 + client;
  }
}
