package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.Member;
import io.pgquorum.coordinator.cluster.SyncState;
import io.pgquorum.coordinator.config.SyncMode;
import io.pgquorum.coordinator.config.SyncSettings;
import io.pgquorum.coordinator.ha.sync.AckColumn;
import io.pgquorum.coordinator.ha.sync.Standby;
import io.pgquorum.coordinator.ha.sync.StandbyReport;
import io.pgquorum.coordinator.ha.sync.SyncMark;
import io.pgquorum.coordinator.ha.sync.SyncPlan;
import io.pgquorum.coordinator.ha.sync.SyncPool;
import io.pgquorum.coordinator.ha.sync.SyncPromotion;
import io.pgquorum.coordinator.ha.sync.SyncRules;
import io.pgquorum.coordinator.ha.sync.SyncStandbyNames;
import io.pgquorum.coordinator.ha.sync.SyncStep;
import io.pgquorum.coordinator.ha.sync.SyncView;
import io.pgquorum.coordinator.postgres.PgState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Synchronous replication in the HA cycle ({@code synchronous_mode: on} and {@code quorum}), the glue between the
 * {@link Decider} and
 * the pure rules of {@code ha.sync}: what they are given from the snapshot and the probe, and their steps as
 * {@link Action}s. Three places:
 * <ul>
 *   <li>The lock holder running as primary: {@link SyncRules} over its {@code pg_stat_replication} and the
 *       synchronous_standby_names it runs with; its steps in their order (that order keeps the {@code sync} key
 *       truthful: a standby enters it only once confirmed, leaves it before it leaves the setting).</li>
 *   <li>A node racing for the free lock: {@link SyncPromotion} ({@code on}: only a standby the key names, or the
 *       key's leader; {@code quorum}: a node with enough votes from the key's voting set at or below its position,
 *       and no reachable member ahead).</li>
 *   <li>Before a promotion: the key rewritten to name this node with no standby, by compare-and-set; a lost write
 *       postpones the promotion. In quorum mode synchronous_standby_names is first set to {@code ANY n} over the
 *       former voters ({@link SyncPromotion#namesBeforePromotion}).</li>
 * </ul>
 * The policy (which steps, in which order, who may promote) is in the pure rules; this class only translates.
 */
final class SyncDuty {
  private SyncDuty() {}

  /** The primary's part of one cycle: steps, what to say about them, and the mark to remember. */
  record LeaderPart(List<Action> actions, Optional<String> text, Optional<SyncMark> mark) {
    static final LeaderPart NONE = new LeaderPart(List.of(), Optional.empty(), Optional.empty());
  }

  /** Whether synchronous replication is enforced: mode on or quorum, and not in a standby cluster. */
  static boolean enforced(HaPolicy policy) {
    return policy.dynamic().synchronous().mode() != SyncMode.OFF && policy.dynamic().standbyCluster().isEmpty();
  }

  /** The lock holder running as primary. */
  static LeaderPart atLeader(ClusterSnapshot c, PgState pg, HaPolicy policy, Optional<SyncMark> previous) {
    SyncSettings settings = policy.dynamic().synchronous();
    long readRevision = c.sync().map(SyncState::modRevision).orElse(0L);
    if (settings.mode() == SyncMode.OFF) {
      if (c.sync().isEmpty()) {
        return LeaderPart.NONE;
      }
      // The key first, then the setting back to the configured value (the rules' order for off).
      List<Action> off = List.of(new Action.DeleteSync(readRevision),
          new Action.SetSynchronousStandbyNames(SyncStandbyNames.none(), false));
      return new LeaderPart(off, Optional.of(DecisionMessage.SYNC_STEP_OFF.format()), Optional.empty());
    }
    if (!enforced(policy)) {
      return LeaderPart.NONE;
    }
    String me = policy.name();
    SyncStandbyNames names = pg.synchronousStandbyNames().map(SyncStandbyNames::parse)
        .orElseGet(SyncStandbyNames::none);
    SyncMark mark = SyncMark.next(previous, names, pg.walPosition());
    List<StandbyReport> rows = new ArrayList<>();
    List<Standby> standbys = new ArrayList<>();
    // The position PostgreSQL waits for under the primary's synchronous_commit (write, flush or replay).
    AckColumn column = AckColumn.of(pg.synchronousCommit());
    for (PgState.Standby row : pg.replication()) {
      StandbyReport report = new StandbyReport(row.applicationName(), "streaming".equals(row.state()),
          StandbyReport.SyncRole.of(row.syncState()), column.pick(row.writeLsn(), row.flushLsn(), row.replayLsn()));
      rows.add(report);
      // Only running members count (Patroni): a connection whose name is no member's (pg_basebackup, a tool) is
      // never made synchronous.
      Optional<Member> m = memberNamed(c, row.applicationName()).filter(x -> "running".equals(x.state()));
      m.ifPresent(member -> standbys.add(Standby.of(member, report)));
    }
    Set<String> already = Set.copyOf(c.sync().filter(s -> s.isLeader(me)).map(SyncState::syncStandbys)
        .orElse(List.of()));
    List<String> pool = SyncPool.eligible(standbys, me, pg.walPosition(), already, settings);
    SyncView view = new SyncView(me, settings, c.sync(), names, SyncView.confirmed(rows, names, mark.lsn()), pool);
    // PLANTED BUG sync-before-synchronous (fault-injection harness only): the key names the wanted standbys at once,
    // unconfirmed.
    SyncPlan plan = policy.bugs().active(HaBug.SYNC_BEFORE_SYNCHRONOUS) ? SyncRules.planPublishingUnconfirmed(view)
        : SyncRules.plan(view);
    List<Action> actions = new ArrayList<>();
    for (SyncStep step : plan.steps()) {
      if (step instanceof SyncStep.Publish p) {
        actions.add(new Action.PublishSync(p.next(), readRevision));
      } else if (step instanceof SyncStep.SetStandbyNames n) {
        actions.add(new Action.SetSynchronousStandbyNames(n.names(), true));
      } else {
        // The rules delete the key only when the mode is off, handled above.
        throw new IllegalStateException(step.toString());
      }
    }
    Optional<String> text;
    if (plan.steps().isEmpty()) {
      text = plan.noticeText();
    } else {
      // The steps as the rules print them (SyncStep#toString), in their order.
      String steps = plan.steps().toString();
      text = Optional.of(plan.noticeText().map(n -> DecisionMessage.SYNC_STEPS_AND_NOTICE.format(steps, n))
          .orElseGet(() -> DecisionMessage.SYNC_STEPS.format(steps)));
    }
    return new LeaderPart(actions, text, Optional.of(mark));
  }

  /** The leader's decision with its synchronous part: steps after the others, message and mark. */
  static Decision leading(Decision d, LeaderPart part, String me) {
    if (part.text().isEmpty() && part.mark().isEmpty()) {
      return d;
    }
    List<Action> actions = new ArrayList<>(d.actions());
    actions.addAll(part.actions());
    String message = part.text().map(t -> (part.actions().isEmpty() ? DecisionMessage.SYNC_LEADER
        : DecisionMessage.SYNC_LEADER_CHANGING).format(me, t)).orElse(d.message());
    return new Decision(actions, message, d.memory().withSyncMark(part.mark()), d.ifGateFails(), d.logged());
  }

  /**
   * Why this node may not take the free lock in synchronous mode, if it may not: {@link SyncPromotion} with the
   * peers that answered with a position (PostgreSQL running).
   */
  static Optional<String> whyNotPromotable(ClusterSnapshot c, PgState pg, HaPolicy policy,
      Map<String, PeerView> peers) {
    SyncSettings settings = policy.dynamic().synchronous();
    if (!enforced(policy)) {
      return Optional.empty();
    }
    Map<String, Long> reachable = new LinkedHashMap<>();
    for (PeerView p : peers.values()) {
      if (p.reachable() && p.running() && p.walPosition().isPresent() && !p.name().equals(policy.name())) {
        reachable.put(p.name(), p.walPosition().getAsLong());
      }
    }
    SyncPromotion.Verdict v = SyncPromotion.mayPromote(settings, c.sync(), policy.name(), pg.walPosition(),
        reachable);
    return v.reason().map(r -> DecisionMessage.SYNC_NOT_PROMOTABLE.format(settings.mode().word(), r));
  }

  /**
   * The leader's side of a handover in synchronous mode (Patroni's {@code is_failover_possible}): why {@code
   * candidate} could not be promoted once this primary has stopped, by the rule the racers will apply
   * ({@link SyncPromotion#mayPromote}). Stopped, this primary votes no more, and the candidate then has everything
   * the primary wrote (its fast stop streams the rest), so its position is the primary's. {@code on}: only a
   * standby the key lists; {@code quorum}: enough votes from the other voters that answer now (with one voter
   * down and the quorum not yet lowered, a switchover would stop the primary and leave nobody promotable). Empty:
   * no objection, or synchronous mode not enforced.
   */
  static Optional<String> whyNoHandover(ClusterSnapshot c, PgState pg, HaPolicy policy, PeerView candidate,
      Map<String, PeerView> peers) {
    if (!enforced(policy)) {
      return Optional.empty();
    }
    SyncSettings settings = policy.dynamic().synchronous();
    Map<String, Long> others = new LinkedHashMap<>();
    for (PeerView p : peers.values()) {
      if (p.reachable() && p.running() && p.walPosition().isPresent() && !p.name().equals(policy.name())
          && !p.name().equals(candidate.name())) {
        others.put(p.name(), p.walPosition().getAsLong());
      }
    }
    SyncPromotion.Verdict v = SyncPromotion.mayPromote(settings, c.sync(), candidate.name(), pg.walPosition(),
        others);
    return v.reason().map(r -> DecisionMessage.MANUAL_MEMBER_NOT_SYNC_PROMOTABLE.format(candidate.name(),
        settings.mode().word(), r));
  }

  /**
   * Whether {@code member} can never be promoted under the sync key ({@code on} mode: not listed, not its leader), so
   * that being ahead of a candidate does not make it the better one: its extra WAL was never acknowledged (every
   * acknowledged commit is on each standby the key lists). Patroni's healthiest-node test likewise compares only
   * against the members the key allows; without this, an asynchronous replica that received a little more WAL
   * would keep the synchronous standby from taking over, and nobody could.
   */
  static boolean neverPromoted(ClusterSnapshot c, HaPolicy policy, String member) {
    // Quorum mode: any member may win with enough votes (Patroni), so a member ahead always disqualifies, even with
    // a key whose quorum is 0 (ANY k over k voters).
    return enforced(policy) && policy.dynamic().synchronous().mode() == SyncMode.ON
        && c.sync().filter(s -> s.quorum() == 0 && !s.lists(member) && !s.isLeader(member)).isPresent();
  }

  /**
   * The steps between taking the lock and promoting: the key rewritten to name this node with no standby yet (the
   * standbys of the former primary have nothing to do with this one's commits), and in strict mode
   * synchronous_standby_names {@code *} (quorum mode: {@code ANY n} over the former voters, see
   * {@link SyncPromotion#namesBeforePromotion}) so that the first commits already wait for a standby. Nothing when
   * synchronous mode is not enforced, or when this node's own primary retakes the lock with the key its own.
   */
  static List<Action> beforePromotion(ClusterSnapshot c, PgState pg, HaPolicy policy) {
    SyncSettings settings = policy.dynamic().synchronous();
    String me = policy.name();
    if (!enforced(policy) || (pg.isPrimary() && c.sync().map(s -> s.isLeader(me)).orElse(false))) {
      return List.of();
    }
    List<Action> steps = new ArrayList<>();
    // The key first: the claim is the gate (a lost compare-and-set stops the plan before the setting and the
    // promotion), and the claimed key lets only this node be promoted, whatever the setting says.
    steps.add(new Action.ClaimSync(SyncPromotion.claimed(me), c.sync().map(SyncState::modRevision).orElse(0L)));
    SyncPromotion.namesBeforePromotion(settings, c.sync(), me)
        .ifPresent(n -> steps.add(new Action.SetSynchronousStandbyNames(n, true)));
    return steps;
  }

  /**
   * The step before a start as primary (after the bootstrap, after a crash, a restart): in strict mode, or while the
   * key names standbys, the synchronous_standby_names the start writes ({@link SyncRules#namesAtStart}), so that
   * the server never acknowledges a commit the key promises to its standbys alone. Nothing when not enforced.
   */
  static List<Action> beforeStart(Optional<SyncState> sync, HaPolicy policy) {
    if (!enforced(policy)) {
      return List.of();
    }
    return SyncRules.namesAtStart(policy.dynamic().synchronous(), sync, policy.name())
        .<List<Action>>map(n -> List.of(new Action.StartWithStandbyNames(n))).orElse(List.of());
  }

  private static Optional<Member> memberNamed(ClusterSnapshot c, String applicationName) {
    return c.members().values().stream().filter(m -> m.name().equalsIgnoreCase(applicationName)).findFirst();
  }
}
