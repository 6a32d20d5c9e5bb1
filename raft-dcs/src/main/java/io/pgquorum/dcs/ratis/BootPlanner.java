package io.pgquorum.dcs.ratis;

import io.pgquorum.dcs.ratis.GroupProbe.Answer;
import io.pgquorum.dcs.ratis.GroupProbe.PeerState;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The decisions of a member that starts with no Raft log in its {@code raft.data_dir}, as pure functions of what
 * it has observed (no I/O, no clock), so that each rule is table-tested ({@code BootPlannerTest}). {@link
 * MemberBoot} gathers the observations and carries the steps out.
 *
 * <p>Why any of this: Raft's safety rests on every member keeping what it acknowledged. A member that lost its
 * log (a wiped or replaced {@code raft.data_dir}) and votes again with an empty one can help elect a leader that
 * lacks committed entries: A and C commit entry k while B lags; C is wiped; B and the empty C elect B; k is gone,
 * and A's copy is overwritten when A returns. Such a member must come back as a <em>new</em> member through a
 * membership change (the leader copies the log to it before it gets a vote), never as itself.
 */
final class BootPlanner {
  private BootPlanner() {}

  // ---- without raft.join: is the group new, or does it exist already? ----

  /** What to do after asking every partner what it holds. */
  sealed interface Probe permits Found, GroupExists, WaitForPartners {}

  /** No member has any log: found the group with the configured members, as every founder does. */
  record Found() implements Probe {}

  /** Some member has a log: the group exists; ask it (through a majority without us) who we are. */
  record GroupExists() implements Probe {}

  /** Fewer than a majority answered, and none that did has a log: we cannot tell yet. */
  record WaitForPartners(String reason) implements Probe {}

  /**
   * Founding is safe when no committed entry can exist: a committed entry sits on a majority of the members,
   * and a member's log never shrinks below what it acknowledged. So a group is founded once, in one round of
   * asking, a majority of the members (counting this one) is known to hold no log, and no member that answered
   * holds one. Any log makes it an existing group, whatever the count.
   *
   * <p>Why a majority and not every member: a group must be able to form while one founding member is slow or
   * missing (a new cluster whose third machine is not up yet, or has a bad certificate). The cost, written in the
   * README: the rule is blind to a log held only by members that do not answer. With this member wiped, that
   * needs every member that answered "no log" to have never run, while the group ran on the others: for three
   * members, a group that ran on two of them (the third never started) and then lost one of those two disks.
   * That is two failures, beyond what a three-member Raft group tolerates in any case. Silence alone never
   * founds: below a majority of answers this waits, however long (a timeout would turn a partition into a
   * second group).
   */
  static Probe afterProbe(List<Answer> partners) {
    if (partners.stream().anyMatch(a -> a.state() == PeerState.HAS_LOG)) {
      return new GroupExists();
    }
    long empty = partners.stream().filter(a -> a.state() != PeerState.UNREACHABLE).count();
    int members = partners.size() + 1;
    if (empty + 1 >= MembershipCheck.majority(members)) {
      return new Found();
    }
    List<String> silent = partners.stream().filter(a -> a.state() == PeerState.UNREACHABLE)
        .map(a -> a.peer().toString()).toList();
    return new WaitForPartners("waiting for " + String.join(", ", silent) + " to answer: a new DCS group is "
        + "founded once a majority of its " + members + " members (" + MembershipCheck.majority(members)
        + ", counting this one) has answered that it holds no Raft log (start them, or check raft.partner_addrs, "
        + "their TLS and the network)");
  }

  // ---- without raft.join, the group exists: what the group says about us ----

  /**
   * What a majority of the group (without us) said, read linearizably through its leader.
   *
   * @param selfInConf our member id is a voter of the group's current configuration
   * @param registered the group records that a member with our id has had a log
   * @param voters the current voters, for messages
   */
  record GroupFacts(boolean selfInConf, boolean registered, List<PeerAddress> voters) {}

  /** The decision for a member with no log in a group that exists. */
  sealed interface Verdict permits StartAsLateFounder, RefuseAmnesia, RefuseNotAMember {}

  /**
   * A founding member that never ran: register it through the group first (committed on a majority before it
   * can acknowledge anything), then start it as the voter it is configured to be.
   */
  record StartAsLateFounder() implements Verdict {}

  /** It ran before and lost its log: refuse, unless the operator asks it to join as a new member. */
  record RefuseAmnesia() implements Verdict {}

  /** Not in the group's configuration: it can only come in through a membership change (join). */
  record RefuseNotAMember(List<PeerAddress> voters) implements Verdict {}

  /**
   * @param cleared the marker says this directory already passed the check (or registered) and never ran a
   *     division: a start that was interrupted between registering and running, not a member that lost its log
   */
  static Verdict verdict(GroupFacts facts, boolean cleared) {
    if (!facts.selfInConf()) {
      return new RefuseNotAMember(facts.voters());
    }
    if (facts.registered() && !cleared) {
      return new RefuseAmnesia();
    }
    return new StartAsLateFounder();
  }

  // ---- with raft.join: one step of joining as a new member ----

  /**
   * What the joining member sees.
   *
   * @param divisionExists our server runs a division of the group (we created it, or an operator's
   *     {@code pgctl dcs add} did)
   * @param entryForUs the current configuration's voter or listener with our member id, if any
   * @param ourAddress the address we serve at
   * @param entryAnswer when {@code entryForUs} is at another address: what that address answered
   */
  record JoinFacts(boolean divisionExists, Optional<PeerAddress> entryForUs, PeerAddress ourAddress,
      Optional<Answer> entryAnswer) {}

  /** One step towards membership. */
  sealed interface JoinStep permits Joined, RemoveStaleEntry, CreateDivision, AddSelf, RefuseDuplicate {}

  /** Our division is in the configuration at our address: done. */
  record Joined() implements JoinStep {}

  /**
   * Our id is in the configuration, but not as this division: the entry of the member we replace (our own lost
   * incarnation, or the old address of a replaced machine). It is removed before our division exists, so the
   * leader can never mistake the new, empty division for the old member and count its vote.
   */
  record RemoveStaleEntry(PeerAddress entry) implements JoinStep {}

  /** Register our id through the group, then create our (empty) division for the leader to fill. */
  record CreateDivision() implements JoinStep {}

  /** Ask the leader to add us; it copies its log to us before the new configuration gives us a vote. */
  record AddSelf() implements JoinStep {}

  /** Our id is in use by a live member at another address: two members with one id break Raft's voting. */
  record RefuseDuplicate(PeerAddress other) implements JoinStep {}

  static JoinStep joinStep(JoinFacts f) {
    if (f.entryForUs().isPresent()) {
      PeerAddress entry = f.entryForUs().get();
      boolean atOurAddress = entry.address().equals(f.ourAddress().address());
      if (atOurAddress && f.divisionExists()) {
        return new Joined();
      }
      if (!atOurAddress && f.entryAnswer().map(Answer::hasDivision).orElse(false)) {
        return new RefuseDuplicate(entry);
      }
      // At our address without our division: our server runs no division, so nothing answers for that entry
      // but us, and we are new. At another address with nothing running there: the machine we replace.
      return new RemoveStaleEntry(entry);
    }
    return f.divisionExists() ? new AddSelf() : new CreateDivision();
  }

  static String ids(List<PeerAddress> peers) {
    return peers.stream().map(PeerAddress::toString).collect(Collectors.joining(", "));
  }
}
