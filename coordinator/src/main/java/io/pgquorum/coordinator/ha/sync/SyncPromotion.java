package io.pgquorum.coordinator.ha.sync;

import io.pgquorum.coordinator.cluster.SyncState;
import io.pgquorum.coordinator.config.SyncMode;
import io.pgquorum.coordinator.config.SyncSettings;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who may be promoted, given the {@code sync} key (B.5 of the reference). Only the synchronous part of the
 * question: the usual checks (health, lag, timeline, nofailover, priority) still apply on top.
 * <ul>
 *   <li>{@code on}: a standby the key lists, or the key's leader itself (the former primary holds every commit it
 *       acknowledged). With a key that lists none, only the former leader can come back: a cluster stays down
 *       rather than lose acknowledged commits.</li>
 *   <li>{@code quorum}: the former leader; or any node that counts enough votes among the voting set (the voters
 *       and the former leader): a vote is a member of that set that answers with a position at or below the
 *       candidate's, the candidate itself aside. A voter counts itself, a non-voter does not: a voter needs
 *       {@code votes >= quorum}, a non-voter {@code votes >= quorum + 1}. Since at most quorum members of the set
 *       lack any acknowledged commit, seeing quorum + 1 of them at or below its own position proves the candidate
 *       has every one.</li>
 *   <li>A reachable node ahead of the candidate disqualifies it; in {@code on} mode only a standby the key lists
 *       (the former leader's extra WAL, and an asynchronous replica's, were never acknowledged).</li>
 *   <li>No key (synchronous mode requested but not active yet), or mode off: the asynchronous rules alone.</li>
 *   <li>A key with a quorum above 0 is read the quorum way even in {@code on} mode (written before the mode
 *       changed, not yet rewritten by the primary).</li>
 * </ul>
 */
public final class SyncPromotion {
  private SyncPromotion() {}

  /**
   * The answer, with a reason when refused.
   *
   * @param votes in quorum mode, the other voters at or below the candidate's position (0 otherwise)
   * @param needed in quorum mode, how many such votes it needs: the key's quorum, plus one for a candidate that is
   *     not itself a voter (0 otherwise); {@link Refusal#NOT_ENOUGH_VOTES} shows both
   */
  public record Verdict(boolean allowed, Optional<Refusal> refusal, int votes, int needed) {
    static Verdict yes(int votes, int needed) {
      return new Verdict(true, Optional.empty(), votes, needed);
    }

    static Verdict yes() {
      return yes(0, 0);
    }

    static Verdict no(Refusal r) {
      return new Verdict(false, Optional.of(r), 0, 0);
    }

    /** The refusal's text, with the votes filled in where it shows them; empty when allowed. */
    public Optional<String> reason() {
      return refusal.map(r -> String.format(java.util.Locale.ROOT, r.template(), votes, needed));
    }
  }

  /** Why a candidate may not be promoted. */
  public enum Refusal {
    NOT_SYNCHRONOUS("not a synchronous standby in the sync key"),
    NOT_ENOUGH_VOTES("not enough votes from the sync key's voters (%d of %d)"),
    PEER_AHEAD("a reachable member is ahead of it");

    private final String template;

    Refusal(String template) {
      this.template = template;
    }

    public String template() {
      return template;
    }
  }

