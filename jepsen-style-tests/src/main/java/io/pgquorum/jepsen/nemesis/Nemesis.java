package io.pgquorum.jepsen.nemesis;

import io.pgquorum.jepsen.fault.AppliedFault;
import io.pgquorum.jepsen.fault.Fault;
import io.pgquorum.jepsen.fault.FaultKinds;
import io.pgquorum.jepsen.fault.FaultLedger;
import io.pgquorum.jepsen.fault.FaultTarget;
import io.pgquorum.jepsen.fault.Link;
import io.pgquorum.jepsen.fault.Schedule;
import io.pgquorum.jepsen.fault.Step;
import io.pgquorum.jepsen.fault.Target;
import io.pgquorum.jepsen.history.HistoryRecorder;
import io.pgquorum.jepsen.history.Op;
import io.pgquorum.jepsen.history.OpType;
import java.util.ArrayList;
import java.util.Comparator;
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
 * <p>Overlapping faults compose instead of undoing each other; how, is each kind's business (its
 * {@link io.pgquorum.jepsen.fault.FaultKind}, e.g. partitions count cuts per directed link, so healing one
 * partition never heals another's links; the last of overlapping kills restarts; the latest clock rate wins).
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
  private final Map<Long, AppliedFault> active = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();

  // Per-resource bookkeeping (FaultKind#resource); each resource has its own ledger, whose lock it is, so a slow
  // restart of one node does not hold up a partition. The lock also orders the driver calls for that resource
  // with its bookkeeping.
  private final Map<String, FaultLedger> ledgers = new ConcurrentHashMap<>();

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
      Target t = FaultKinds.target(step.fault());
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
    List<AppliedFault> still = new ArrayList<>(active.values());
    still.sort(Comparator.comparingLong(AppliedFault::id).reversed());
    RuntimeException first = null;
    for (AppliedFault a : still) {
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
    AppliedFault a = resolve(step);
    active.put(a.id(), a);
    try {
      apply(a);
    } catch (RuntimeException | Error e) {
      record("start-" + a.fault().kind(), a, String.valueOf(e.getMessage()));
      // A partly applied fault (some links cut) is reverted too; the apply failure stays the one reported.
      try {
        revert(a);
      } catch (RuntimeException | Error revertFailure) {
        e.addSuppressed(revertFailure);
      }
      throw e;
    }
    record("start-" + a.fault().kind(), a, null);
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
  private AppliedFault resolve(Step step) {
    Fault f = step.fault();
    Target t = FaultKinds.target(f);
    boolean byRole = t != null && t.byRole();
    int primary = byRole ? target.primary() : -1;
    int resolved = t == null ? -1 : t.resolve(target.size(), primary);
    Set<Link> links = FaultKinds.links(f, target.size(), resolved);
    int node = FaultKinds.historyNode(f, resolved);
    // A role no node held when the step ran resolves by index (Target#resolve); say so in the history, so that a
    // report or a planted run whose fault missed its role shows why rather than passing unexplained.
    String unresolvedRole = byRole && primary < 0
        ? " [no single primary when the step ran: " + t + " taken by index]" : "";
    String description = describe(f) + (node >= 0 ? " (" + nodeName(node) + ")" : "")
        + FaultKinds.resolvedSuffix(f, links) + unresolvedRole;
    return new AppliedFault(ids.incrementAndGet(), f, node, links, description);
  }

  private void apply(AppliedFault a) {
    FaultLedger ledger = ledger(a);
    synchronized (ledger) {
      FaultKinds.apply(a, ledger, target);
    }
  }

  /** Reverts {@code a} unless someone else already did (the step thread and healAll may race). */
  private void revert(AppliedFault a) {
    if (active.remove(a.id()) == null) {
      return;
    }
    FaultLedger ledger = ledger(a);
    synchronized (ledger) {
      FaultKinds.heal(a, ledger, target);
    }
    record("stop-" + a.fault().kind(), a, null);
  }

  private FaultLedger ledger(AppliedFault a) {
    return ledgers.computeIfAbsent(FaultKinds.resource(a), k -> new FaultLedger());
  }

  private void record(String f, AppliedFault a, String error) {
    recorder.record(Op.of(PROCESS, OpType.INFO, f, null, a.description(),
        a.node() >= 0 ? nodeName(a.node()) : null, error));
  }

  private static String stepName(int index, Step step) {
    return "step " + index + " (at " + step.atMillis() + " ms for " + step.durationMillis() + " ms: "
        + describe(step.fault()) + ")";
  }

  /** A fault for people, before its target is resolved. */
  public static String describe(Fault f) {
    return FaultKinds.describe(f);
  }
}
