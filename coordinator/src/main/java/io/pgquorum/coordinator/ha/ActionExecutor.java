package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.ClusterStore;
import io.pgquorum.coordinator.cluster.HistoryEntry;
import io.pgquorum.coordinator.cluster.LeaderLock;
import io.pgquorum.coordinator.cluster.LeaseGrant;
import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.coordinator.config.PermanentSlots;
import io.pgquorum.coordinator.config.TimeUnits;
import io.pgquorum.coordinator.metrics.NodeMetrics;
import io.pgquorum.coordinator.postgres.PgState;
import io.pgquorum.coordinator.postgres.Postgres;
import io.pgquorum.coordinator.postgres.PostgresException;
import io.pgquorum.coordinator.postgres.StopMode;
import io.pgquorum.coordinator.postgres.TimelineEpochLine;
import io.pgquorum.coordinator.postgres.TimelineSwitch;
import io.pgquorum.coordinator.postgres.Upstream;
import io.pgquorum.dcs.api.DcsException;
import io.pgquorum.dcs.planted.PlantedBugs;
import java.time.Clock;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Performs a {@link Decision}'s actions, in list order (the decider's order is the documented order: gates
 * first, then what depends on them).
 *
 * <p>A plain interpreter: every choice (the lease terms, the fencing token, what a rejoin does about a diverged
 * timeline, whether status needs writing, whether the lock may be held at all) is in the actions, made by the pure
 * {@link Decider}. What is left here is what only performing can find out: whether a write or a compare-and-set
 * succeeded, whether the timeline diverged, what the stopped server's last position is, what the history file
 * holds.
 *
 * <p>Rules:
 * <ul>
 *   <li>A gate that fails (lost race, lost lock) ends the plan; the loop re-runs a cycle at once.
 *   <li>Any exception ends the plan; the loop's catch-all logs it and the next cycle decides again from fresh
 *       state. Nothing is retried blindly here.
 *   <li>The lease deadline is only moved by a successful acquire/refresh/re-arm, measured from before the send,
 *       and derived from the ttl the DCS confirmed it stores ({@link LeaseTerms}); it is lowered before a re-arm
 *       that may shorten the lease.
 *   <li>PostgreSQL is never started or promoted as primary unless the lease is valid at that moment.
 *   <li>The watchdog is disarmed only after PostgreSQL was stopped with no lease held
 *       ({@link HeldLease#postgresStopped()}): after a stop a step of the plan made, or at the decider's
 *       {@link Action.DisarmWatchdog}.
 * </ul>
 */
public final class ActionExecutor {
  private static final Logger log = LoggerFactory.getLogger(ActionExecutor.class);

  /** Planted bugs (test harness only) the executor's pure helpers honour; none unless set. */
  private PlantedBugs bugs = PlantedBugs.NONE;
  /** Lease refresh latencies and outcomes go here (recording only: no step depends on it). */
  private volatile NodeMetrics metrics = NodeMetrics.withoutRaft();
  /** Performs {@link Action.HandOffDcsLeadership} ({@link #useDcsHandOff}); does nothing until set. */
  private volatile java.util.function.Consumer<String> dcsHandOff = target -> { };

  private final String name;
  private final ClusterStore store;
  private final Postgres postgres;
  private final HeldLease lease;
  private final TaskRunner tasks;
  private final LongSupplier nanoClock;
  /** Wall time, only for the time written into history rows; injected so simulated runs are reproducible. */
  private final Clock wallClock;
  private final Runnable wakeLoop;
  private final OperatorRequests requests;
  /** pgBackRest's stanza work ({@link Action.CreateStanza}); off unless the node has a backrest section. */
  private volatile StanzaJob backrest = StanzaJob.off();
  /** pgBackRest's backups ({@link Action.StartBackup}, {@link Action.AfterPromotion}); off likewise. */
  private volatile BackupJob backups = BackupJob.off();
  /** The timeline whose unreadable history file was last reported (log de-duplication only). */
  private int historyUnreadableWarned = -1;
  /**
   * The leader key as the DCS last confirmed it to this holder (acquire, refresh, re-arm; empty once lost or
   * released): a {@link Action.ReleaseLock} deletes exactly that write without reading the key first (see
   * {@link ClusterStore#releaseLeader(Optional)}). Only the loop's thread touches it.
   */
  private Optional<LeaseGrant> confirmed = Optional.empty();

  /** @param config this node's configuration: only its name is used (it names this node in {@code history}) */
  public ActionExecutor(NodeConfig config, ClusterStore store, Postgres postgres, HeldLease lease,
      TaskRunner tasks, LongSupplier nanoClock, Runnable wakeLoop) {
    this(config, store, postgres, lease, tasks, nanoClock, Clock.systemUTC(), wakeLoop);
  }

  /** As above, with the wall clock injected (the deterministic simulator's virtual time). */
  public ActionExecutor(NodeConfig config, ClusterStore store, Postgres postgres, HeldLease lease,
      TaskRunner tasks, LongSupplier nanoClock, Clock wallClock, Runnable wakeLoop) {
    this(config, store, postgres, lease, tasks, nanoClock, wallClock, wakeLoop, new OperatorRequests(() -> { }));
  }

  /** As above, answering operators' requests through {@code requests}. */
  public ActionExecutor(NodeConfig config, ClusterStore store, Postgres postgres, HeldLease lease,
      TaskRunner tasks, LongSupplier nanoClock, Clock wallClock, Runnable wakeLoop, OperatorRequests requests) {
    this.requests = requests;
    this.wallClock = wallClock;
    this.name = config.name();
    this.store = store;
    this.postgres = postgres;
    this.lease = lease;
    this.tasks = tasks;
    this.nanoClock = nanoClock;
    this.wakeLoop = wakeLoop;
    this.failsafe = new FailsafePromises(lease, nanoClock, Long.MIN_VALUE / 4);
  }

  /** Failsafe mode: the promises this node gave (the race gate) and how it asks its peers ({@link #useFailsafe}). */
  private volatile FailsafePromises failsafe;
  private volatile FailsafeAsker asker = FailsafeAsker.NONE;

  /** Uses {@code promises} as the race gate and {@code ask} for {@link Action.FailsafeRound}. */
  void useFailsafe(FailsafePromises promises, FailsafeAsker ask) {
    this.failsafe = promises;
    this.asker = ask;
  }

  /** Where lease refreshes are counted from now on (the HA loop's {@link HaLoop#useMetrics}). */
  void useMetrics(NodeMetrics m) {
    metrics = m;
  }

  /** The planted bugs (test harness only) the HA loop runs with, for the pure helpers this executor calls. */
  void plantedBugs(PlantedBugs planted) {
    this.bugs = planted;
  }

  /** Runs {@link Action.CreateStanza} steps with {@code job} (the node's backrest section). */
  void useBackrest(StanzaJob job) {
    backrest = job;
  }

  /** Runs the backup steps with {@code job}. */
  void useBackups(BackupJob job) {
    backups = job;
  }

  /**
   * What executing a plan found out.
   *
   * @param gateFailed a gate ended the plan (the loop then reports {@link Decision#ifGateFails} if there is one)
   * @param dcsUnanswered a refresh or re-arm of the lock got no answer from the DCS (its outcome is unknown): the
   *     DCS is not accessible this cycle, whatever the snapshot read before said
   */
  public record Outcome(boolean recheckNow, Optional<String> fatal, boolean gateFailed, boolean dcsUnanswered) {
    static final Outcome DONE = new Outcome(false, Optional.empty(), false);

    /** An outcome in which every DCS call answered. */
    public Outcome(boolean recheckNow, Optional<String> fatal, boolean gateFailed) {
      this(recheckNow, fatal, gateFailed, false);
    }
  }

  /** What one plan's run has learned so far: facts of the execution, not choices. */
  private static final class Run {
    /** The token an {@link Action.AcquireLock} of this plan obtained. */
    OptionalLong acquired = OptionalLong.empty();
    /** A step of this plan stopped PostgreSQL. */
    boolean stopped;
    /** A {@link Action.PrePromote} step asked the promotion that follows to run pre_promote first. */
    boolean prePromote;
    /** The revision the last sync key write of this plan got (the next one's compare-and-set is on it). */
    OptionalLong syncRevision = OptionalLong.empty();
    /** A sync key compare-and-set of this plan failed: its later sync steps are skipped. */
    boolean syncLost;
    /** Run once before the plan's first stop of PostgreSQL, then replaced by a no-op. */
    Runnable beforeStop = () -> { };

    void beforeStop() {
      Runnable r = beforeStop;
      beforeStop = () -> { };
      r.run();
    }
  }

  /**
   * Performs {@code decision}'s actions in order. A failed {@link Action.Gate} ends the plan; {@link Action.Fatal}
   * ends it and the loop; {@link Action.TaskAction}s start in the background.
   *
   * @param cluster the snapshot the decision was made from (compare-and-set steps write against it)
   */
  public Outcome execute(Decision decision, Optional<ClusterSnapshot> cluster) {
    return execute(decision, cluster, () -> { });
  }

  /**
   * As {@link #execute(Decision, Optional)}, running {@code beforeStop} once, right before the plan's first step
   * that stops PostgreSQL (the HA loop's: health checks stop naming this node primary then, see
   * {@code HaLoop#withdrawBeforeStop}).
   */
  public Outcome execute(Decision decision, Optional<ClusterSnapshot> cluster, Runnable beforeStop) {
    Run run = new Run();
    run.beforeStop = beforeStop;
    for (Action action : decision.actions()) {
      if (action instanceof Action.Gate gate) {
        Optional<Outcome> failed = pass(gate, run, cluster);
        if (failed.isPresent()) {
          return failed.get();
        }
      } else if (action instanceof Action.TaskAction task) {
        startTask(task.task(), body(task, run, cluster));
      } else if (action instanceof Action.Fatal f) {
        return new Outcome(false, Optional.of(f.reason()), false);
      } else {
        perform(action, run, cluster);
      }
    }
    return Outcome.DONE;
  }

  /** Runs a gate; empty when it passed, else how the plan ends (re-decide at once after a lost lock or race). */
  private Optional<Outcome> pass(Action.Gate gate, Run run, Optional<ClusterSnapshot> cluster) {
    Outcome endNoRecheck = new Outcome(false, Optional.empty(), true);
    Outcome endRecheck = new Outcome(true, Optional.empty(), true);
    Outcome endUnanswered = new Outcome(false, Optional.empty(), true, true);
    if (gate instanceof Action.RaceInitialize) {
      if (!store.raceInitialize()) {
        log.info("failed to acquire initialize lock");
        return Optional.of(endNoRecheck);
      }
    } else if (gate instanceof Action.AcquireLock acquire) {
      // The race and a failsafe promise exclude each other (FailsafePromises): a promise that arrived after this
      // cycle's sample holds the acquire back, and no promise is given while it runs.
      if (!failsafe.beginRace()) {
        log.info("not acquiring the leader lock: this node promised a primary on failsafe not to race");
        return Optional.of(endNoRecheck);
      }
      try {
        long sent = nanoClock.getAsLong();
        Optional<LeaderLock> got = store.acquireLeader(acquire.ttl());
        if (got.isEmpty()) {
          log.info("failed to acquire the leader lock: another member took it first");
          return Optional.of(endRecheck);
        }
        lease.extend(got.get().fencingToken(), sent, acquire.terms().validForNanos(got.get().ttl()));
        confirmed = Optional.of(new LeaseGrant(got.get().fencingToken(), got.get().modRevision(), got.get().name(),
            got.get().ttl()));
        run.acquired = OptionalLong.of(got.get().fencingToken());
        log.info("acquired the leader lock with fencing token {}", run.acquired.getAsLong());
      } finally {
        failsafe.endRace();
      }
    } else if (gate instanceof Action.RefreshLock r) {
      Renewal renewal = renew(r.fencingToken(), r.terms());
      if (!(renewal instanceof Renewal.Confirmed)) {
        // Lost: re-decide at once. Unknown: the deadline stays where the last confirmed write put it.
        return Optional.of(renewal instanceof Renewal.Lost ? endRecheck : endUnanswered);
      }
    } else if (gate instanceof Action.RearmLock ra) {
      Renewal renewal = renew(ra.fencingToken(), ra.terms());
      if (!(renewal instanceof Renewal.Confirmed confirmed)) {
        return Optional.of(renewal instanceof Renewal.Lost ? endRecheck : endUnanswered);
      }
      if (!rearm(confirmed.grant(), ra.ttl(), ra.terms())) {
        return Optional.of(endRecheck);
      }
    } else if (gate instanceof Action.RecordHistory rh) {
      if (!recordHistory(rh.timeline(), cluster)) {
        return Optional.of(endNoRecheck);
      }
    } else if (gate instanceof Action.CancelTask ct) {
      if (!tasks.cancel(java.time.Duration.ofSeconds(ct.waitSeconds()))) {
        requests.answer(ct.requestId(), new OperatorRequests.Reply(ct.status(), ct.text()));
        return Optional.of(endNoRecheck);
      }
    } else if (gate instanceof Action.ClaimSync cs) {
      Optional<io.pgquorum.coordinator.cluster.SyncState> written = store.writeSync(cs.next(), cs.readRevision());
      if (written.isEmpty()) {
        log.info("Postponing promotion because synchronous replication state was updated by somebody else");
        return Optional.of(endNoRecheck);
      }
      run.syncRevision = OptionalLong.of(written.get().modRevision());
    } else if (gate instanceof Action.LeaseBlocked blocked) {
      log.warn(blocked.warning());
      return Optional.of(endNoRecheck);
    } else {
      throw new IllegalStateException("no executor for " + gate);
    }
    return Optional.empty();
  }

  /** A sync key compare-and-set failed: the plan's later sync steps are skipped (their order is the invariant). */
  private static void syncKeyLost(Run run) {
    run.syncLost = true;
    log.info("Synchronous replication key updated by someone else");
  }

  /** The background body of a task step. */
  private TaskRunner.Body body(Action.TaskAction task, Run run, Optional<ClusterSnapshot> cluster) {
    if (task instanceof Action.Bootstrap b) {
      return bootstrap(b.seedConfig(), Optional.empty());
    }
    if (task instanceof Action.BootstrapFromBackup b) {
      return bootstrap(b.seedConfig(), Optional.of(b.target()));
    }
    if (task instanceof Action.CloneReplica c) {
      TimelineEpochLine epochs = TimelineEpochs.ofSource(cluster, c.from());
      return () -> {
        postgres.cloneReplica(c.from());
        // After the copy (it needs the copy's system identifier), before the start: the first probe of the new
        // replica already knows its fork.
        postgres.recordEpochLine(epochs);
        postgres.createSlotOn(c.follow());
        postgres.startReplica(c.follow());
      };
    }
    if (task instanceof Action.CloneAgain ca) {
      TimelineEpochLine epochs = TimelineEpochs.ofSource(cluster, ca.from());
      return () -> {
        postgres.cloneAgainWithout(ca.from(), ca.skip(), "copy refused");
        postgres.recordEpochLine(epochs);
        postgres.createSlotOn(ca.follow());
        postgres.startReplica(ca.follow());
      };
    }
    if (task instanceof Action.Rejoin rj) {
      return rejoin(rj.upstream(), rj.onDivergence(),
          rj.upstream().map(up -> TimelineEpochs.ofSource(cluster, up)).orElse(TimelineEpochLine.NONE));
    }
    if (task instanceof Action.StartPrimary sp) {
      long t = token(sp.token(), run, "start as primary");
      return () -> {
        // Checked here, right before the start, not when the plan was made: the task may begin later.
        requireValidLease("start PostgreSQL as primary");
        postgres.startPrimary(t);
      };
    }
    if (task instanceof Action.Promote p) {
      long t = token(p.token(), run, "promote");
      boolean prePromote = run.prePromote;
      run.prePromote = false;
      return () -> {
        // pre_promote runs here, in the task, not in the loop: the loop keeps refreshing the lock meanwhile (a
        // holder's cycle while a task runs), so a slow script does not cost the lease. However long it takes, the
        // lease is checked only after it ended, right before the promote request (here, and again by the PrimaryGate
        // the promotion goes through): a lease lost or run out while the script ran refuses the promotion.
        if (prePromote && !postgres.prePromote()) {
          throw new PostgresException(Action.PrePromote.REFUSED);
        }
        requireValidLease("promote PostgreSQL");
        postgres.promote(t);
        log.info("PostgreSQL is primary with fencing token {}", t);
      };
    }
    if (task instanceof Action.RestartPostgres rs) {
      return restart(rs);
    }
    if (task instanceof Action.CopyLogicalSlots cp) {
      return () -> {
        postgres.copyLogicalSlots(cp.from(), cp.slots());
        // Said at warn level: a restart nobody asked for must be easy to find in the log.
        log.warn("restarting PostgreSQL to load the logical slots {} copied from {} (PostgreSQL 15 loads slots"
            + " only at its start)", cp.slots().stream().map(PermanentSlots.Slot::name).toList(), cp.from().name());
        postgres.stop(StopMode.FAST);
        postgres.startReplica(cp.follow());
      };
    }
    if (task instanceof Action.Reinitialize ri) {
      TimelineEpochLine epochs = TimelineEpochs.ofSource(cluster, ri.from());
      return () -> {
        // An immediate stop: the copy is being thrown away (moved aside), nothing of it needs a checkpoint.
        postgres.stop(StopMode.IMMEDIATE);
        postgres.recloneReplica(ri.from(), ri.basebackupOnly(), "reinitialize requested");
        postgres.recordEpochLine(epochs);
        postgres.startReplica(ri.from());
      };
    }
    throw new IllegalStateException("no executor for " + task);
  }

  /** The restart task's body; its outcome answers the request that asked for it (if one waits). */
  private TaskRunner.Body restart(Action.RestartPostgres rs) {
    OptionalLong token = rs.token().map(t -> OptionalLong.of(((FencingToken.Held) t).token()))
        .orElse(OptionalLong.empty());
    // 0 or none: pg_ctl_timeout, as every start (Patroni's start() with a timeout of 0).
    Optional<java.time.Duration> wait = rs.startTimeoutSeconds().isPresent() && rs.startTimeoutSeconds().getAsInt() > 0
        ? Optional.of(java.time.Duration.ofSeconds(rs.startTimeoutSeconds().getAsInt())) : Optional.empty();
    return () -> {
      try {
        postgres.stop(StopMode.FAST);
        if (token.isPresent()) {
          // Checked here, right before the start: the lock may have been lost while PostgreSQL stopped.
          requireValidLease("start PostgreSQL as primary after the restart");
          if (wait.isPresent()) {
            postgres.startPrimary(token.getAsLong(), wait.get());
          } else {
            postgres.startPrimary(token.getAsLong());
          }
        } else if (wait.isPresent()) {
          postgres.startReplica(rs.upstream().orElse(null), wait.get());
        } else {
          postgres.startReplica(rs.upstream().orElse(null));
        }
      } catch (Exception e) {
        requests.answer(rs.requestId(), new OperatorRequests.Reply(RequestAnswer.RESTART_FAILED.status(),
            RequestAnswer.RESTART_FAILED.text()));
        throw e;
      }
      requests.answer(rs.requestId(), new OperatorRequests.Reply(RequestAnswer.RESTARTED.status(),
          RequestAnswer.RESTARTED.text()));
    };
  }

  /** Performs a step that is neither a gate nor a task. */
  /**
   * One failsafe round: every peer asked at once; only if all accept is the held lease extended, from before the
   * send ({@link HeldLease#extendHeld}). A failed round changes nothing: the lease guard fences at the deadline.
   */
  private void failsafeRound(Action.FailsafeRound round) {
    OptionalLong token = lease.token();
    if (token.isEmpty()) {
      failsafe.active(false);
      return;
    }
    long sent = nanoClock.getAsLong();
    java.util.Set<String> accepted = round.peers().isEmpty() ? java.util.Set.of()
        : asker.accepted(round.peers(), name, round.storedTtl(), round.slots());
    java.util.List<String> missing = FailsafeRules.missing(round.peers(), accepted);
    if (missing.isEmpty()
        && lease.extendHeld(token.getAsLong(), sent, round.terms().validForNanos(round.storedTtl()))) {
      failsafe.active(true);
      log.info("continue to run as a leader because failsafe mode is enabled and all members are accessible");
    } else {
      failsafe.active(false);
      log.warn("failsafe mode: {} did not accept; the lease is not extended and PostgreSQL stops at its deadline",
          missing.isEmpty() ? "the lease ran out before the round, so it" : String.join(", ", missing));
    }
  }

  /** {@link Action.ClearFailsafe}: only under a valid lease; a DCS error leaves the key (the release still runs). */
  private void clearFailsafe() {
    if (!lease.validAt(nanoClock.getAsLong())) {
      log.info("not deleting the failsafe key: this node's lease is no longer valid");
      return;
    }
    try {
      store.writeFailsafe(java.util.Map.of());
    } catch (DcsException e) {
      log.warn("could not delete the failsafe key before the handover: {}", e.getMessage());
    }
  }

  /**
   * How a {@link Action.HandOffDcsLeadership} reaches the DCS member (set by the node; nothing happens without one).
   * It must return at once: the transfer runs in the background, with its own bound.
   */
  void useDcsHandOff(java.util.function.Consumer<String> handOff) {
    this.dcsHandOff = java.util.Objects.requireNonNull(handOff);
  }

  private void perform(Action action, Run run, Optional<ClusterSnapshot> cluster) {
    if (action instanceof Action.HandOffDcsLeadership h) {
      dcsHandOff.accept(h.target());
    } else if (action instanceof Action.FailsafeRound round) {
      failsafeRound(round);
    } else if (action instanceof Action.WriteFailsafe w) {
      store.writeFailsafe(w.members());
    } else if (action instanceof Action.ClearFailsafe) {
      clearFailsafe();
    } else if (action instanceof Action.ReleaseLock) {
      Optional<LeaseGrant> last = confirmed;
      confirmed = Optional.empty();
      lease.clear();
      // A stop this plan made (before the lease was forgotten) is told now; a probe that showed PostgreSQL
      // verifiably stopped is the decider's DisarmWatchdog after this step.
      if (run.stopped) {
        lease.postgresStopped();
      }
      if (store.releaseLeader(last)) {
        log.info("released the leader lock");
      }
    } else if (action instanceof Action.DisarmWatchdog) {
      lease.postgresStopped();
    } else if (action instanceof Action.RecordInitialize ri) {
      if (store.writeInitialize(ri.systemIdentifier(), cluster.flatMap(ClusterSnapshot::initialize))) {
        log.info("initialized a new cluster with system identifier {}", ri.systemIdentifier());
      }
    } else if (action instanceof Action.CancelInitialize) {
      cluster.flatMap(ClusterSnapshot::initialize).ifPresent(store::cancelInitialize);
    } else if (action instanceof Action.MoveDataDirectoryAside m) {
      postgres.moveDataDirectoryAside(m.reason());
    } else if (action instanceof Action.SeedConfig sc) {
      store.writeConfigIfAbsent(sc.config());
    } else if (action instanceof Action.PublishStatus ps) {
      store.writeStatus(ps.position(), ps.slots(), ps.retainSlots());
    } else if (action instanceof Action.PublishLastPosition last) {
      // Whether there is a last position to publish is only known after the stop this plan just made.
      PgState stopped = postgres.probe();
      if (!stopped.running() && !stopped.isUnknown() && stopped.timeline() == last.timeline()
          && stopped.walPosition() > 0) {
        if (store.writeLastPosition(stopped.walPosition(), last.statusRevision())) {
          log.info("published the stopped primary's last position {} on timeline {}", stopped.walPosition(),
              last.timeline());
        } else {
          log.info("did not publish the stopped primary's last position {}: status changed meanwhile",
              stopped.walPosition());
        }
      }
    } else if (action instanceof Action.Demote d) {
      lease.clear();
      run.beforeStop();
      postgres.stop(d.mode());
      run.stopped = true;
      lease.postgresStopped();
      log.info("demoted: PostgreSQL stopped ({})", d.mode().name().toLowerCase());
    } else if (action instanceof Action.SkippedDemote) {
      lease.clear();
      // PLANTED BUG (test harness only): a primary without the lock keeps running.
      log.warn("PLANTED BUG {}: not demoting", HaBug.SKIP_DEMOTE_ON_LOST_LEASE.id());
    } else if (action instanceof Action.StopPostgres st) {
      run.beforeStop();
      postgres.stop(st.mode());
      run.stopped = true;
      lease.postgresStopped();
    } else if (action instanceof Action.Follow f) {
      postgres.follow(f.upstream());
    } else if (action instanceof Action.CatchUpFrom f) {
      postgres.catchUpFrom(f.upstream());
    } else if (action instanceof Action.RecordTimelineEpoch re) {
      try {
        postgres.recordEpochLine(re.line());
      } catch (PostgresException e) {
        // Never at the cost of the rest of the plan (a Follow comes next): the epoch just stays unknown.
        log.warn("could not record the epochs {}: {}", re.line(), e.getMessage());
      }
    } else if (action instanceof Action.ReloadPostgres) {
      postgres.reload();
    } else if (action instanceof Action.AnswerRequest a) {
      requests.answer(a.requestId(), new OperatorRequests.Reply(a.status(), a.text()));
    } else if (action instanceof Action.RunCallback cb) {
      postgres.runCallback(cb.action(), cb.role());
    } else if (action instanceof Action.PrePromote) {
      run.prePromote = true;
    } else if (action instanceof Action.BeforeStop) {
      postgres.beforeStop();
    } else if (action instanceof Action.ClearFailover cf) {
      if (store.clearFailover(cf.modRevision())) {
        log.info("cleared the failover key");
      }
    } else if (action instanceof Action.Checkpoint) {
      try {
        postgres.checkpoint();
      } catch (RuntimeException e) {
        log.warn("checkpoint before the planned stop failed (the stop will take longer): {}", e.getMessage());
      }
    } else if (action instanceof Action.CreateStanza) {
      backrest.start(); // returns at once: the commands run on the job's own thread
    } else if (action instanceof Action.StartBackup sb) {
      claimAndRun(sb.record(), new BackupJob.Work(BackupRules.SCHEDULE, false,
          Optional.of(io.pgquorum.backrest.BackupType.of(sb.type()))),
          "the " + sb.type() + " backup slot " + sb.slot());
    } else if (action instanceof Action.AfterPromotion ap) {
      claimAndRun(ap.record(), new BackupJob.Work(BackupRules.PROMOTION, ap.check(),
          ap.backup().map(io.pgquorum.backrest.BackupType::of)),
          "the work after the promotion to timeline " + ap.timeline());
    } else if (action instanceof Action.SkipBackupSlot sk) {
      if (store.claimBackup(sk.record()).isPresent()) {
        log.warn("skipping the {} backup slot {}: {}", sk.type(), sk.slot(),
            sk.record().last().flatMap(io.pgquorum.coordinator.cluster.BackupRecord.Run::detail).orElse(""));
      }
    } else if (action instanceof Action.MoveAsideForRestore m) {
      postgres.moveDataDirectoryAsideForRestore(m.restoreId());
    } else if (action instanceof Action.MarkRestoreReady mr) {
      if (store.writeRestore(mr.record())) {
        log.info("restore {}: ready (PostgreSQL stopped, data directory moved aside)", mr.record().id());
      }
    } else if (action instanceof Action.ResetForRestore rr) {
      if (store.resetForRestore(rr.record(), cluster.flatMap(ClusterSnapshot::initialize))) {
        log.info("restore {}: the cluster's state is reset; bootstrapping from the backup", rr.record().id());
      }
    } else if (action instanceof Action.FinishRestore fr) {
      if (store.writeRestore(fr.record())) {
        log.info("restore {}: {}{}", fr.record().id(), fr.record().phase(),
            fr.record().detail().map(d -> ": " + d).orElse(""));
      }
    } else if (action instanceof Action.PublishSync ps) {
      if (!run.syncLost) {
        Optional<io.pgquorum.coordinator.cluster.SyncState> written = store.writeSync(ps.next(),
            run.syncRevision.orElse(ps.readRevision()));
        if (written.isEmpty()) {
          syncKeyLost(run);
        } else {
          run.syncRevision = OptionalLong.of(written.get().modRevision());
          log.info("updated /sync key: synchronous standbys [{}]", String.join(",", ps.next().syncStandbys()));
        }
      }
    } else if (action instanceof Action.DeleteSync ds) {
      if (!run.syncLost && !store.deleteSync(run.syncRevision.orElse(ds.readRevision()))) {
        syncKeyLost(run);
      }
    } else if (action instanceof Action.SetSynchronousStandbyNames sn) {
      if (!run.syncLost) {
        postgres.setSynchronousStandbyNames(sn.owned() ? Optional.of(sn.names().render()) : Optional.empty());
      }
    } else if (action instanceof Action.StartWithStandbyNames sw) {
      postgres.ownSynchronousStandbyNames(Optional.of(sw.names().render()));
    } else if (action instanceof Action.SyncSlots sl) {
      postgres.syncReplicationSlots(sl.slotNames(), sl.advanceTo());
    } else if (action instanceof Action.AdvanceSlots a) {
      postgres.advanceReplicationSlots(a.advanceTo());
    } else if (action instanceof Action.SyncLogicalSlots sl) {
      postgres.syncLogicalSlots(sl.keep(), sl.advanceTo());
    } else {
      throw new IllegalStateException("no executor for " + action);
    }
  }

  /**
   * Claims {@code claim} in the {@code backups} key (compare-and-set) and, if won, starts {@code work}, whose outcome
   * is then written over the claim (at the claim's revision: a newer claim by another holder is never overwritten).
   */
  private void claimAndRun(io.pgquorum.coordinator.cluster.BackupRecord claim, BackupJob.Work work, String what) {
    java.util.OptionalLong rev = store.claimBackup(claim);
    if (rev.isEmpty()) {
      log.info("not starting {}: the backups key changed since this cycle read it (another claim came first)", what);
      return;
    }
    io.pgquorum.coordinator.cluster.BackupRecord won = new io.pgquorum.coordinator.cluster.BackupRecord(claim.slot(),
        claim.slotType(), claim.timeline(), claim.last(), rev.getAsLong());
    log.info("claimed {}: starting pgBackRest {} in the background", what, work.what());
    boolean started = backups.start(work, failure -> {
      io.pgquorum.coordinator.cluster.BackupRecord.Run run = won.last().orElseThrow()
          .finished(wallClock.instant().toString(), failure);
      if (store.claimBackup(won.withLast(run)).isEmpty()) {
        log.warn("could not record the outcome of {} in the backups key (it changed meanwhile)", what);
      }
      wakeLoop.run();
    });
    if (!started) {
      // The rule plans only while the job is idle; a manual backup may have started in between.
      store.claimBackup(won.withLast(won.last().orElseThrow().finished(wallClock.instant().toString(),
          Optional.of("another backup was running on " + name))));
    }
  }

  /** The token a start or promotion runs with, as the plan names it. */
  private static long token(FencingToken token, Run run, String what) {
    if (token instanceof FencingToken.Held held) {
      return held.token();
    }
    if (run.acquired.isEmpty()) {
      // A plan error (no AcquireLock gate before this step), never a race: say so rather than guess a token.
      throw new IllegalStateException("cannot " + what + " without a fencing token (no leader lock held)");
    }
    return run.acquired.getAsLong();
  }

  /**
   * Performs the publishing step's member key action ({@link Publication}); returns the revision a write was
   * stored at, empty when it failed or was a deletion. A DCS error is no reason to end the cycle: the next one
   * writes again.
   */
  OptionalLong publish(Action.MemberKeyAction action) {
    if (action instanceof Action.RefreshMemberKey) {
      try {
        return store.refreshMember();
      } catch (DcsException e) {
        log.warn("could not refresh my member key: {}", e.getMessage());
        return OptionalLong.empty();
      }
    }
    if (action instanceof Action.WriteMemberKey w) {
      try {
        return OptionalLong.of(store.touchMember(w.fields(), w.ttl()));
      } catch (DcsException e) {
        log.warn("could not update my member key: {}", e.getMessage());
        return OptionalLong.empty();
      }
    }
    try {
      store.deleteMember();
    } catch (DcsException e) {
      log.warn("could not delete my member key: {}", e.getMessage());
    }
    return OptionalLong.empty();
  }

  /** How a refresh ended: confirmed (with what the DCS stored), lost, or unknown (a DCS error). */
  private sealed interface Renewal {
    record Confirmed(LeaseGrant grant) implements Renewal {}

    record Lost() implements Renewal {}

    record Unknown() implements Renewal {}
  }

  /**
   * Refreshes the lease with {@code fencingToken}. Confirmed: the deadline moves, from the send, by what the
   * stored ttl allows. Lost: the lease is cleared. Unknown (a DCS error, the write may or may not have been
   * applied): the deadline stays where the last confirmed write put it.
   */
  private Renewal renew(long fencingToken, LeaseTerms terms) {
    long sent = nanoClock.getAsLong();
    long started = System.nanoTime(); // the metric's real time, whatever clock the lease runs on (the simulator's)
    Optional<LeaseGrant> grant;
    try {
      grant = store.renewLeader(fencingToken);
    } catch (DcsException e) {
      metrics.leaseRefresh(System.nanoTime() - started, NodeMetrics.RefreshOutcome.UNKNOWN);
      log.warn("failed to refresh the leader lock: {}", e.getMessage());
      return new Renewal.Unknown();
    }
    metrics.leaseRefresh(System.nanoTime() - started, grant.isEmpty() ? NodeMetrics.RefreshOutcome.LOST
        : NodeMetrics.RefreshOutcome.CONFIRMED);
    if (grant.isEmpty()) {
      confirmed = Optional.empty();
      lease.clear();
      log.warn("failed to update leader lock: it is no longer ours");
      return new Renewal.Lost();
    }
    lease.headroomAt(fencingToken, nanoClock.getAsLong()).ifPresent(metrics::leaseHeadroom);
    lease.extend(fencingToken, sent, terms.validForNanos(grant.get().ttl()));
    confirmed = grant;
    return new Renewal.Confirmed(grant.get());
  }

  /**
   * Re-puts the leader key with {@code ttl} (see {@link Action.RearmLock}); false when the key changed under us
   * (the lock is treated as lost). A DCS error ends the plan through the exception, the deadline capped.
   *
   * <p>Ordering: the deadline is first lowered to what the new lease guarantees counted from this send
   * ({@code sent + min(ttl, configured) - retry_timeout}). Once the put is sent the DCS may arm the new, possibly
   * shorter, lease at any moment, with or without a reply reaching us; the old, longer deadline must not outlive
   * it. When the ttl rises the cap changes nothing, and the longer deadline is used only after the DCS confirmed
   * the longer ttl.
   */
  private boolean rearm(LeaseGrant current, java.time.Duration ttl, LeaseTerms terms) {
    long sent = nanoClock.getAsLong();
    lease.cap(current.fencingToken(), sent + terms.validForNanos(ttl));
    Optional<LeaseGrant> stored = store.rearmLeader(current, ttl);
    if (stored.isEmpty()) {
      confirmed = Optional.empty();
      lease.clear();
      log.warn("failed to re-arm the leader lock with ttl {} s: the key changed since the refresh",
          TimeUnits.seconds(ttl));
      return false;
    }
    lease.extend(current.fencingToken(), sent, terms.validForNanos(stored.get().ttl()));
    confirmed = stored;
    log.info("re-armed the leader lock with ttl {} s (was {} s)", TimeUnits.seconds(stored.get().ttl()),
        TimeUnits.seconds(current.ttl()));
    return true;
  }

  /**
   * The bootstrap task: the cluster is created and finished with only pgquorum connected, and left stopped (see
   * {@link Postgres#bootstrap()}); the next cycle takes the lock and starts it as primary, and the holder records
   * the system identifier in {@code initialize} (a compare-and-set on our "" placeholder, planned every cycle until
   * the key shows it, so a lost reply is simply written again: see
   * testdata/interaction/regression_bootstrap_lost_initialize_reply.txt).
   */
  private TaskRunner.Body bootstrap(DynamicConfig seedConfig,
      Optional<io.pgquorum.coordinator.config.BackrestBootstrap> fromBackup) {
    return () -> {
      try {
        if (fromBackup.isPresent()) {
          postgres.bootstrap(fromBackup.get());
        } else {
          postgres.bootstrap();
        }
      } catch (RuntimeException e) {
        // Whatever the failure, nothing of the new cluster may keep running (the move needs it stopped, and a
        // server left behind made every later start fail with "PostgreSQL is already running"). Moved aside once:
        // the decider gives the initialize key back and stops this daemon (Patroni's cancel_initialization).
        safeStop();
        safeMoveAside("bootstrap failed");
        throw e;
      }
      try {
        store.writeConfigIfAbsent(seedConfig);
      } catch (DcsException e) {
        // Not a reason to throw the new cluster away: the leader seeds a missing config key on its next cycles
        // (SeedConfig in its plan).
        log.warn("could not seed the config key yet: {}", e.getMessage());
      }
    };
  }

  /**
   * The rejoin's body; {@code sourceEpoch}, the upstream's line as the plan's snapshot showed it, is recorded after
   * a rewind or a re-clone (the data then holds the upstream's fork); a rejoin that keeps its data keeps its record.
   */
  private TaskRunner.Body rejoin(Optional<Upstream> upstream, Divergence onDivergence,
      TimelineEpochLine sourceEpoch) {
    return () -> {
      // NOT_CHECKED: the plan says not to compare timelines (a standby leader starting as the remote's standby).
      if (upstream.isPresent() && !onDivergence.equals(Divergence.NOT_CHECKED)) {
        Upstream up = upstream.get();
        // A known fork skips the check: it could not see the fork (equal history files), the plan did.
        if (onDivergence.knownFork() || needsRewind(up, onDivergence)) {
          boolean rewound = onDivergence.rewind() && postgres.rewind(up);
          if (!rewound) {
            if (!onDivergence.reclone()) {
              throw new PostgresException(onDivergence.failure());
            }
            postgres.recloneReplica(up, false, onDivergence.moveAsideReason());
          }
          postgres.recordEpochLine(sourceEpoch);
        } else {
          // Kept its data: it will reach the upstream's later timeline by replaying the upstream's WAL. The probe
          // (I/O) says where the data is; whether to record is TimelineEpochs' (pure) choice.
          TimelineEpochs.afterRejoin(sourceEpoch, postgres.probe())
              .ifPresent(postgres::recordEpochLine);
        }
      }
      postgres.startReplica(upstream.orElse(null));
    };
  }

  /** The rewind check; one the plan does not require (a standby cluster's remote) counts as no divergence. */
  private boolean needsRewind(Upstream up, Divergence onDivergence) {
    try {
      return postgres.needsRewind(up);
    } catch (PostgresException e) {
      if (onDivergence.required()) {
        throw e;
      }
      log.warn("{}; starting without the check", e.getMessage());
      return false;
    }
  }

  /**
   * Starts {@code body} as the background task {@code task} (the loop keeps cycling, and a holder keeps refreshing
   * its lease, while it runs). The decider plans a task only when none runs, and only this thread starts tasks.
   */
  private void startTask(Task task, TaskRunner.Body body) {
    if (!tasks.start(task, body, wakeLoop)) {
      throw new IllegalStateException("cannot start " + task.label() + ": "
          + tasks.running().map(Task::label).orElse("another task") + " is still running");
    }
  }

  /**
   * Makes {@code history} record every timeline switch up to {@code timeline}, from PostgreSQL's own timeline
   * history file (exact switch points); false when a compare-and-set kept losing (the plan ends, so status is
   * not published on a timeline history does not know; the next cycle plans it again).
   */
  /** Patroni's history timestamp: Python's isoformat (microseconds, numeric offset), which its tools parse. */
  private static final java.time.format.DateTimeFormatter HISTORY_TIME =
      java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSxxx");

  private boolean recordHistory(int timeline, Optional<ClusterSnapshot> cluster) {
    java.util.List<TimelineSwitch> switches;
    try {
      switches = postgres.timelineHistory(timeline);
    } catch (PostgresException e) {
      // PostgreSQL keeps its history files, so this is a damaged or hand-assembled data directory. Patroni leaves
      // history alone then; so do we, rather than stop publishing status and slots for good. Said once.
      if (historyUnreadableWarned != timeline) {
        historyUnreadableWarned = timeline;
        log.warn("cannot record timeline {} in history: {}", timeline, e.getMessage());
      }
      return true;
    }
    TimelineEpochLine line = postgres.epochLine();
    for (TimelineSwitch sw : switches) {
      if (cluster.map(c -> c.historyRecordsEndOf(sw.timeline())).orElse(false)) {
        continue;
      }
      // The switch into our own timeline was made by this node's promotion, recorded now; older ones that are
      // missing are filled in without a time or a new leader (Patroni writes such rows as three fields).
      boolean ours = sw.timeline() == timeline - 1;
      HistoryEntry entry = new HistoryEntry(sw.timeline(), sw.lsn(), sw.reason(),
          ours ? Optional.of(HISTORY_TIME.format(wallClock.instant().atOffset(java.time.ZoneOffset.UTC)))
              : Optional.empty(),
          ours ? Optional.of(name) : Optional.empty(),
          // Which fork of the new timeline is the cluster's: the token of the promotion that started it, as our data's
          // line records it (our own promotion's for our timeline, and an older one's for a switch nobody recorded
          // while it was current).
          TimelineEpochs.forHistory(line, sw.timeline() + 1, timeline, bugs));
      if (!store.appendHistory(entry)) {
        log.warn("could not record the switch from timeline {} in history yet (the key kept changing)",
            sw.timeline());
        return false;
      }
      log.info("recorded in history: timeline {} ended at {}", sw.timeline(), sw.lsn());
    }
    return true;
  }

  private void requireValidLease(String what) {
    if (!lease.validAt(nanoClock.getAsLong())) {
      throw new IllegalStateException("refusing to " + what + ": the leader lease is not valid any more");
    }
  }

  private static long requireToken(OptionalLong token, String what) {
    if (token.isEmpty()) {
      throw new IllegalStateException("cannot " + what + " without a fencing token (no leader lock held)");
    }
    return token.getAsLong();
  }

  private void safeStop() {
    try {
      postgres.stop(StopMode.IMMEDIATE);
    } catch (RuntimeException e) {
      log.warn("could not stop PostgreSQL after a failed bootstrap: {}", e.getMessage());
    }
  }

  private void safeMoveAside(String reason) {
    try {
      postgres.moveDataDirectoryAside(reason);
    } catch (RuntimeException e) {
      log.warn("could not move the data directory aside: {}", e.getMessage());
    }
  }
}
