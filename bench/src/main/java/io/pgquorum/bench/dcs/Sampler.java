package io.pgquorum.bench.dcs;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * Times operations: one after another (latency of each, throughput of the batch), or closed-loop with a fixed
 * number of operations in flight. An operation that fails throws, and the measurement stops with that error:
 * a benchmark of operations that did not happen would be worthless.
 */
final class Sampler {
  private Sampler() {}

  /** One operation; throws when the system did not do it. */
  @FunctionalInterface
  interface Op {
    void run(int i) throws Exception;
  }

  /**
   * What one batch measured.
   *
   * @param latenciesMs the latency of every operation, in milliseconds
   * @param opsPerSecond operations completed per second of the batch's wall-clock time
   */
  record Batch(double[] latenciesMs, double opsPerSecond) {}

  /** Runs {@code count} operations one after another. */
  static Batch sequential(int count, Op op) throws Exception {
    double[] latencies = new double[count];
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      long t0 = System.nanoTime();
      op.run(i);
      latencies[i] = (System.nanoTime() - t0) / 1e6;
    }
    return new Batch(latencies, opsPerSecond(count, System.nanoTime() - start));
  }

  /**
   * Runs {@code concurrency} workers at once, each doing {@code opsPerWorker} operations one after another, so
   * that {@code concurrency} operations are in flight at any time (closed loop). Worker {@code w} runs
   * {@code workerOps.apply(w)}.
   */
  static Batch closedLoop(int concurrency, int opsPerWorker, IntFunction<Op> workerOps) throws Exception {
    double[][] latencies = new double[concurrency][opsPerWorker];
    CountDownLatch go = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(concurrency);
    AtomicReference<Exception> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < concurrency; w++) {
      int worker = w;
      Op op = workerOps.apply(w);
      Thread t = new Thread(() -> {
        try {
          go.await();
          for (int i = 0; i < opsPerWorker && failure.get() == null; i++) {
            long t0 = System.nanoTime();
            op.run(i);
            latencies[worker][i] = (System.nanoTime() - t0) / 1e6;
          }
        } catch (Exception e) {
          failure.compareAndSet(null, e);
        } finally {
          done.countDown();
        }
      }, "bench-worker-" + w);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    long start = System.nanoTime();
    go.countDown();
    if (!done.await(10, TimeUnit.MINUTES)) {
      threads.forEach(Thread::interrupt);
      throw new IllegalStateException("closed-loop batch of " + concurrency + " workers did not finish in 10 min");
    }
    long elapsed = System.nanoTime() - start;
    if (failure.get() != null) {
      throw failure.get();
    }
    double[] all = new double[concurrency * opsPerWorker];
    for (int w = 0; w < concurrency; w++) {
      System.arraycopy(latencies[w], 0, all, w * opsPerWorker, opsPerWorker);
    }
    return new Batch(all, opsPerSecond(all.length, elapsed));
  }

  static double opsPerSecond(int count, long nanos) {
    return count / (nanos / 1e9);
  }
}
