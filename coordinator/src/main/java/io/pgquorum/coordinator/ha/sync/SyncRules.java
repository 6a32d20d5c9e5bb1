package io.pgquorum.coordinator.ha.sync;

import io.pgquorum.coordinator.cluster.SyncState;
import io.pgquorum.coordinator.config.SyncMode;
import io.pgquorum.coordinator.config.SyncSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the primary does about synchronous replication in one cycle: a pure function of a {@link SyncView} to an
 * ordered {@link SyncPlan}. The ordering invariants (B.4 of the reference) are what keep the {@code sync} key
 * truthful, that is, every standby it names holds every acknowledged commit, so promoting any of them loses none:
 * <ul>
 *   <li><b>Adding</b> a standby: synchronous_standby_names first; the key names it only in a later cycle, once
 *       PostgreSQL reports it synchronous and it has caught up to the flush position of the moment the setting
 *       changed (confirmed). Named earlier, it could be promoted without commits acknowledged before it
 *       became synchronous.</li>
 *   <li><b>Removing</b> a standby: the key first, then synchronous_standby_names. The other way round, commits stop
 *       waiting for it (PostgreSQL releases them at once) while the key still names it as promotable.</li>
 *   <li>Strict mode with no eligible standby: {@code *} (commits wait for any standby), the key names none.</li>
 *   <li>Mode off: the key is deleted first, then the setting cleared (a stale key is never left to look valid if
 *       the mode comes back).</li>
 * </ul>
 * {@code on} mode writes {@code FIRST n (all n names)}; quorum mode is {@link QuorumRules}.
 */
public final class SyncRules {
  /** Test-only planted bugs (the property test shows its check catches each). */
  enum Planted {
    NONE,
    /** Publishes a standby in the key before it is confirmed (in the same cycle as the setting changes). */
    PUBLISH_UNCONFIRMED,
    /** Shrinks synchronous_standby_names before removing the standby from the key. */
    SHRINK_NAMES_FIRST,
    /** Quorum mode: lowers the quorum to the steady value without waiting for the voters to be confirmed. */
    LOWER_QUORUM_UNCONFIRMED
  }

  private SyncRules() {}

  public static SyncPlan plan(SyncView v) {
    return plan(v, Planted.NONE);
  }

  /**
   * The plan with the planted bug {@code sync-before-synchronous} (HaBug; fault-injection harness only): on mode
   * publishes the wanted standbys in the cycle that puts them into the setting, unconfirmed.
   */
  public static SyncPlan planPublishingUnconfirmed(SyncView v) {
    return plan(v, Planted.PUBLISH_UNCONFIRMED);
  }

  static SyncPlan plan(SyncView v, Planted bug) {
    SyncMode mode = v.settings().mode();
    if (mode == SyncMode.OFF) {
      return off(v);
    }
    return strictNamesFirst(v, mode == SyncMode.QUORUM ? QuorumRules.plan(v, bug) : on(v, bug));
  }

  /**
   * Strict mode on a primary that runs with no synchronous_standby_names (a new cluster's first cycle, or data the
   * setting was never written to): until the setting exists the primary acknowledges every commit alone, which
   * strict mode promises never happens, so the setting goes first. Safe before any key write: a setting that asks
   * for standbys where there was none only makes commits wait for more, so every node the key (old or new) lets be
   * promoted holds at least what it held before. Before, the key's write came first, and a lost reply to it ended
   * the cycle's plan before the setting: the primary went on acknowledging alone for another cycle (the simulator,
   * seeds 13344716496695 and 13344716497043; interaction/regression_strict_acknowledged_before_first_sync_step.txt).
   */
  private static SyncPlan strictNamesFirst(SyncView v, SyncPlan plan) {
    if (!v.settings().strict() || v.standbyNames().kind() != SyncStandbyNames.Kind.NONE) {
      return plan;
    }
    List<SyncStep> steps = new ArrayList<>();
    plan.steps().stream().filter(st -> st instanceof SyncStep.SetStandbyNames n
        && n.names().kind() != SyncStandbyNames.Kind.NONE).findFirst().ifPresent(steps::add);
    plan.steps().stream().filter(st -> !steps.contains(st)).forEach(steps::add);
    return new SyncPlan(steps, plan.notice(), plan.noticeText());
  }

  private static SyncPlan off(SyncView v) {
    List<SyncStep> steps = new ArrayList<>();
    if (v.sync().isPresent()) {
      steps.add(new SyncStep.Delete());
    }
    if (v.standbyNames().kind() != SyncStandbyNames.Kind.NONE) {
      steps.add(new SyncStep.SetStandbyNames(SyncStandbyNames.none()));
    }
    return SyncPlan.of(steps);
  }

