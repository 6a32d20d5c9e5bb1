package io.pgquorum.jepsen.fault;

/** The partition topologies Jepsen's nemeses use; {@link Partitions} turns one into the set of cut links. */
public enum PartitionShape {
  /**
   * Two halves: {@code floor(n/2)} nodes starting at the step's target ({@code target, target+1, ...} mod n)
   * against the rest, both directions (deterministic, so a schedule replays exactly).
   */
  HALVES,
  /** One node (the step's target) cut from everyone, both directions. */
  ISOLATE,
  /** Each node sees only a majority, and no two nodes see the same majority (n >= 5 gives a true ring). */
  MAJORITIES_RING,
  /** Two halves joined by one bridge node that sees both (the target is the bridge). */
  BRIDGE,
  /** Only traffic from the target to everyone else is dropped (the target still receives). */
  ONE_WAY
}
