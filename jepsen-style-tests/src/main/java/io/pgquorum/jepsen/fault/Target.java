package io.pgquorum.jepsen.fault;

/**
 * Which node a fault hits, resolved when the step runs (the primary moves, so a schedule names roles, not only
 * indexes): {@code "node:2"} (0-based index), {@code "primary"} (the current primary, or the Raft leader in DCS
 * runs), {@code "replica:0"} (the first non-primary node in index order, {@code replica:1} the second ...).
 */
public record Target(String spec) {

  public Target {
    if (!(spec.equals("primary") || spec.matches("node:\\d+") || spec.matches("replica:\\d+"))) {
      throw new IllegalArgumentException("target must be node:N, primary or replica:N, got \"" + spec + "\"");
    }
  }

  public static Target node(int index) {
    return new Target("node:" + index);
  }

  public static Target primary() {
    return new Target("primary");
  }

  public static Target replica(int ordinal) {
    return new Target("replica:" + ordinal);
  }

  /** Whether this target names a role ({@code primary}, {@code replica:N}), which needs the current primary. */
  public boolean byRole() {
    return !spec.startsWith("node:");
  }

  /**
   * The node index this target means now.
   *
   * @param size cluster size
   * @param primary the current primary/leader index, or -1 when there is none (then "primary" means node 0)
   */
  public int resolve(int size, int primary) {
    if (spec.equals("primary")) {
      return primary >= 0 ? primary : 0;
    }
    int n = Integer.parseInt(spec.substring(spec.indexOf(':') + 1));
    if (spec.startsWith("node:")) {
      return n % size;
    }
    java.util.List<Integer> others = new java.util.ArrayList<>();
    for (int i = 0; i < size; i++) {
      if (i != primary) {
        others.add(i);
      }
    }
    return others.get(n % others.size());
  }

  @Override
  public String toString() {
    return spec;
  }
}
