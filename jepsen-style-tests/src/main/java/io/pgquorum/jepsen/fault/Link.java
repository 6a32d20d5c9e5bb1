package io.pgquorum.jepsen.fault;

/** A directed network link: traffic from node {@code from} to node {@code to} (0-based indexes). */
public record Link(int from, int to) {
  @Override
  public String toString() {
    return from + "->" + to;
  }
}
