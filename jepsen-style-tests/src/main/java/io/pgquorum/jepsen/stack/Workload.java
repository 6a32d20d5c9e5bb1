package io.pgquorum.jepsen.stack;

/** A set of client or observer threads recording into a history; started once, stopped once. */
public interface Workload extends AutoCloseable {
  /** Starts the threads; returns at once. */
  void start();

  /** Stops the threads and waits for them (bounded); never throws. */
  @Override
  void close();
}
