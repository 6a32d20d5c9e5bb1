package io.pgquorum.jepsen.checker;

import io.pgquorum.jepsen.history.History.Pair;
import io.pgquorum.jepsen.history.Op;
import io.pgquorum.jepsen.history.OpType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Wing &amp; Gong's linearizability search with Lowe's memoisation, for the operations on one key.
 *
 * <p>The history becomes a doubly linked list of call and return entries in real-time order. The search walks
 * from the head: a call is a candidate to linearize next (apply it to the model and unlink it and its return); a
 * return whose call is still linked is a deadline: that operation had to be linearized already, so every
 * candidate in front of it has been tried and the search backtracks. Lowe's cache of configurations (which
 * operations are linearized, and the model state) prunes every configuration reached a second time along a
 * different order, which is what keeps realistic histories near-linear.
 *
 * <p>Unknown-outcome operations (INFO, or never completed) return at infinity: they may be linearized anywhere
 * after their call or not at all, so they impose no deadline and the search succeeds as soon as every OK
 * operation is linearized. Their calls live in a second list; at each configuration the OK candidates are tried
 * first and the unknown ones invoked before the deadline after them, so an unknown write is only placed when some
 * observation needs it rather than applied eagerly and backtracked over. Every candidate is still tried before
 * backtracking, so the order does not change the verdict. The cache also prunes configurations subsumed by a
 * visited one that differs only by fewer unknown operations linearized (see {@link Cache}).
 */
final class WglSearch {

  /** What the search concluded for one key. */
  enum Status { LINEARIZABLE, NOT_LINEARIZABLE, BUDGET_EXCEEDED }

  /**
   * @param status the conclusion
   * @param states configurations explored (cache size)
   * @param deepest the most operations ever linearized at once (the longest linearizable prefix)
   * @param blocking when not linearizable: the operation whose deadline the deepest configuration could not meet
   * @param stateAtBlock the model state in that configuration
   * @param lastLinearized up to five operations linearized just before it, oldest first
   * @param pending other candidates pending in that configuration (up to five)
   */
  record Outcome(Status status, long states, int deepest, Pair blocking, Model stateAtBlock,
      List<Pair> lastLinearized, List<Pair> pending) {
  }

  private static final int CONTEXT = 5;

  private static final class Entry {
    final int id;
    final boolean call;
    int pos;
    Entry match; // the return of a call; null for unknown-outcome calls, which return at infinity
    Entry prev;
    Entry next;

    Entry(int id, boolean call) {
      this.id = id;
      this.call = call;
    }
  }

  private record Frame(Model stateBefore, Entry chosen, int pass, Entry frontier) {
  }

  /** The exact part of a configuration: which OK operations are linearized, and the model state. */
  private static final class Config {
    final long[] okBits;
    final Model model;
    final int hash;

