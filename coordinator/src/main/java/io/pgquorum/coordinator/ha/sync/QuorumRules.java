package io.pgquorum.coordinator.ha.sync;

import io.pgquorum.coordinator.cluster.SyncState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Quorum commit ({@code synchronous_mode: quorum}): synchronous_standby_names {@code ANY k (S)}, and the
 * {@code sync} key's voters V with a quorum q. A candidate must see q votes among V and the former leader
 * ({@link SyncPromotion}), so the key is truthful when, for every acknowledged commit, at most q members of V lack
 * it. Each step keeps that, whatever it changed:
 * <ol>
 *   <li>Voters leaving: removed from V, q unchanged (fewer members can only lack fewer commits).</li>
 *   <li>Voters joining: added to V with q raised by one each (a newcomer may lack everything). Increases first.</li>
 *   <li>The setting: {@code ANY k (A)}, A the eligible standbys (= V now), with k at least |A| - q (so that
 *       commits from now on are on enough voters) and at least synchronous_node_count.</li>
 *   <li>Only in a cycle that did not change the setting: q lowered to what the evidence allows: commits from now on
 *       lack on at most |V| - k voters; older ones (up to the flush position memorised when the setting changed) on
 *       at most |V| - confirmed. Decreases last, on evidence only.</li>
 *   <li>k above synchronous_node_count (raised by step 3): q raised to |A| - k first, then k lowered.</li>
 * </ol>
 * The steady state is Patroni's: S = V = A, k = min(synchronous_node_count, |A|), q = |A| - k. Strict mode with
 * no eligible standby: {@code *}, no voters.
 */
final class QuorumRules {
  private QuorumRules() {}

  static SyncPlan plan(SyncView v) {
    return plan(v, SyncRules.Planted.NONE);
  }

  static SyncPlan plan(SyncView v, SyncRules.Planted bug) {
    int count = v.settings().nodeCount();
    List<String> active = SyncRules.sorted(v.pool());
    Optional<SyncState> mine = v.sync().filter(s -> s.isLeader(v.leader()));
    List<String> voters = mine.map(SyncState::syncStandbys).orElse(List.of());
    int quorum = mine.map(SyncState::quorum).orElse(0);
    SyncStandbyNames now = v.standbyNames();
    List<SyncStep> steps = new ArrayList<>();

    // 1 and 2, merged into one write (each intermediate state is safe, so the last one alone is too).
    List<String> kept = voters.stream().filter(x -> SyncPool.contains(Set.copyOf(active), x)).toList();
    List<String> joining = active.stream().filter(x -> !SyncPool.contains(Set.copyOf(kept), x)).toList();
    List<String> v2 = SyncRules.sorted(concat(kept, joining));
    int q2 = quorum + joining.size();
    if (mine.isEmpty() || !v2.equals(SyncRules.sorted(voters)) || q2 != quorum) {
      steps.add(publish(v.leader(), v2, q2));
    }

    // 3: the setting.
    int target = Math.min(count, active.size());
    SyncStandbyNames names;
    if (active.isEmpty()) {
      names = v.settings().strict() ? SyncStandbyNames.anyStandby() : SyncStandbyNames.none();
    } else {
      int k = Math.max(now.kind() == SyncStandbyNames.Kind.ANY && now.names().equals(active)
          ? Math.max(target, now.count()) : target, active.size() - q2);
      names = SyncStandbyNames.any(Math.max(1, Math.min(k, active.size())), active);
    }
    if (!names.equals(now)) {
      steps.add(new SyncStep.SetStandbyNames(names));
      return notice(SyncPlan.of(steps), v, active.size(), count);
    }

    // 4: lower q on evidence. 5: lower k, raising q first.
    int k = names.count();
    if (!active.isEmpty() && k > target) {
      int q = Math.max(q2, active.size() - target);
      if (q != q2) {
        steps.add(publish(v.leader(), v2, q));
      }
      steps.add(new SyncStep.SetStandbyNames(SyncStandbyNames.any(target, active)));
      return notice(SyncPlan.of(steps), v, active.size(), count);
    }
    int confirmed = (int) v2.stream().filter(x -> SyncPool.contains(v.confirmed(), x)).count();
    int future = names.kind() == SyncStandbyNames.Kind.ANY ? v2.size() - k : v2.size();
    int lowest = bug == SyncRules.Planted.LOWER_QUORUM_UNCONFIRMED ? Math.max(0, future)
        : Math.max(Math.max(0, future), Math.min(q2, v2.size() - confirmed));
    if (lowest < q2) {
      steps.add(publish(v.leader(), v2, lowest));
    }
    return notice(SyncPlan.of(steps), v, active.size(), count);
  }

  private static SyncPlan notice(SyncPlan plan, SyncView v, int eligible, int count) {
    if (eligible == 0) {
      return plan.with(v.settings().strict() ? SyncNotice.STRICT_NO_CANDIDATE : SyncNotice.ASYNCHRONOUS_FALLBACK);
    }
    return eligible < count ? plan.with(SyncNotice.FEWER_THAN_REQUESTED, eligible, count) : plan;
  }

  private static SyncStep publish(String leader, List<String> voters, int quorum) {
    return new SyncStep.Publish(new SyncState(Optional.of(leader), voters, quorum, 0));
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
