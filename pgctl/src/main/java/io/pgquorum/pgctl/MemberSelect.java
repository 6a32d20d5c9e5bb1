package io.pgquorum.pgctl;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.Member;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * patronictl's member selection by {@code -r/--role} and {@code -m/--member}, from the DCS keys alone.
 *
 * <ul>
 *   <li>leader: the lock holder; primary: the lock holder unless it is a standby leader; standby-leader: the lock
 *       holder if it is one;
 *   <li>replica, standby: every member but the lock holder; any: every member.
 * </ul>
 */
final class MemberSelect {
  private MemberSelect() {}

  /** The members with {@code role}, in name order. */
  static List<Member> all(ClusterSnapshot cluster, String role) {
    Optional<Member> leader = cluster.leaderMember();
    List<Member> out = new ArrayList<>();
    switch (role) {
      case "leader" -> leader.ifPresent(out::add);
      case "primary" -> leader.filter(m -> !"standby_leader".equals(m.role())).ifPresent(out::add);
      case "standby-leader" -> leader.filter(m -> !"primary".equals(m.role()) && !"master".equals(m.role()))
          .ifPresent(out::add);
      case "any" -> out.addAll(cluster.members().values());
      default -> cluster.members().values().stream().filter(m -> !cluster.isLeader(m.name())).forEach(out::add);
    }
    return out;
  }

  /**
   * The first member with the role (the leader when neither is given) or the named one.
   *
   * @throws CtlException when both are given
   */
  static Optional<Member> any(ClusterSnapshot cluster, Optional<String> role, Optional<String> member) {
    if (member.isPresent() && role.isPresent()) {
      throw CtlException.failure("--role and --member are mutually exclusive options");
    }
    String r = member.isPresent() ? "any" : role.orElse("leader");
    return all(cluster, r).stream().filter(m -> member.isEmpty() || m.name().equals(member.get())).findFirst();
  }

  /** The member's leader first, then the others with an api_url (where patronictl sends cluster-wide requests). */
  static List<Member> leaderFirst(ClusterSnapshot cluster) {
    List<Member> out = new ArrayList<>();
    Optional<Member> leader = cluster.leaderMember().filter(m -> hasApi(m));
    leader.ifPresent(out::add);
    for (Member m : cluster.members().values()) {
      if (hasApi(m) && leader.map(l -> !l.name().equals(m.name())).orElse(true)) {
        out.add(m);
      }
    }
    return out;
  }

  static boolean hasApi(Member m) {
    return m.apiUrl() != null && !m.apiUrl().isBlank();
  }
}