    Config(long[] okBits, long okHash, Model model) {
      this.okBits = okBits;
      this.model = model;
      this.hash = Long.hashCode(okHash) * 31 + model.hashCode();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Config c && c.hash == hash && Arrays.equals(c.okBits, okBits) && c.model.equals(model);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /**
   * Lowe's cache, extended with subsumption over unknown-outcome operations. A configuration is (OK operations
   * linearized, unknown-outcome operations linearized, model state). If (S, I1, m) was visited, then (S, I2, m)
   * with I2 a superset of I1 need not be: anything that completes the latter completes the former too (the extra
   * unknown operations may simply never take effect). Without this, every pending unknown write multiplies the
   * configurations explored once the search has to backtrack.
   */
  private static final class Cache {
    private final Map<Config, List<long[]>> seen = new HashMap<>();
    private long size;
    /** Subset comparisons made so far: the cost that the number of configurations does not show. */
    private long comparisons;

    /** Records the configuration unless a visited one subsumes it; true when it is new. */
    boolean visit(long[] okBits, long okHash, long[] infoBits, Model model) {
      List<long[]> infos = seen.get(new Config(okBits, okHash, model));
      if (infos == null) {
        infos = new ArrayList<>(1);
        seen.put(new Config(okBits.clone(), okHash, model), infos);
      }
      comparisons += infos.size();
      for (long[] known : infos) {
        if (subset(known, infoBits)) {
          return false;
        }
      }
      infos.add(infoBits.clone());
      size++;
      return true;
    }

    long size() {
      return size;
    }

    long comparisons() {
      return comparisons;
    }

    private static boolean subset(long[] a, long[] b) {
      for (int i = 0; i < a.length; i++) {
        if ((a[i] & ~b[i]) != 0) {
          return false;
        }
      }
      return true;
    }
  }

  private WglSearch() {
  }

  /**
   * Work units (search steps and subsumption comparisons) allowed per configuration of the budget. 64 was too
   * tight: a partitioned 3-member DCS run with 21 unknown-outcome writes on one key gave up (UNKNOWN) after 120,371
   * configurations, although a linearization exists at 125,105 (histories/dcs-register-partition-many-unknown-
   * writes.jsonl, a few seconds with 256). The pathological session-expired history still ends in seconds.
   */
  static final long WORK_PER_STATE = 256;

  /**
   * Searches for a linearization of {@code ops} (no FAIL operations) starting from {@code initial}, giving up
   * after {@code maxStates} configurations or {@code maxStates * WORK_PER_STATE} units of work.
   */
  static Outcome run(List<Pair> ops, Model initial, long maxStates) {
    return run(ops, initial, maxStates, maxStates * WORK_PER_STATE);
  }

  /** As {@link #run(List, Model, long)} with an explicit bound on search steps plus subsumption comparisons. */
  static Outcome run(List<Pair> ops, Model initial, long maxStates, long maxWork) {
    int n = ops.size();
    boolean[] unknown = new boolean[n];
    int[] slot = new int[n]; // dense index among OK operations, or among unknown-outcome ones
    int okCount = 0;
    int unknownCount = 0;
    List<Entry> entries = new ArrayList<>(2 * n);
    for (int i = 0; i < n; i++) {
      Pair p = ops.get(i);
      unknown[i] = p.completion() == null || p.completion().type() != OpType.OK;
      slot[i] = unknown[i] ? unknownCount++ : okCount++;
      Entry call = new Entry(i, true);
      entries.add(call);
      if (!unknown[i]) {
        // Unknown-outcome operations return at infinity: they get no return entry at all.
        Entry ret = new Entry(i, false);
        call.match = ret;
        entries.add(ret);
      }
    }
    entries.sort(Comparator.comparing(e -> event(ops.get(e.id), e.call), Precedence::compare));

    // Two lists in real-time order: OK calls and returns, and unknown-outcome calls. Keeping the (never retiring)
    // unknown calls apart means the common step, "the next OK candidate", does not walk past all of them.
    Entry okHead = new Entry(-1, true);
    Entry unknownHead = new Entry(-1, true);
    Entry okTail = okHead;
    Entry unknownTail = unknownHead;
    for (int pos = 0; pos < entries.size(); pos++) {
      Entry e = entries.get(pos);
      e.pos = pos;
      if (unknown[e.id]) {
        unknownTail.next = e;
        e.prev = unknownTail;
        unknownTail = e;
      } else {
        okTail.next = e;
        e.prev = okTail;
        okTail = e;
      }
    }

    long[] zobrist = new long[okCount];
    for (int i = 0; i < okCount; i++) {
      zobrist[i] = mix(i + 1L);
    }
    long[] okBits = new long[(okCount + 63) / 64];
    long[] infoBits = new long[(unknownCount + 63) / 64];
    long okHash = 0;
    Cache cache = new Cache();
    List<Frame> stack = new ArrayList<>();
    Model state = initial;
    Entry entry = okHead.next;
    int pass = 0; // 0: OK candidates up to the frontier, 1: unknown-outcome candidates invoked before it
    Entry frontier = null; // the first OK return still linked: the deadline of the current configuration
    int deepest = -1;
    Entry blocking = null;
    Model stateAtBlock = null;
    List<Pair> lastLinearized = List.of();
    List<Pair> pending = List.of();

    // The budget bounds work, not only configurations: with many unknown-outcome operations the subsumption lists
    // grow long and one configuration can cost thousands of comparisons (seen: a 355-operation history with
    // session-expired writes searched for 15 minutes inside a budget of a million configurations).
    long steps = 0;
    while (true) {
      if (++steps + cache.comparisons() > maxWork) {
        return new Outcome(Status.BUDGET_EXCEEDED, cache.size(), Math.max(deepest, stack.size()), null, null,
            List.of(), List.of());
      }
      Entry candidate = null;
      if (pass == 0) {
        if (okHead.next == null) {
          return new Outcome(Status.LINEARIZABLE, cache.size(), stack.size(), null, null, List.of(), List.of());
        }
        if (entry.call) {
          candidate = entry;
        } else {
          frontier = entry;
          pass = 1;
          entry = unknownHead.next;
          continue;
        }
      } else if (entry != null && entry.pos < frontier.pos) {
        candidate = entry;
      }

      if (candidate == null) {
        // Every candidate of this configuration has been tried: backtrack.
        if (stack.size() > deepest) {
          deepest = stack.size();
          blocking = frontier;
          stateAtBlock = state;
          lastLinearized = recent(stack, ops);
          pending = pendingBefore(okHead, unknownHead, frontier, ops);
        }
        if (stack.isEmpty()) {
          return new Outcome(Status.NOT_LINEARIZABLE, cache.size(), deepest, ops.get(blocking.id), stateAtBlock,
              lastLinearized, pending);
        }
        Frame f = stack.remove(stack.size() - 1);
        Entry chosen = f.chosen();
        state = f.stateBefore();
        if (unknown[chosen.id]) {
          clear(infoBits, slot[chosen.id]);
        } else {
          clear(okBits, slot[chosen.id]);
          okHash ^= zobrist[slot[chosen.id]];
        }
        relink(chosen);
        entry = chosen.next;
        pass = f.pass();
        frontier = f.frontier();
        continue;
      }

      Pair p = ops.get(candidate.id);
      Optional<Model> next = state.step(p.invoke(), p.completion());
      if (next.isPresent()) {
        boolean isUnknown = unknown[candidate.id];
        int s = slot[candidate.id];
        long[] bits = isUnknown ? infoBits : okBits;
        long hash = isUnknown ? okHash : okHash ^ zobrist[s];
        set(bits, s);
        if (cache.visit(okBits, hash, infoBits, next.get())) {
          if (cache.size() > maxStates) {
            return new Outcome(Status.BUDGET_EXCEEDED, cache.size(), Math.max(deepest, stack.size() + 1), null,
                null, List.of(), List.of());
          }
          stack.add(new Frame(state, candidate, pass, frontier));
          state = next.get();
          okHash = hash;
          unlink(candidate);
          entry = okHead.next;
          pass = 0;
          frontier = null;
          continue;
        }
        clear(bits, s);
      }
      entry = candidate.next;
    }
  }

  private static Op event(Pair p, boolean call) {
    return call ? p.invoke() : p.completion();
  }

  private static void unlink(Entry call) {
    call.prev.next = call.next;
    if (call.next != null) {
      call.next.prev = call.prev;
    }
    Entry ret = call.match;
    if (ret != null) {
      ret.prev.next = ret.next;
      if (ret.next != null) {
        ret.next.prev = ret.prev;
      }
    }
  }

  /** Exactly undoes {@link #unlink} (dancing links: in reverse order). */
  private static void relink(Entry call) {
    Entry ret = call.match;
    if (ret != null) {
      ret.prev.next = ret;
      if (ret.next != null) {
        ret.next.prev = ret;
      }
    }
    call.prev.next = call;
    if (call.next != null) {
      call.next.prev = call;
    }
  }

  private static void set(long[] bits, int i) {
    bits[i >>> 6] |= 1L << i;
  }

  private static void clear(long[] bits, int i) {
    bits[i >>> 6] &= ~(1L << i);
  }

  private static List<Pair> recent(List<Frame> stack, List<Pair> ops) {
    List<Pair> out = new ArrayList<>();
    for (int i = Math.max(0, stack.size() - CONTEXT); i < stack.size(); i++) {
      out.add(ops.get(stack.get(i).chosen().id));
    }
    return out;
  }

  private static List<Pair> pendingBefore(Entry okHead, Entry unknownHead, Entry frontier, List<Pair> ops) {
    List<Pair> out = new ArrayList<>();
    for (Entry e = okHead.next; e != frontier && out.size() < CONTEXT; e = e.next) {
      if (e.id != frontier.id) {
        out.add(ops.get(e.id));
      }
    }
    for (Entry e = unknownHead.next; e != null && e.pos < frontier.pos && out.size() < CONTEXT; e = e.next) {
      out.add(ops.get(e.id));
    }
    return out;
  }

  /** A 64-bit finaliser (SplitMix64): well-spread per-operation keys for the incremental set hash. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
