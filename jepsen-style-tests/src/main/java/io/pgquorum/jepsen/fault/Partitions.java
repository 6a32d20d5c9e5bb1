package io.pgquorum.jepsen.fault;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Turns a {@link PartitionShape} into the exact set of directed links to cut. Pure and deterministic: the same
 * shape, size and target always give the same links, so a saved schedule replays exactly (no shuffling at run
 * time; the generator's seed already chose the target).
 *
 * <p>Nodes are 0-based indexes on a ring ({@code i+1} wraps to 0). Per shape:
 * <ul>
 *   <li>{@link PartitionShape#HALVES}: the side holding {@code target} is {@code target, target+1, ...} (mod n),
 *       {@code floor(n/2)} nodes; the rest is the other side; every link between the sides is cut both ways.
 *       For n = 3 this is the same cut as isolating the target.</li>
 *   <li>{@link PartitionShape#ISOLATE}: every link to and from {@code target}.</li>
 *   <li>{@link PartitionShape#MAJORITIES_RING}: every node still hears a majority, and no two nodes hear the same
 *       one. For n >= 4, node i keeps the links to {@code i-k .. i+k} with {@code k = ceil(floor(n/2) / 2)} (the
 *       smallest window that is a majority), all others are cut both ways; n = 5 gives the classic ring where
 *       each node sees its two neighbours. For n = 3 a symmetric window is the whole cluster, so the shape is the
 *       directed ring instead: node i stops hearing node i+1 (it hears itself and i-1, a majority of its own;
 *       the cut is one-way). For n &lt;= 2 no majority is smaller than the cluster: no links are cut. The target
 *       is not used (the ring is symmetric under rotation).</li>
 *   <li>{@link PartitionShape#BRIDGE}: the other nodes, in ring order from {@code target+1}, split into a first
 *       half of {@code floor((n-1)/2)} and a second half of the rest; the halves cannot reach each other (both
 *       ways) while {@code target} keeps every link.</li>
 *   <li>{@link PartitionShape#ONE_WAY}: {@code target -> j} for every other j (the target still receives).</li>
 * </ul>
 */
public final class Partitions {
  private Partitions() {
  }

  /**
   * The directed links to cut.
   *
   * @param shape the topology
   * @param size cluster size (at least 1)
   * @param target the resolved target index, {@code 0 <= target < size}
   * @return an unmodifiable set, in a stable order (from, then to)
   */
  public static Set<Link> links(PartitionShape shape, int size, int target) {
    if (size < 1) {
      throw new IllegalArgumentException("partition needs at least one node, got size " + size);
    }
    if (target < 0 || target >= size) {
      throw new IllegalArgumentException("partition target " + target + " is not a node of a " + size
          + "-node cluster");
    }
    boolean[][] cut = new boolean[size][size];
    switch (shape) {
      case HALVES -> {
        boolean[] side = new boolean[size];
        for (int i = 0; i < size / 2; i++) {
          side[(target + i) % size] = true;
        }
        for (int a = 0; a < size; a++) {
          for (int b = 0; b < size; b++) {
            cut[a][b] = side[a] != side[b];
          }
        }
      }
      case ISOLATE -> {
        for (int j = 0; j < size; j++) {
          if (j != target) {
            cut[target][j] = true;
            cut[j][target] = true;
          }
        }
      }
      case MAJORITIES_RING -> majoritiesRing(cut, size);
      case BRIDGE -> {
        // side: 1 = first half, 2 = second half, 0 = the bridge.
        int[] side = new int[size];
        int first = (size - 1) / 2;
        for (int i = 1; i < size; i++) {
          side[(target + i) % size] = i <= first ? 1 : 2;
        }
        for (int a = 0; a < size; a++) {
          for (int b = 0; b < size; b++) {
            cut[a][b] = side[a] != 0 && side[b] != 0 && side[a] != side[b];
          }
        }
      }
      case ONE_WAY -> {
        for (int j = 0; j < size; j++) {
          if (j != target) {
            cut[target][j] = true;
          }
        }
      }
      default -> throw new IllegalArgumentException("unknown partition shape " + shape);
    }
    Set<Link> out = new LinkedHashSet<>();
    for (int a = 0; a < size; a++) {
      for (int b = 0; b < size; b++) {
        if (cut[a][b]) {
          out.add(new Link(a, b));
        }
      }
    }
    return Collections.unmodifiableSet(out);
  }

  private static void majoritiesRing(boolean[][] cut, int size) {
    if (size <= 2) {
      return;
    }
    if (size == 3) {
      // Directed ring: i no longer hears i+1 (traffic i+1 -> i dropped).
      for (int i = 0; i < size; i++) {
        cut[(i + 1) % size][i] = true;
      }
      return;
    }
    int k = (size / 2 + 1) / 2;
    for (int a = 0; a < size; a++) {
      for (int b = 0; b < size; b++) {
        int d = Math.abs(a - b);
        int ringDistance = Math.min(d, size - d);
        cut[a][b] = ringDistance > k;
      }
    }
  }
}