  /**
   * @param candidate the node that would be promoted
   * @param candidateLsn its WAL position
   * @param reachable the other members that answered, with their positions (PostgreSQL running)
   */
  public static Verdict mayPromote(SyncSettings settings, Optional<SyncState> sync, String candidate,
      long candidateLsn, Map<String, Long> reachable) {
    if (settings.mode() == SyncMode.OFF || sync.isEmpty()) {
      return Verdict.yes();
    }
    SyncState s = sync.get();
    if (s.isLeader(candidate)) {
      return Verdict.yes();
    }
    // A key with a quorum was written by the quorum rules: it is read as such whatever the mode says now (the mode
    // may have changed since, before the primary rewrote the key); its voters are not all known to hold every
    // commit. Found by SyncRulesTest.
    boolean quorum = settings.mode() == SyncMode.QUORUM || s.quorum() > 0;
    for (Map.Entry<String, Long> e : reachable.entrySet()) {
      // In on mode only the key's standbys count as ahead: every acknowledged commit is on each of them, so what a
      // member the key does not list (or its former leader) has beyond them was never acknowledged; counting it
      // would let an asynchronous replica that received a little more WAL block every candidate.
      boolean ignoredInOnMode = !quorum && !s.lists(e.getKey());
      if (!e.getKey().equalsIgnoreCase(candidate) && e.getValue() > candidateLsn && !ignoredInOnMode) {
        return Verdict.no(Refusal.PEER_AHEAD);
      }
    }
    if (!quorum) {
      return s.lists(candidate) ? Verdict.yes() : Verdict.no(Refusal.NOT_SYNCHRONOUS);
    }
    Set<String> votingSet = new LinkedHashSet<>();
    s.leader().ifPresent(l -> votingSet.add(l.toLowerCase(java.util.Locale.ROOT)));
    s.syncStandbys().forEach(x -> votingSet.add(x.toLowerCase(java.util.Locale.ROOT)));
    // A non-voter needs one vote more (see the class comment: it does not count itself).
    int needed = s.quorum() + (s.lists(candidate) ? 0 : 1);
    int votes = 0;
    for (Map.Entry<String, Long> e : reachable.entrySet()) {
      String name = e.getKey().toLowerCase(java.util.Locale.ROOT);
      if (!name.equalsIgnoreCase(candidate) && votingSet.contains(name) && e.getValue() <= candidateLsn) {
        votes++;
      }
    }
    return votes >= needed ? Verdict.yes(votes, needed)
        : new Verdict(false, Optional.of(Refusal.NOT_ENOUGH_VOTES), votes, needed);
  }

  /**
   * The key a winner writes (compare-and-set) between taking the lock and promoting: itself as leader, no standby,
   * quorum 0, in both modes. Read with {@link #mayPromote}, that key lets only the winner be promoted (in quorum
   * mode its voting set is the winner alone, and a non-voter needs the winner's vote, that is, the winner reachable
   * at or below the non-voter's position: it then has every commit the winner has). It is truthful at once: the
   * winner holds everything it will have acknowledged. The new primary's own cycles then add voters the usual
   * way ({@link QuorumRules}: quorum raised with each newcomer first, lowered only on evidence).
   */
  public static SyncState claimed(String winner) {
    return new SyncState(java.util.Optional.of(winner), List.of(), 0, 0);
  }

  /**
   * synchronous_standby_names set before the promotion, so that the first commits of the new primary already wait
   * (Patroni 4's {@code process_sync_replication_prepromote}):
   * <ul>
   *   <li>{@code on}: nothing (the setting a standby runs with is dropped), strict: {@code *}.</li>
   *   <li>{@code quorum}: {@code ANY n (old voters - winner)} with {@code n = |voters| - quorum - 1}, plus one when
   *       the winner was not a voter (it took no voter's place); strict: at least 1, and {@code *} with no other
   *       voter; n of 0 or less (non-strict): nothing.</li>
   * </ul>
   * Only durability while the new primary's cycles adapt the setting: the claimed key (above) already names no
   * standby, so this choice can never make a node promotable that lacks an acknowledged commit.
   */
  public static java.util.Optional<SyncStandbyNames> namesBeforePromotion(SyncSettings settings,
      java.util.Optional<SyncState> sync, String winner) {
    boolean quorumKey = sync.map(s -> settings.mode() == SyncMode.QUORUM || s.quorum() > 0).orElse(false);
    if (!quorumKey) {
      return settings.strict() ? java.util.Optional.of(SyncStandbyNames.anyStandby()) : java.util.Optional.empty();
    }
    SyncState s = sync.get();
    List<String> others = SyncRules.sorted(s.syncStandbys().stream().filter(x -> !x.equalsIgnoreCase(winner))
        .toList());
    int numsync = s.syncStandbys().size() - s.quorum() - 1 + (s.lists(winner) ? 0 : 1);
    if (settings.strict()) {
      return java.util.Optional.of(others.isEmpty() ? SyncStandbyNames.anyStandby()
          : SyncStandbyNames.any(Math.min(Math.max(1, numsync), others.size()), others));
    }
    return numsync <= 0 || others.isEmpty() ? java.util.Optional.empty()
        : java.util.Optional.of(SyncStandbyNames.any(Math.min(numsync, others.size()), others));
  }
}
