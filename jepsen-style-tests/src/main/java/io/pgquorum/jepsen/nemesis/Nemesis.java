package io.pgquorum.jepsen.nemesis;

import io.pgquorum.jepsen.fault.Fault;
import io.pgquorum.jepsen.fault.FaultTarget;
import io.pgquorum.jepsen.fault.Link;
import io.pgquorum.jepsen.fault.PartitionShape;
import io.pgquorum.jepsen.fault.Partitions;
import io.pgquorum.jepsen.fault.Schedule;
import io.pgquorum.jepsen.fault.ScheduleJson;
import io.pgquorum.jepsen.fault.Step;
import io.pgquorum.jepsen.fault.Target;
import io.pgquorum.jepsen.history.HistoryRecorder;
import io.pgquorum.jepsen.history.Op;
import io.pgquorum.jepsen.history.OpType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs a fault {@link Schedule} against a {@link FaultTarget} and records what it did in the history.
 *
 * <p>Each step gets its own thread that waits until its offset (measured from the start of {@link #run}, on
 * {@link System#nanoTime()}, against absolute deadlines, so lateness never accumulates), applies the fault,
 * waits until the step's end and reverts it. Overlapping steps are therefore active together, and a slow driver
 * call (a restart) does not delay other steps. Targets are resolved when the step is applied, from
 * {@link FaultTarget#primary()}; the revert acts on the node that was resolved then.
 *
 * <p>Overlapping faults compose instead of undoing each other:
 * <ul>
 *   <li>partitions keep a cut count per directed link: a link is cut when its count goes 0 to 1 and restored
 *       only when it goes back to 0, so healing one partition never heals another's links;</li>
 *   <li>kill and pause keep a count per node and component: killed/paused by the first, restarted/resumed by the
 *       last revert;</li>
 *   <li>clock skew: the most recently applied active rate of a node wins; when none is left the rate is 1.0;</li>
 *   <li>packet loss and delay: the largest active value applies; when none is left it is 0;</li>
 *   <li>dynamic configuration edits: per key, the most recently applied active value wins; when none is left the
 *       value the key had before the first edit is written back (or the key removed, if it had none).</li>
 * </ul>
 *
 * <p>History: process {@code "nemesis"}, type INFO, f {@code start-<kind>} once the fault is in place and
 * {@code stop-<kind>} once it is reverted, value a description naming the resolved node, node the node's name
 * ({@link #nodeName}) or null for faults on every link.
 *
 * <p>{@link #run} reverts everything it applied before returning, also when a driver call fails (then it throws)
 * or when its thread is interrupted (then it returns early with the interrupt flag set). {@link #healAll} may be
 * called from any thread at any time. One {@code run} at a time per instance.
 */
public final class Nemesis {
  /** The history process name of nemesis events. */
  public static final String PROCESS = "nemesis";

  private static final long TERMINATION_WAIT_SECONDS = 60;

  private final FaultTarget target;
  private final HistoryRecorder recorder;
  private final Map<Long, Active> active = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();

  // Per-resource bookkeeping; each resource has its own lock so a slow restart of one node does not hold up a
  // partition. The lock also orders the driver calls for that resource with its bookkeeping.
  private final Object net = new Object();
  private final Map<Link, Integer> linkCuts = new ConcurrentHashMap<>();
  private final Map<String, Object> locks = new ConcurrentHashMap<>();
  private final Map<String, Integer> processCounts = new ConcurrentHashMap<>();
  private final Map<Integer, List<Active>> clockRates = new ConcurrentHashMap<>();
  private final List<Active> losses = new ArrayList<>();
  private final List<Active> delays = new ArrayList<>();
  private final Map<String, List<Active>> configEdits = new ConcurrentHashMap<>();
  private final Map<String, java.util.OptionalLong> configBefore = new ConcurrentHashMap<>();

  public Nemesis(FaultTarget target, HistoryRecorder recorder) {
    this.target = Objects.requireNonNull(target, "target");
    this.recorder = Objects.requireNonNull(recorder, "recorder");
  }

  /** The name of node {@code index} in histories: {@code node1} for index 0, {@code node2} for 1 ... */
  public static String nodeName(int index) {
    return "node" + (index + 1);
  }

  /**
   * Refuses, before anything runs, a schedule this target cannot play: a different cluster size, a target that
   * does not exist, or a fault the driver does not {@link FaultTarget#supports support}.
   *
   * @throws IllegalArgumentException naming the offending step
   */
  public void validate(Schedule s) {
    if (s.nodes() != target.size()) {
      throw new IllegalArgumentException("schedule " + s.name() + " is for " + s.nodes() + " nodes, the cluster has "
          + target.size());
    }
    for (int i = 0; i < s.steps().size(); i++) {
      Step step = s.steps().get(i);
      Target t = targetOf(step.fault());
      if (t != null) {
        String spec = t.spec();
        int n = spec.equals("primary") ? 0 : Integer.parseInt(spec.substring(spec.indexOf(':') + 1));
        boolean exists = spec.startsWith("node:") ? n < target.size()
            : !spec.startsWith("replica:") || n < target.size() - 1;
        if (!exists) {
          throw new IllegalArgumentException(stepName(i, step) + ": target " + spec + " does not exist in a "
              + target.size() + "-node cluster");
        }
      }
      if (!target.supports(step.fault())) {
        throw new IllegalArgumentException(stepName(i, step) + ": this cluster driver ("
            + target.getClass().getSimpleName() + ") cannot inject " + describe(step.fault()));
      }
    }
  }

  /** Plays the schedule; blocks until every step has been applied and reverted. */
  public void run(Schedule s) {
    validate(s);
    if (s.steps().isEmpty()) {
      return;
    }
    long origin = System.nanoTime();
    AtomicInteger threadNo = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(s.steps().size(), r -> {
      Thread t = new Thread(r, "nemesis-step-" + threadNo.getAndIncrement());
      t.setDaemon(true);
      return t;
    });
    List<Future<Integer>> futures = new ArrayList<>();
    // Completion order, not step order: a failing step must stop the run even while an earlier step still waits.
    CompletionService<Integer> done = new ExecutorCompletionService<>(pool);
    try {
      for (int i = 0; i < s.steps().size(); i++) {
        int index = i;
        Step step = s.steps().get(i);
        futures.add(done.submit(() -> {
          runStep(origin, step);
          return index;
        }));
      }
      for (int n = 0; n < futures.size(); n++) {
        Future<Integer> f = done.take();
        try {
          f.get();
        } catch (ExecutionException e) {
          int index = futures.indexOf(f);
          stop(pool, futures);
          Throwable cause = e.getCause();
          throw new IllegalStateException("nemesis: " + stepName(index, s.steps().get(index)) + " failed: "
              + cause, cause);
        }
      }
    } catch (InterruptedException e) {
      try {
        stop(pool, futures);
      } finally {
        Thread.currentThread().interrupt();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** Reverts every fault still active (most recent first), recording a stop event for each. */
  public void healAll() {
    List<Active> still = new ArrayList<>(active.values());
    still.sort(Comparator.comparingLong((Active a) -> a.id).reversed());
    RuntimeException first = null;
    for (Active a : still) {
      try {
        revert(a);
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /** Interrupts the step threads (each reverts what it applied), waits for them, then heals whatever is left. */
  private void stop(ExecutorService pool, List<? extends Future<?>> futures) {
    futures.forEach(f -> f.cancel(true));
    pool.shutdownNow();
    boolean interrupted = false;
    try {
      pool.awaitTermination(TERMINATION_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      interrupted = true;
    }
    try {
      healAll();
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void runStep(long origin, Step step) throws InterruptedException {
    sleepUntil(origin + TimeUnit.MILLISECONDS.toNanos(step.atMillis()));
    Active a = resolve(step);
    active.put(a.id, a);
    try {
      apply(a);
    } catch (RuntimeException | Error e) {
      record("start-" + a.fault.kind(), a, String.valueOf(e.getMessage()));
      // A partly applied fault (some links cut) is reverted too; the apply failure stays the one reported.
      try {
        revert(a);
      } catch (RuntimeException | Error revertFailure) {
        e.addSuppressed(revertFailure);
      }
      throw e;
    }
    record("start-" + a.fault.kind(), a, null);
    try {
      sleepUntil(origin + TimeUnit.MILLISECONDS.toNanos(step.endMillis()));
    } finally {
      // Normal end and interrupt alike; the interrupt flag is clear here, so the driver calls run normally.
      revert(a);
    }
  }

  private static void sleepUntil(long deadlineNanos) throws InterruptedException {
    while (true) {
      long remaining = deadlineNanos - System.nanoTime();
      if (remaining <= 0) {
        return;
      }
      TimeUnit.NANOSECONDS.sleep(remaining);
    }
  }

  /** What the step means right now: the resolved node and, for partitions, the exact links. */
  private Active resolve(Step step) {
    Fault f = step.fault();
    Target t = targetOf(f);
    int node = t == null ? -1 : t.resolve(target.size(), target.primary());
    Set<Link> links = Set.of();
    if (f instanceof Fault.Partition p) {
      links = Partitions.links(p.shape(), target.size(), node);
      if (p.shape() == PartitionShape.MAJORITIES_RING) {
        node = -1; // the ring ignores its target; do not name a node in the history
      }
    }
    String description = describe(f) + (node >= 0 ? " (" + nodeName(node) + ")" : "")
        + (f instanceof Fault.Partition ? " cuts " + links : "");
    return new Active(ids.incrementAndGet(), f, node, links, description);
  }

  private void apply(Active a) {
    Fault f = a.fault;
    if (f instanceof Fault.Partition) {
      synchronized (net) {
        Set<Link> fresh = new LinkedHashSet<>();
        for (Link l : a.links) {
          if (linkCuts.merge(l, 1, Integer::sum) == 1) {
            fresh.add(l);
          }
        }
        if (!fresh.isEmpty()) {
          target.cut(fresh);
        }
      }
    } else if (f instanceof Fault.Kill k) {
      String key = "kill:" + a.node + ":" + k.component();
      synchronized (lock(key)) {
        if (processCounts.merge(key, 1, Integer::sum) == 1) {
          target.kill(a.node, k.component());
        }
      }
    } else if (f instanceof Fault.Pause p) {
      String key = "pause:" + a.node + ":" + p.component();
      synchronized (lock(key)) {
        if (processCounts.merge(key, 1, Integer::sum) == 1) {
          target.pause(a.node, p.component());
        }
      }
    } else if (f instanceof Fault.ClockSkew c) {
      synchronized (lock("clock:" + a.node)) {
        clockRates.computeIfAbsent(a.node, n -> new ArrayList<>()).add(a);
        target.clockRate(a.node, c.rate());
      }
    } else if (f instanceof Fault.PacketLoss) {
      synchronized (losses) {
        double before = maxLoss();
        losses.add(a);
        if (maxLoss() != before) {
          target.packetLoss(maxLoss());
        }
      }
    } else if (f instanceof Fault.Delay) {
      synchronized (delays) {
        int before = maxDelay();
        delays.add(a);
        if (maxDelay() != before) {
          target.delay(maxDelay());
        }
      }
    } else if (f instanceof Fault.DcsConfig c) {
      synchronized (lock("config:" + c.key())) {
        List<Active> edits = configEdits.computeIfAbsent(c.key(), k -> new ArrayList<>());
        java.util.OptionalLong was = target.setDynamicConfig(c.key(), java.util.OptionalLong.of(c.value()));
        if (edits.isEmpty()) {
          configBefore.put(c.key(), was);
        }
        edits.add(a);
      }
    }
  }

  /** Reverts {@code a} unless someone else already did (the step thread and healAll may race). */
  private void revert(Active a) {
    if (active.remove(a.id) == null) {
      return;
    }
    Fault f = a.fault;
    if (f instanceof Fault.Partition) {
      synchronized (net) {
        Set<Link> healed = new LinkedHashSet<>();
        for (Link l : a.links) {
          Integer left = linkCuts.computeIfPresent(l, (k, n) -> n == 1 ? null : n - 1);
          if (left == null) {
            healed.add(l);
          }
        }
        if (!healed.isEmpty()) {
          target.restore(healed);
        }
      }
    } else if (f instanceof Fault.Kill k) {
      String key = "kill:" + a.node + ":" + k.component();
      synchronized (lock(key)) {
        if (processCounts.computeIfPresent(key, (x, n) -> n == 1 ? null : n - 1) == null) {
          target.restart(a.node, k.component());
        }
      }
    } else if (f instanceof Fault.Pause p) {
      String key = "pause:" + a.node + ":" + p.component();
      synchronized (lock(key)) {
        if (processCounts.computeIfPresent(key, (x, n) -> n == 1 ? null : n - 1) == null) {
          target.resume(a.node, p.component());
        }
      }
    } else if (f instanceof Fault.ClockSkew) {
      synchronized (lock("clock:" + a.node)) {
        List<Active> rates = clockRates.computeIfAbsent(a.node, n -> new ArrayList<>());
        boolean wasCurrent = !rates.isEmpty() && rates.get(rates.size() - 1) == a;
        rates.remove(a);
        if (rates.isEmpty()) {
          target.clockRate(a.node, 1.0);
        } else if (wasCurrent) {
          target.clockRate(a.node, ((Fault.ClockSkew) rates.get(rates.size() - 1).fault).rate());
        }
      }
    } else if (f instanceof Fault.PacketLoss) {
      synchronized (losses) {
        double before = maxLoss();
        losses.remove(a);
        if (maxLoss() != before) {
          target.packetLoss(maxLoss());
        }
      }
    } else if (f instanceof Fault.Delay) {
      synchronized (delays) {
        int before = maxDelay();
        delays.remove(a);
        if (maxDelay() != before) {
          target.delay(maxDelay());
        }
      }
    } else if (f instanceof Fault.DcsConfig c) {
      synchronized (lock("config:" + c.key())) {
        List<Active> edits = configEdits.computeIfAbsent(c.key(), k -> new ArrayList<>());
        boolean wasCurrent = !edits.isEmpty() && edits.get(edits.size() - 1) == a;
        if (edits.remove(a)) {
          if (edits.isEmpty()) {
            target.setDynamicConfig(c.key(), configBefore.remove(c.key()));
          } else if (wasCurrent) {
            target.setDynamicConfig(c.key(),
                java.util.OptionalLong.of(((Fault.DcsConfig) edits.get(edits.size() - 1).fault).value()));
          }
        }
      }
    }
    record("stop-" + f.kind(), a, null);
  }

  private double maxLoss() {
    return losses.stream().mapToDouble(a -> ((Fault.PacketLoss) a.fault).probability()).max().orElse(0);
  }

  private int maxDelay() {
    return delays.stream().mapToInt(a -> ((Fault.Delay) a.fault).millis()).max().orElse(0);
  }

  private Object lock(String key) {
    return locks.computeIfAbsent(key, k -> new Object());
  }

  private void record(String f, Active a, String error) {
    recorder.record(Op.of(PROCESS, OpType.INFO, f, null, a.description, a.node >= 0 ? nodeName(a.node) : null,
        error));
  }

  private static Target targetOf(Fault f) {
    if (f instanceof Fault.Partition p) {
      return p.target();
    } else if (f instanceof Fault.Kill k) {
      return k.target();
    } else if (f instanceof Fault.Pause p) {
      return p.target();
    } else if (f instanceof Fault.ClockSkew c) {
      return c.target();
    }
    return null;
  }

  private static String stepName(int index, Step step) {
    return "step " + index + " (at " + step.atMillis() + " ms for " + step.durationMillis() + " ms: "
        + describe(step.fault()) + ")";
  }

  /** A fault for people, before its target is resolved. */
  public static String describe(Fault f) {
    if (f instanceof Fault.Partition p) {
      return "partition " + ScheduleJson.token(p.shape()) + " of " + p.target();
    } else if (f instanceof Fault.Kill k) {
      return "kill " + ScheduleJson.token(k.component()) + " of " + k.target();
    } else if (f instanceof Fault.Pause p) {
      return "pause " + ScheduleJson.token(p.component()) + " of " + p.target();
    } else if (f instanceof Fault.ClockSkew c) {
      return "clock-skew x" + c.rate() + " of " + c.target();
    } else if (f instanceof Fault.PacketLoss l) {
      return "packet-loss " + l.probability() + " on every link";
    } else if (f instanceof Fault.Delay d) {
      return "delay " + d.millis() + " ms on every link";
    } else if (f instanceof Fault.DcsConfig c) {
      return "dcs-config " + c.key() + "=" + c.value();
    }
    return f.toString();
  }

  /** One applied step: what it resolved to, so that the revert undoes exactly that. */
  private static final class Active {
    final long id;
    final Fault fault;
    final int node;
    final Set<Link> links;
    final String description;

    Active(long id, Fault fault, int node, Set<Link> links, String description) {
      this.id = id;
      this.fault = fault;
      this.node = node;
      this.links = links;
      this.description = description;
    }
  }
}
