package io.pgquorum.bench.cost;

import io.pgquorum.bench.proc.ProcStats;
import java.util.List;
import java.util.function.Supplier;

/**
 * Samples a group of processes over a window: the mean of their summed resident memory, and the CPU time they
 * used (utime + stime deltas). The group is re-read at every sample, so a child that starts meanwhile is counted
 * from its first sample on.
 */
public final class IdleSampler {
  private final Supplier<List<Long>> pids;
  private final java.util.Map<Long, Long> firstTicks = new java.util.HashMap<>();
  private final java.util.Map<Long, Long> lastTicks = new java.util.HashMap<>();
  private long rssSum;
  private long pssSum;
  private int samples;

  private final java.util.function.LongFunction<java.util.OptionalLong> rssKib;
  private final java.util.function.LongFunction<java.util.OptionalLong> pssKib;
  private final java.util.function.LongFunction<java.util.OptionalLong> cpuTicks;

  public IdleSampler(Supplier<List<Long>> pids) {
    this(pids, false);
  }

  /**
   * @param withReapedChildren also count CPU of children that exited during the window (cutime/cstime): for a
   *     PostgreSQL tree, the short-lived backends a coordinator's connections cause, which no sample would
   *     catch alive. A child sampled alive that then exits is counted twice for the sampled part (rare at idle).
   */
  public IdleSampler(Supplier<List<Long>> pids, boolean withReapedChildren) {
    this(pids, ProcStats::rssKib, ProcStats::pssKib,
        withReapedChildren ? ProcStats::cpuTicksWithReapedChildren : ProcStats::cpuTicks);
  }

  /** With injected /proc readers (tests). */
  IdleSampler(Supplier<List<Long>> pids, java.util.function.LongFunction<java.util.OptionalLong> rssKib,
      java.util.function.LongFunction<java.util.OptionalLong> pssKib,
      java.util.function.LongFunction<java.util.OptionalLong> cpuTicks) {
    this.pids = pids;
    this.rssKib = rssKib;
    this.pssKib = pssKib;
    this.cpuTicks = cpuTicks;
  }

  /** Takes one sample now. */
  public void sample() {
    long rss = 0;
    long pss = 0;
    for (long pid : pids.get()) {
      var r = rssKib.apply(pid);
      var t = cpuTicks.apply(pid);
      if (r.isPresent() && t.isPresent()) {
        rss += r.getAsLong();
        // A process whose smaps cannot be read counts with its RSS (an upper bound), never as nothing.
        pss += pssKib.apply(pid).orElse(r.getAsLong());
        firstTicks.putIfAbsent(pid, t.getAsLong());
        lastTicks.put(pid, t.getAsLong());
      }
    }
    rssSum += rss;
    pssSum += pss;
    samples++;
  }

  /** Mean summed PSS over the samples, MiB (RSS for a process whose smaps were unreadable). */
  public double meanPssMib() {
    return samples == 0 ? 0 : pssSum / (double) samples / 1024.0;
  }

  /** Mean summed RSS over the samples, MiB. */
  public double meanRssMib() {
    return samples == 0 ? 0 : rssSum / (double) samples / 1024.0;
  }

  /** CPU seconds used between each process's first and last sample. */
  public double cpuSeconds() {
    long ticks = 0;
    for (var e : lastTicks.entrySet()) {
      ticks += e.getValue() - firstTicks.get(e.getKey());
    }
    return ticks / (double) ProcStats.clockTicksPerSecond();
  }
}
