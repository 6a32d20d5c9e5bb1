package io.pgquorum.jepsen.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class PartitionsTest {

  /** "1->0 0->1" as links. */
  private static Set<Link> links(String spec) {
    Set<Link> out = new HashSet<>();
    for (String s : spec.trim().split("\\s+")) {
      String[] p = s.split("->");
      out.add(new Link(Integer.parseInt(p[0]), Integer.parseInt(p[1])));
    }
    return out;
  }

  /** Both directions of every "a-b" pair. */
  private static Set<Link> both(String pairs) {
    Set<Link> out = new HashSet<>();
    for (String s : pairs.trim().split("\\s+")) {
      String[] p = s.split("-");
      int a = Integer.parseInt(p[0]);
      int b = Integer.parseInt(p[1]);
      out.add(new Link(a, b));
      out.add(new Link(b, a));
    }
    return out;
  }

  @Test
  void halvesOfThreePutTheTargetAloneOnItsSide() {
    assertThat(Partitions.links(PartitionShape.HALVES, 3, 1)).isEqualTo(both("1-0 1-2"));
  }

  @Test
  void halvesOfFiveStartAtTheTargetAndWrap() {
    // side {3, 4} against {0, 1, 2}
    assertThat(Partitions.links(PartitionShape.HALVES, 5, 3))
        .isEqualTo(both("3-0 3-1 3-2 4-0 4-1 4-2"));
    // side {4, 0} against {1, 2, 3}: wraps around
    assertThat(Partitions.links(PartitionShape.HALVES, 5, 4))
        .isEqualTo(both("4-1 4-2 4-3 0-1 0-2 0-3"));
  }

  @Test
  void isolateCutsTheTargetBothWays() {
    assertThat(Partitions.links(PartitionShape.ISOLATE, 3, 2)).isEqualTo(both("2-0 2-1"));
    assertThat(Partitions.links(PartitionShape.ISOLATE, 5, 0)).isEqualTo(both("0-1 0-2 0-3 0-4"));
  }

  @Test
  void majoritiesRingOfThreeIsTheDocumentedDirectedRing() {
    Set<Link> cut = Partitions.links(PartitionShape.MAJORITIES_RING, 3, 0);
    assertThat(cut).isEqualTo(links("1->0 2->1 0->2"));
    // Each node hears itself and one other (a majority of 3), and no two hear the same pair.
    assertThat(heard(cut, 3, 0)).containsExactly(0, 2);
    assertThat(heard(cut, 3, 1)).containsExactly(0, 1);
    assertThat(heard(cut, 3, 2)).containsExactly(1, 2);
    // The target does not matter.
    assertThat(Partitions.links(PartitionShape.MAJORITIES_RING, 3, 2)).isEqualTo(cut);
  }

  @Test
  void majoritiesRingOfFiveIsATrueRing() {
    Set<Link> cut = Partitions.links(PartitionShape.MAJORITIES_RING, 5, 3);
    assertThat(cut).isEqualTo(both("0-2 0-3 1-3 1-4 2-4"));
    for (int i = 0; i < 5; i++) {
      assertThat(heard(cut, 5, i)).containsExactlyInAnyOrder((i + 4) % 5, i, (i + 1) % 5);
    }
  }

  @Test
  void majoritiesRingGivesEveryNodeADistinctMajorityForAnySizeFromThree() {
    for (int n = 3; n <= 9; n++) {
      Set<Link> cut = Partitions.links(PartitionShape.MAJORITIES_RING, n, 0);
      Set<Set<Integer>> seen = new HashSet<>();
      for (int i = 0; i < n; i++) {
        Set<Integer> h = heard(cut, n, i);
        assertThat(h.size()).as("n=%d node %d hears a majority", n, i).isGreaterThan(n / 2);
        assertThat(h.size()).as("n=%d node %d is cut from someone", n, i).isLessThan(n);
        assertThat(seen.add(h)).as("n=%d node %d hears its own majority", n, i).isTrue();
      }
      if (n >= 4) {
        assertSymmetric(cut);
      }
    }
    assertThat(Partitions.links(PartitionShape.MAJORITIES_RING, 2, 0)).isEmpty();
    assertThat(Partitions.links(PartitionShape.MAJORITIES_RING, 1, 0)).isEmpty();
  }

  @Test
  void bridgeOfThreeSplitsTheOtherTwoAndTheBridgeSeesBoth() {
    Set<Link> cut = Partitions.links(PartitionShape.BRIDGE, 3, 1);
    assertThat(cut).isEqualTo(both("2-0"));
  }

  @Test
  void bridgeOfFiveSplitsTwoAgainstTwoAndTheBridgeSeesAll() {
    // others in ring order from 4: [4, 0 | 1, 2]
    Set<Link> cut = Partitions.links(PartitionShape.BRIDGE, 5, 3);
    assertThat(cut).isEqualTo(both("4-1 4-2 0-1 0-2"));
    assertThat(cut).noneMatch(l -> l.from() == 3 || l.to() == 3);
  }

  @Test
  void oneWayDropsOnlyWhatTheTargetSends() {
    assertThat(Partitions.links(PartitionShape.ONE_WAY, 3, 0)).isEqualTo(links("0->1 0->2"));
    assertThat(Partitions.links(PartitionShape.ONE_WAY, 5, 4)).isEqualTo(links("4->0 4->1 4->2 4->3"));
  }

  @Test
  void symmetricShapesAreSymmetricAndNoShapeCutsASelfLink() {
    for (int size = 1; size <= 7; size++) {
      int n = size;
      for (int t = 0; t < n; t++) {
        for (PartitionShape s : PartitionShape.values()) {
          Set<Link> cut = Partitions.links(s, n, t);
          assertThat(cut).noneMatch(l -> l.from() == l.to());
          assertThat(cut).allMatch(l -> l.from() < n && l.to() < n && l.from() >= 0 && l.to() >= 0);
          assertThat(Partitions.links(s, n, t)).as("deterministic").isEqualTo(cut);
          if (s != PartitionShape.ONE_WAY && !(s == PartitionShape.MAJORITIES_RING && n == 3)) {
            assertSymmetric(cut);
          }
        }
        // the side holding the target has floor(n/2) nodes
        Set<Link> halves = Partitions.links(PartitionShape.HALVES, n, t);
        int finalT = t;
        long targetCut = halves.stream().filter(l -> l.from() == finalT).count();
        // (a one-node cluster has no halves: nothing is cut)
        assertThat(targetCut).as("n=%d: target reaches only its own side", n).isEqualTo(n == 1 ? 0 : n - n / 2L);
      }
    }
  }

  @Test
  void rejectsATargetOutsideTheCluster() {
    assertThatThrownBy(() -> Partitions.links(PartitionShape.ISOLATE, 3, 3))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("target 3");
    assertThatThrownBy(() -> Partitions.links(PartitionShape.ISOLATE, 0, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("size 0");
  }

  private static void assertSymmetric(Set<Link> cut) {
    for (Link l : cut) {
      assertThat(cut).as("reverse of %s", l).contains(new Link(l.to(), l.from()));
    }
  }

  /** Nodes whose traffic node {@code i} still receives (itself included). */
  private static Set<Integer> heard(Set<Link> cut, int n, int i) {
    Set<Integer> out = new TreeSet<>();
    for (int j = 0; j < n; j++) {
      if (!cut.contains(new Link(j, i))) {
        out.add(j);
      }
    }
    return out;
  }
}
