package io.pgquorum.pgctl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Orders members as a replication tree for {@code pgctl topology}: the leader first, then each replica under the
 * member it replicates from (its {@code replicatefrom} tag, when that names another replica; otherwise the
 * leader), siblings in name order.
 */
final class Topology {
  private Topology() {}

  /** A member at its depth in the tree: 0 for the leader, 1 for replicas of the leader, 2 below those, ... */
  record Node(MemberView member, int level) {
    /** The Member cell: patronictl's indentation, two spaces per level below the first, then "+ ". */
    String label() {
      return level == 0 ? member.name() : "  ".repeat(level - 1) + "+ " + member.name();
    }
  }

  static List<Node> order(List<MemberView> members) {
    Optional<MemberView> leader = members.stream().filter(MemberView::isLeader).findFirst();
    Set<String> replicas = new LinkedHashSet<>();
    members.stream().filter(m -> !m.isLeader()).forEach(m -> replicas.add(m.name()));
    // Children by parent name; the key "" stands for the leader (or for "no leader" in a leaderless cluster).
    Map<String, List<MemberView>> children = new LinkedHashMap<>();
    for (MemberView m : members) {
      if (m.isLeader()) {
        continue;
      }
      String parent = m.replicatesFrom()
          .filter(p -> !p.equals(m.name()) && replicas.contains(p))
          .orElse("");
      children.computeIfAbsent(parent, k -> new ArrayList<>()).add(m);
    }
    List<Node> out = new ArrayList<>();
    Set<String> placed = new LinkedHashSet<>();
    leader.ifPresent(l -> {
      out.add(new Node(l, 0));
      placed.add(l.name());
    });
    addChildren("", 1, children, out, placed);
    // Members in a replicatefrom cycle are reachable from no root; patronictl drops them silently. Show them
    // under the leader instead, so that list and topology always show the same members.
    for (MemberView m : members) {
      if (!placed.contains(m.name())) {
        placed.add(m.name());
        out.add(new Node(m, 1));
        addChildren(m.name(), 2, children, out, placed);
      }
    }
    return out;
  }

  private static void addChildren(String parent, int level, Map<String, List<MemberView>> children, List<Node> out,
      Set<String> placed) {
    for (MemberView child : children.getOrDefault(parent, List.of())) {
      if (placed.add(child.name())) {
        out.add(new Node(child, level));
        addChildren(child.name(), level + 1, children, out, placed);
      }
    }
  }
}