  private static SyncPlan on(SyncView v, Planted bug) {
    int count = v.settings().nodeCount();
    List<String> desired = v.pool().subList(0, Math.min(count, v.pool().size()));
    Optional<SyncState> mine = v.sync().filter(s -> s.isLeader(v.leader()));
    List<String> listed = mine.map(SyncState::syncStandbys).orElse(List.of());
    // Kept: named now, still wanted, and waited on by every commit since it was named (the names PostgreSQL runs
    // with take all of them). Added: confirmed, which implies listed in the names PostgreSQL runs with now.
    Set<String> next = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    for (String s : listed) {
      if (SyncPool.contains(Set.copyOf(desired), s) && v.standbyNames().waitsOn(s)) {
        next.add(s);
      }
    }
    for (String s : desired) {
      if (SyncPool.contains(v.confirmed(), s) && v.standbyNames().waitsOn(s)) {
        next.add(s);
      }
    }
    List<String> interim = sorted(listed.stream().filter(next::contains).toList());
    List<String> finalList = sorted(List.copyOf(next));
    SyncStandbyNames names = desired.isEmpty()
        ? (v.settings().strict() ? SyncStandbyNames.anyStandby() : SyncStandbyNames.none())
        : SyncStandbyNames.all(desired);

    List<SyncStep> steps = new ArrayList<>();
    boolean rewrite = mine.isEmpty() || mine.get().quorum() != 0;
    SyncStep shrink = new SyncStep.Publish(state(v.leader(), interim));
    SyncStep setNames = new SyncStep.SetStandbyNames(names);
    boolean shrinks = rewrite || !interim.equals(sorted(listed));
    boolean renames = !names.equals(v.standbyNames());
    if (bug == Planted.SHRINK_NAMES_FIRST) {
      if (renames) {
        steps.add(setNames);
      }
      if (shrinks) {
        steps.add(shrink);
      }
    } else {
      if (shrinks) {
        steps.add(shrink);
      }
      if (renames) {
        steps.add(setNames);
      }
    }
    List<String> published = bug == Planted.PUBLISH_UNCONFIRMED ? sorted(desired) : finalList;
    if (!published.equals(interim)) {
      steps.add(new SyncStep.Publish(state(v.leader(), published)));
    }
    SyncPlan plan = SyncPlan.of(steps);
    if (desired.isEmpty()) {
      return plan.with(v.settings().strict() ? SyncNotice.STRICT_NO_CANDIDATE : SyncNotice.ASYNCHRONOUS_FALLBACK);
    }
    if (desired.size() < count) {
      return plan.with(SyncNotice.FEWER_THAN_REQUESTED, desired.size(), count);
    }
    return plan;
  }

  /**
   * The synchronous_standby_names a primary is started with in strict mode (a start after the bootstrap, after a
   * crash, or a restart as primary), before its first cycle can write the setting: without it, PostgreSQL would
   * start with none and acknowledge commits alone until that cycle, which strict mode promises never happens.
   * <ul>
   *   <li>The {@code sync} key is this node's and names standbys: those, as the rules wrote them ({@code on}:
   *       all of them, {@code FIRST n}; quorum: {@code ANY (|V| - quorum)} over the voters V, so that at most
   *       quorum voters lack a commit, as the key says). The key stays truthful: every commit waits for them.</li>
   *   <li>Otherwise {@code *} in strict mode: commits wait for any standby (Patroni's strict value with no
   *       standby known); in non-strict mode nothing (the key already says the primary runs asynchronously).</li>
   *   <li>Mode off: nothing.</li>
   * </ul>
   * Why non-strict mode too, when the key names standbys: the key promises that they hold every acknowledged
   * commit, and a primary started with no setting would acknowledge commits alone until a cycle that can write the
   * key runs (one cut off from the DCS never does), while a named standby may be promoted without them (the
   * simulator's seed 1272000649705: a primary restarted after a crash and cut off again lost writes in quorum
   * mode). Non-strict mode may run asynchronously only once the key says so, as the rules' order does.
   * The first cycle after the start then moves the setting the usual way ({@link #plan}).
   */
  public static Optional<SyncStandbyNames> namesAtStart(SyncSettings settings, Optional<SyncState> sync, String me) {
    if (settings.mode() == SyncMode.OFF) {
      return Optional.empty();
    }
    Optional<SyncState> mine = sync.filter(s -> s.isLeader(me) && !s.syncStandbys().isEmpty());
    if (mine.isEmpty()) {
      return settings.strict() ? Optional.of(SyncStandbyNames.anyStandby()) : Optional.empty();
    }
    SyncState s = mine.get();
    List<String> voters = sorted(s.syncStandbys());
    if (settings.mode() == SyncMode.QUORUM || s.quorum() > 0) {
      return Optional.of(SyncStandbyNames.any(Math.max(1, voters.size() - s.quorum()), voters));
    }
    return Optional.of(SyncStandbyNames.all(voters));
  }

  static SyncState state(String leader, List<String> standbys) {
    return new SyncState(Optional.of(leader), sorted(standbys), 0, 0);
  }

  static List<String> sorted(List<String> names) {
    return names.stream().sorted(String.CASE_INSENSITIVE_ORDER.thenComparing(java.util.Comparator.naturalOrder()))
        .toList();
  }
}
