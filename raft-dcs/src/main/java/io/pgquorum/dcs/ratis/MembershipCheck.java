package io.pgquorum.dcs.ratis;

import io.pgquorum.dcs.api.DcsRejectedException;
import java.util.List;
import java.util.Set;

/**
 * Whether a membership change can complete with the members that answer now (pure: table-tested in
 * {@code MembershipCheckTest}).
 *
 * <p>Raft (and Ratis) move from configuration C to C' through the joint configuration C,C': its entry commits
 * only with a majority of C <em>and</em> a majority of C'. If the live members cannot provide both, the change
 * hangs half done and the group accepts no writes until enough of the missing members return. Removing a
 * member is refused in that case: for example in {A,B,C} with C down, removing A would leave {B,C} with only B
 * alive.
 */
final class MembershipCheck {
  private MembershipCheck() {}

  static int majority(int size) {
    return size / 2 + 1;
  }

  /** Throws DcsRejectedException naming the missing members when {@code live} lacks a majority of either. */
  static void requireMajorities(List<PeerAddress> current, List<PeerAddress> next, Set<String> live,
      String removed) {
    long liveNow = current.stream().filter(p -> live.contains(p.id())).count();
    if (liveNow < majority(current.size())) {
      throw new DcsRejectedException("only " + liveNow + " of the " + current.size() + " members answer ("
          + answering(current, live) + "), fewer than the " + majority(current.size()) + " a membership change "
          + "needs; bring the others back first");
    }
    long liveAfter = next.stream().filter(p -> live.contains(p.id())).count();
    if (liveAfter < majority(next.size())) {
      List<String> down = next.stream().filter(p -> !live.contains(p.id())).map(PeerAddress::id).toList();
      throw new DcsRejectedException("removing '" + removed + "' would leave " + next.size() + " members of which "
          + "only " + liveAfter + " answer (not answering: " + String.join(", ", down) + "), fewer than the "
          + majority(next.size()) + " the group would need: the change could not complete and the DCS would "
          + "stop accepting writes. Bring " + String.join(", ", down) + " back first"
          + (down.size() == 1 ? ", or remove " + down.get(0) + " instead" : ""));
    }
  }

  private static String answering(List<PeerAddress> members, Set<String> live) {
    List<String> ids = members.stream().map(PeerAddress::id).filter(live::contains).toList();
    return ids.isEmpty() ? "none" : String.join(", ", ids);
  }
}
