package io.pgquorum.coordinator.postgres;

import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.coordinator.fence.PostgresFence;
import io.pgquorum.coordinator.fence.PrimaryGate;
import io.pgquorum.coordinator.postgres.PgState.DataDirState;
import io.pgquorum.coordinator.postgres.ProcessRunner.OnTimeout;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Postgres} for the PostgreSQL 15 server of this node, driven through its own tools ({@code pg_ctl},
 * {@code initdb}, {@code pg_basebackup}, {@code pg_rewind}, {@code pg_controldata} from
 * {@code postgresql.bin_dir}) and JDBC.
 *
 * <ul>
 *   <li>The postmaster runs detached (started by {@code pg_ctl start}, in its own session), so it outlives this
 *       JVM; {@link #probe()} re-adopts a running one through {@code postmaster.pid} and a connection.
 *   <li>Configuration: pgquorum regenerates {@code postgresql.pgquorum.conf} (included from
 *       {@code postgresql.conf}) and {@code pg_hba.conf} before every start and reload; see
 *       {@link ConfigWriter} for the file layout and precedence.
 *   <li>Secrets: passwords reach tools only through the {@code postgresql.pgpass} file (mode 0600) named by
 *       {@code PGPASSFILE}, reach initdb through a private temporary file, and reach the server as hashes;
 *       they never appear on a command line, in a connection string, a log line or an exception.
 *   <li>Every tool runs with a deadline ({@code pg_ctl_timeout} for start/stop/promote); a failure is a
 *       {@link PostgresException} naming the operation, with the end of the tool's output.
 *   <li>Lease: {@link #startPrimary} and {@link #promote} run under a {@link PrimaryGate} built on the lease check
 *       given at construction (refused without a valid lease, re-checked afterwards), and {@link #stop} in
 *       immediate mode is the fencing procedure ({@link PostgresFence}: pg_ctl, then SIGKILL, until nothing of the
 *       data directory's PostgreSQL is left), through the same gate.
 * </ul>
 *
 * <p>Not thread-safe: the HA loop calls it from one thread at a time (a long action runs on a background thread
 * while the loop only probes, which is safe: probing reads and never writes).
 */
public final class LocalPostgres implements Postgres {
  private static final Logger LOG = LoggerFactory.getLogger(LocalPostgres.class);
  private static final Duration POLL = Duration.ofMillis(25);

  private final PgContext ctx;
  private final ConfigWriter config;
  private final Jdbc jdbc;
  private final PgCtlRunner pgCtl;
  /** The connection the probe and the slot sync keep between cycles; closed before every stop. */
  private final ProbeConnection kept;
  private final StateProbe prober;
  private final Bootstrapper bootstrapper;
  private final RoleSetup roles;
  private final ReplicaCreator replicaCreator;
  private final Rewinder rewinder;
  private final SlotSync slots;
  private final LogicalSlotSync logicalSlots;
  private final PrimaryGate gate;
  private final CallbackRunner callbacks;

  /**
   * @param node this node's configuration (the {@code postgresql} section, scope, name, bootstrap)
   * @param dynamicConfig the cluster-wide configuration as currently stored in the DCS, read on every use
   *     (parameters, pg_hba, use_slots, use_pg_rewind); may return null before the DCS has one, in which case
   *     {@code bootstrap.dcs} is used
   * @param leaseValid whether this node holds a leader lease whose deadline has not passed, now: PostgreSQL is
   *     only started or promoted as primary while it is true (see {@link PrimaryGate})
   */
  public LocalPostgres(NodeConfig node, Supplier<DynamicConfig> dynamicConfig, BooleanSupplier leaseValid) {
    this.ctx = new PgContext(Objects.requireNonNull(node, "node"), Objects.requireNonNull(dynamicConfig,
        "dynamicConfig"));
    this.gate = new PrimaryGate(Objects.requireNonNull(leaseValid, "leaseValid"), new PostgresFence(
        ctx.pg.binDir().resolve("pg_ctl"), ctx.dataDir, (int) ctx.pgCtlTimeout().toSeconds(),
        m -> LOG.warn("{}", m)));
    this.config = new ConfigWriter(ctx);
    this.jdbc = new Jdbc(ctx);
    this.pgCtl = new PgCtlRunner(ctx);
    this.kept = new ProbeConnection(ctx, jdbc, config::writtenDigest);
    this.prober = new StateProbe(ctx, jdbc, kept, pgCtl);
    this.bootstrapper = new Bootstrapper(ctx, config);
    this.roles = new RoleSetup(ctx);
    this.replicaCreator = new ReplicaCreator(ctx, config, jdbc);
    this.rewinder = new Rewinder(ctx, jdbc, pgCtl, config);
    this.slots = new SlotSync(ctx, jdbc, kept);
    this.logicalSlots = new LogicalSlotSync(ctx, jdbc);
    this.callbacks = new CallbackRunner(node.postgresql().callbacks(), node.scope(), ctx.pgCtlTimeout(),
        ctx.redactor::apply);
  }

  /** For tests of this package and tools that hold no lease: every primary start is allowed. */
  LocalPostgres(NodeConfig node, Supplier<DynamicConfig> dynamicConfig) {
    this(node, dynamicConfig, () -> true);
  }

  /**
   * Plants {@code planted}'s {@link PgBug}s (the others are ignored): for {@code bin/pgquorum} under the
   * fault-injection harness and for tests, before the first probe; never called by the embedding API.
   */
  public void plantedBugs(io.pgquorum.dcs.planted.PlantedBugs planted) {
    prober.plantedBugs(planted);
  }

  /** The start/fence gate of this data directory: the daemon's fences go through it. */
  public PrimaryGate gate() {
    return gate;
  }

  @Override
  public void runCallback(io.pgquorum.coordinator.config.CallbackAction action, String role) {
    try {
      callbacks.fire(action, role);
    } catch (RuntimeException e) {
      LOG.warn("callback {} {} not run: {}", action.key(), role, e.getMessage());
    }
  }

  @Override
  public boolean prePromote() {
    return callbacks.prePromote();
  }

  @Override
  public void beforeStop() {
    callbacks.beforeStop();
  }

  @Override
  public PgState probe() {
    return prober.probe();
  }

  /**
   * What this node's PostgreSQL waits for an operator to do, and how; empty when nothing (see
   * {@link PrivateServer#awaitEndOfRecovery}).
   */
  public String waitingForOperator() {
    return ctx.waitingForOperator.get();
  }

  @Override
  public void bootstrap() {
    bootstrap(Optional.empty());
  }

  @Override
  public void bootstrap(io.pgquorum.coordinator.config.BackrestBootstrap fromBackup) {
    bootstrap(Optional.of(fromBackup));
  }

  private void bootstrap(Optional<io.pgquorum.coordinator.config.BackrestBootstrap> fromBackup) {
    bootstrapper.bootstrap(fromBackup);
    long logFrom = ctx.startupLog.toFile().length();
    try {
      bootstrapPrivately();
    } catch (PostgresException e) {
      // A recovery that ends before its target (a restore to an unreachable target) shuts the server down after
      // it accepted connections: the step that fails is then a connection, and the reason is only in the log.
      Optional<String> fatal = fatalCause(logSince(logFrom), e.getMessage());
      if (fatal.isPresent()) {
        throw new PostgresException(e.getMessage() + " (PostgreSQL: " + fatal.get() + ")", e);
      }
      throw e;
    }
    bootstrapper.finish();
  }

  /**
   * The FATAL line of {@code log} that explains a failure whose message is {@code message}: the first one that is
   * not a rejected connection and that the message does not already quote. Why: once the startup process fails
   * ("recovery ended before configured recovery target was reached"), the server rejects every connection while it
   * shuts down and logs each rejection as FATAL too ("the database system is in recovery mode"), as it does while
   * it starts ("... is starting up", which the private server's queries retry through); the step that failed
   * quotes the rejection it got, and the cause is another line (seen in ClusterRestoreIT, where the last FATAL was a
   * rejection and the cause went unsaid).
   */
  static Optional<String> fatalCause(String log, String message) {
    for (String line : log.split("\n")) {
      int at = line.indexOf("FATAL:");
      if (at >= 0) {
        String fatal = line.substring(at).strip();
        String text = fatal.substring("FATAL:".length()).strip();
        if (!text.isEmpty() && !text.startsWith("the database system is ") && !message.contains(text)) {
          return Optional.of(fatal);
        }
      }
    }
    return Optional.empty();
  }

  /** What the server wrote to its startup log after {@code from} bytes (at most the last 64 KiB), redacted. */
  private String logSince(long from) {
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(ctx.startupLog.toFile(), "r")) {
      long start = Math.max(from, f.length() - 65_536);
      byte[] buf = new byte[(int) Math.max(0, f.length() - start)];
      f.seek(start);
      f.readFully(buf);
      return ctx.redactor.apply(new String(buf, java.nio.charset.StandardCharsets.UTF_8));
    } catch (java.io.IOException e) {
      return "";
    }
  }

  private void bootstrapPrivately() {
    try (PrivateServer server = PrivateServer.start(ctx, pgCtl)) {
      try {
        roles.createRoles(server);
        stop(StopMode.FAST); // a clean shutdown checkpoint: the first start as primary needs no recovery
      } catch (RuntimeException e) {
        // A failed bootstrap stops what it started (the caller moves the directory aside, which needs it stopped).
        try {
          stop(StopMode.IMMEDIATE);
        } catch (RuntimeException stopFailed) {
          e.addSuppressed(stopFailed);
        }
        throw e;
      }
    }
  }

  @Override
  public void startPrimary(long fencingToken) {
    startPrimary(fencingToken, ctx.pgCtlTimeout());
  }

  @Override
  public void startPrimary(long fencingToken, Duration wait) {
    gate.asPrimary("start PostgreSQL as primary", () -> startPrimaryUnderGate(fencingToken, wait));
  }

  private void startPrimaryUnderGate(long fencingToken, Duration wait) {
    String op = "start primary";
    requireStoppedCluster(op);
    ctx.writePgPass();
    config.write(fencingToken, Map.of());
    prober.startedWith(Map.of()); // a primary writes the configured values to pg_control: nothing to override
    if (!config.bootstrapPending()) {
      // A custom bootstrap's first start keeps the signal files its method or recovery_conf asked for.
      config.signals(false);
    }
    pgCtl.start(op, "", wait);
    awaitConnection(op);
    long running = queryLong(op, "SELECT current_setting('" + ConfigWriter.FENCING_TOKEN + "')");
    if (running != fencingToken) {
      throw new PostgresException(op + ": the server runs with fencing token " + running + ", expected "
          + fencingToken + " (is " + ConfigWriter.FENCING_TOKEN + " set by ALTER SYSTEM?)");
    }
    LOG.info("started PostgreSQL as primary with fencing token {}", fencingToken);
  }

  @Override
  public void startReplica(Upstream upstream) {
    startReplica(upstream, ctx.pgCtlTimeout());
  }

  @Override
  public void startReplica(Upstream upstream, Duration wait) {
    String op = "start replica of " + ReplicaCreator.describe(upstream);
    requireStoppedCluster(op);
    ctx.writePgPass();
    config.clearPending();
    long token = config.currentToken().orElse(0);
    Map<String, String> settings = new java.util.LinkedHashMap<>(config.replicaSettings(upstream));
    Map<String, PendingRestartReason.Change> overrides = controlDataOverrides(token, settings);
    settings.putAll(PendingRestartReason.startValues(overrides));
    prober.startedWith(overrides);
    config.writeStandby(token, settings);
    try {
      pgCtl.start(op, "", wait);
      awaitConnection(op);
    } catch (PostgresException e) {
      // A copy that cannot reach the timeline it must follow is refused for good: typed, so the decision moves it
      // aside and clones again with another method instead of starting it again and again.
      Optional<String> refusal = CopyRefusal.find(e.getMessage() == null ? "" : e.getMessage());
      if (refusal.isPresent()) {
        RefusedCopy refused = replicaCreator.refused(refusal.get());
        LOG.warn("{}: PostgreSQL refused the copy made by {}: {}", op, refused.methodText(), refusal.get());
        throw new CopyRefusedException(refused, e.getMessage(), e);
      }
      throw e;
    }
    LOG.info("started PostgreSQL as a replica of {}", ReplicaCreator.describe(upstream));
  }

  /**
   * Patroni's effective configuration of a replica: a parameter a hot standby may not run lower than its primary
   * is started at pg_control's value when that is above the configured one (the primary ran with more, and
   * PostgreSQL would refuse to start), and flagged pending a restart. pg_control unreadable: the configured values,
   * as Patroni (PostgreSQL then says what is wrong, if anything).
   */
  private Map<String, PendingRestartReason.Change> controlDataOverrides(long token, Map<String, String> roleSettings) {
    Map<String, String> controlData;
    try {
      controlData = pgCtl.controlData().fields();
    } catch (PostgresException e) {
      LOG.warn("pg_controldata failed, starting with the configured values: {}", e.getMessage());
      return Map.of();
    }
    Map<String, PendingRestartReason.Change> overrides = PendingRestartReason.controlDataOverrides(
        config.parameters(token, roleSettings), controlData);
    overrides.forEach((name, c) -> LOG.info("{} value in pg_controldata: {}, in the configuration: {}. pg_controldata"
        + " value will be used. Setting 'Pending restart' flag", name, c.oldValue(), c.newValue()));
    return overrides;
  }

  @Override
  public void stop(StopMode mode) {
    if (mode == StopMode.IMMEDIATE) {
      // Immediate is only used when the lease is gone or going: it is the fencing procedure, which does not
      // stop at a pg_ctl failure or an unreadable postmaster.pid.
      try {
        PostgresFence.Outcome o = gate.fence("stop (immediate)");
        if (o.found()) {
          LOG.info("stopped PostgreSQL ({}): {}", mode, o.describe());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new PostgresException("stop (immediate) interrupted");
      }
      return;
    }
    kept.close(); // a smart stop would wait for the probe's idle session to leave
    if (pgCtl.stop(mode)) {
      LOG.info("stopped PostgreSQL ({})", mode);
    }
    // pg_ctl answers from postmaster.pid: verify against the processes themselves, since callers take "stopped"
    // as licence to disarm the watchdog (an unreadable or removed pid file next to a live server must not).
    if (!gate.anyRunning().equals(Optional.of(false))) {
      try {
        PostgresFence.Outcome o = gate.fence("stop (" + mode + ") left PostgreSQL processes behind");
        LOG.warn("stop ({}) left PostgreSQL processes behind: {}", mode, o.describe());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new PostgresException("stop (" + mode + ") interrupted");
      }
    }
  }

  @Override
  public void promote(long fencingToken) {
    gate.asPrimary("promote PostgreSQL", () -> promoteUnderGate(fencingToken));
  }

  private void promoteUnderGate(long fencingToken) {
    String op = "promote";
    requireRunning(op);
    // This is the critical path of a switchover's write gap: it runs on the probe's kept connection (a new one costs
    // a login, 40-90 ms measured under the switchover bench) and overlaps the token's reload with the epoch record.
    long t0 = System.nanoTime();
    try {
      kept.run(ctx.pgCtlTimeout(), c -> {
        // The first statement in plain JDBC: a kept connection found dead here is replaced by a new one and this
        // work run again on it (ProbeConnection.run); later failures end the promotion, as with a session of its own.
        boolean inRecovery;
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT pg_is_in_recovery()")) {
          r.next();
          inRecovery = r.getBoolean(1);
        }
        promoteOn(AdminSession.over(c, jdbc, op), inRecovery, fencingToken, t0);
        return null;
      });
    } catch (SQLException e) {
      throw new PostgresException(op + " failed: " + jdbc.describe(e), e);
    }
  }

  private void promoteOn(AdminSession session, boolean inRecovery, long fencingToken, long t0) throws SQLException {
    String op = "promote";
    long t1 = System.nanoTime();
    // The token first, so that it is readable before the first write on the new timeline: the file written and the
    // reload sent, then awaited, all before pg_promote() below.
    Map<String, String> roleSettings = inRecovery ? config.currentRoleSettings() : Map.of();
    if (inRecovery) {
      // Before pg_promote(): from the first write on the new timeline its epoch is on disk, so no crash can leave
      // a primary whose fork nothing names. A promotion that fails afterwards leaves a record for a timeline the
      // data never reached, which the probe ignores (it must match the data's timeline).
      // The two durable writes (each an fsync, 10-100 ms on this machine's disk, on the switchover's critical path)
      // run at the same time: the configuration file on a thread of its own, the epoch record on this one (its facts
      // come over the session, which only this thread may use). The reload is sent after both, so PostgreSQL reads
      // the file complete; pg_promote() waits for both and for the reload.
      FutureTask<Void> written = new FutureTask<>(() -> {
        config.write(fencingToken, roleSettings);
        return null;
      });
      Thread writer = new Thread(written, "pgquorum-promote-config");
      writer.setDaemon(true);
      writer.start();
      try {
        recordPromotion(session, fencingToken);
      } finally {
        awaitWritten(written);
      }
    } else {
      config.write(fencingToken, roleSettings);
    }
    long t2 = System.nanoTime();
    session.reload();
    session.await(ConfigWriter.FENCING_TOKEN, Long.toString(fencingToken), ctx.pgCtlTimeout(), ctx.redactor::apply);
    long t3 = System.nanoTime();
    if (inRecovery && !session.promote(ctx.pgCtlTimeout())) {
      throw new PostgresException(op + ": the server is still in recovery " + ctx.pgCtlTimeout().toSeconds()
          + " s after the promote request (pg_ctl_timeout)");
    }
    long t4 = System.nanoTime();
    // The standby settings mean nothing on a primary; drop them so the files say what the server is.
    config.signals(false);
    config.write(fencingToken, Map.of());
    session.reload();
    if (inRecovery) {
      LOG.info("promoted PostgreSQL with fencing token {} (in {} ms: session {}, configuration and epoch record {},"
          + " reload {}, out of recovery {})", fencingToken, ms(t4 - t0), ms(t1 - t0), ms(t2 - t1), ms(t3 - t2),
          ms(t4 - t3));
    } else {
      // A primary that took the lock again (its old one expired) only takes the new lock's token.
      LOG.info("PostgreSQL was already primary; it now runs with the new lock's fencing token {}", fencingToken);
    }
  }

  /** Waits for the configuration write of a promotion; its failure is the promotion's. */
  private static void awaitWritten(FutureTask<Void> written) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          written.get();
          return;
        } catch (InterruptedException e) {
          interrupted = true; // the write is short and bounded by the disk; finish waiting, then re-assert
        } catch (ExecutionException e) {
          if (e.getCause() instanceof RuntimeException re) {
            throw re;
          }
          throw new PostgresException("writing the configuration for the promotion failed: " + e.getCause(),
              e.getCause());
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static long ms(long nanos) {
    return nanos / 1_000_000;
  }

  /**
   * Records {@code fencingToken} as the epoch of the timeline the promotion about to happen creates, after the epochs
   * of the data's earlier timelines (the line so far, {@link TimelineEpochLine#extendedWith}): one past the newest
   * timeline this server knows (its own, or a history file in pg_wal, which PostgreSQL's own choice of the
   * new timeline also skips). A newer history file only in the archive makes PostgreSQL pick a later number; the
   * record then does not match the data and the epoch stays unknown, which is safe. A record that cannot be written
   * is only logged: the epoch is then unknown (no rule judges it), while refusing the promotion would stop failover.
   * What it needs is read over the promotion's session ({@link StateProbe#promotionFacts}), not by a whole probe.
   */
  private void recordPromotion(AdminSession session, long fencingToken) throws SQLException {
    try {
      long t0 = System.nanoTime();
      StateProbe.PromotionFacts now = prober.promotionFacts(session.connection());
      int next = Math.max(now.timeline(), HistoryFile.newestIn(ctx.dataDir)) + 1;
      long t1 = System.nanoTime();
      TimelineEpochRecord.of(ctx.dataDir).write(now.systemIdentifier(),
          now.epochLine().extendedWith(new TimelineEpoch(next, fencingToken)));
      LOG.info("recorded fencing token {} as the epoch of timeline {} (probe {} ms, durable write {} ms)", fencingToken,
          next, ms(t1 - t0), ms(System.nanoTime() - t1));
    } catch (PostgresException | IllegalArgumentException e) {
      LOG.warn("could not record the new timeline's epoch (it stays unknown): {}", e.getMessage());
    }
  }

  @Override
  public TimelineEpochLine epochLine() {
    return prober.probe().epochLine();
  }

  @Override
  public void recordEpochLine(TimelineEpochLine line) {
    TimelineEpochRecord record = TimelineEpochRecord.of(ctx.dataDir);
    if (line.isEmpty()) {
      record.forget();
      return;
    }
    try {
      record.write(pgCtl.controlData().systemIdentifier(), line);
    } catch (PostgresException e) {
      // An earlier record left in place could name another fork for this data (a copy restored over it with
      // --delta): removed, the epoch is unknown, which is safe. Only if that fails too does the caller fail.
      LOG.warn("{}; the epoch is left unknown", e.getMessage());
      record.forget();
      return;
    }
    LOG.info("recorded the epochs of this data's timelines (timeline:fencing token): {}", line);
  }

  @Override
  public void follow(Upstream upstream) {
    follow(upstream, "follow ", true);
  }

  @Override
  public void catchUpFrom(Upstream upstream) {
    follow(upstream, "catch up from ", false);
  }

  /** Writes the standby settings for {@code upstream} (with this member's slot or none) and reloads. */
  private void follow(Upstream upstream, String verb, boolean slot) {
    String op = verb + ReplicaCreator.describe(upstream);
    requireRunning(op);
    try (AdminSession session = AdminSession.open(jdbc, op)) {
      if (!session.inRecovery()) {
        throw new PostgresException(op + ": the server is a primary; it must be stopped and started as a replica");
      }
      ctx.writePgPass();
      Map<String, String> settings = new java.util.LinkedHashMap<>(config.replicaSettings(upstream));
      if (!slot) {
        settings.remove("primary_slot_name");
      }
      config.writeStandby(config.currentToken().orElse(0), settings);
      // An archive-only standby leader has no primary_conninfo: PostgreSQL then shows ''.
      session.reloadAndAwait("primary_conninfo", settings.getOrDefault("primary_conninfo", ""), ctx.pgCtlTimeout(),
          ctx.redactor::apply);
    }
    LOG.info("{}{}", slot ? "following " : "catching up from ", ReplicaCreator.describe(upstream));
  }

  @Override
  public void cloneReplica(Upstream upstream) {
    replicaCreator.cloneFrom(upstream);
  }

  @Override
  public void cloneReplica(Upstream upstream, boolean basebackupOnly) {
    replicaCreator.cloneFrom(upstream, basebackupOnly);
  }

  @Override
  public void recloneReplica(Upstream upstream, boolean basebackupOnly, String reason) {
    replicaCreator.recloneFrom(upstream, basebackupOnly, () -> moveDataDirectoryAside(reason),
        this::wasStandby);
  }

  /**
   * Whether overwriting this stopped copy in place ({@code --delta}) loses nothing: true only for a copy that was a
   * standby when it last stopped (pg_control's state), since a standby writes no WAL of its own and holds only what
   * it replayed from elsewhere. A former primary may hold the only copy of writes nobody else has (a fork, a
   * primary that lost its lease): it is moved aside instead, as pgquorum deletes nothing it did not create. Read
   * from the control file alone, so the check needs no upstream and cannot hang; one that cannot be made counts
   * as a former primary.
   */
  private boolean wasStandby() {
    try {
      return pgCtl.controlData().wasInRecovery();
    } catch (PostgresException e) {
      LOG.info("not reusing the data directory for a restore: {}", e.getMessage());
      return false;
    }
  }

  @Override
  public void cloneAgainWithout(Upstream upstream, List<String> skip, String reason) {
    replicaCreator.cloneAgainWithout(upstream, skip, () -> moveDataDirectoryAside(reason));
  }

  @Override
  public Map<String, Object> lastReplicaCreation() {
    return replicaCreator.lastCreation();
  }

  @Override
  public void reload() {
    String op = "reload";
    requireRunning(op);
    ctx.writePgPass();
    // Same role and token as last written: a reload changes parameters, never what the server is.
    config.write(config.currentToken().orElse(0), config.currentRoleSettings());
    try {
      execute(op, "SELECT pg_reload_conf()");
    } finally {
      jdbc.reloadSent(); // also when the answer was lost: the signal may have been sent
    }
    LOG.info("rewrote PostgreSQL's configuration and reloaded it");
  }

  @Override
  public void ownSynchronousStandbyNames(Optional<String> value) {
    config.ownStandbyNames(value);
    LOG.info("PostgreSQL starts as primary with synchronous_standby_names '{}'", value.orElse(""));
  }

  @Override
  public void setSynchronousStandbyNames(Optional<String> value) {
    String op = "set synchronous_standby_names";
    requireRunning(op);
    config.ownStandbyNames(value);
    config.write(config.currentToken().orElse(0), config.currentRoleSettings());
    String expected = config.standbyNamesInFile();
    try (AdminSession session = AdminSession.open(jdbc, op)) {
      session.reloadAndAwait(ConfigWriter.STANDBY_NAMES, expected, ctx.pgCtlTimeout(), ctx.redactor::apply);
      if (!session.inRecovery()) {
        // PostgreSQL releases waiting commits only when a standby's reply arrives, and a standby that has flushed
        // everything replies again only after wal_receiver_status_interval (10 s): without new WAL, commits that
        // waited for a standby just dropped from the setting would wait that long for the one just added. A
        // transaction id, committed without waiting, writes the WAL that makes every standby reply at once.
        session.nudgeStandbys();
      }
    }
    LOG.info("synchronous_standby_names is now '{}'{}", expected, value.isPresent() ? ""
        : " (the configured value: synchronous_mode is off)");
  }

  /**
   * Takes a re-read of this node's configuration file ({@code POST /reload}, SIGHUP): the next write of
   * PostgreSQL's configuration uses it. See {@link PgContext#replace} for what needs a restart of the daemon.
   */
  public void replaceConfig(NodeConfig next) {
    ctx.replace(next);
  }

  @Override
  public boolean rewind(Upstream upstream) {
    return rewinder.rewind(upstream);
  }

  @Override
  public boolean needsRewind(Upstream upstream) {
    return rewinder.needsRewind(upstream);
  }

  @Override
  public void moveDataDirectoryAside(String reason) {
    moveAside(reason, Optional.empty());
  }

  @Override
  public void moveDataDirectoryAsideForRestore(String restoreId) {
    moveAside("the cluster-wide restore " + restoreId + " (kept until the operator removes it)",
        Optional.of(".restore-" + restoreId));
  }

  private void moveAside(String reason, Optional<String> suffix) {
    String op = "move data directory aside";
    PostmasterPid.running(ctx.dataDir).ifPresent(p -> {
      throw new PostgresException(op + ": PostgreSQL is running (pid " + p.pid() + "); stop it first");
    });
    DataDirectory dir = new DataDirectory(ctx.dataDir);
    DataDirState state = dir.state();
    if (state == DataDirState.MISSING || state == DataDirState.EMPTY) {
      return; // nothing to keep
    }
    if (state == DataDirState.NOT_EMPTY) {
      // Not a data directory (a mistyped data_dir naming a home directory must not be renamed either).
      throw new PostgresException(op + ": postgresql.data_dir " + ctx.dataDir + " holds no PostgreSQL cluster; "
          + "pgquorum only moves aside data directories it can recognise");
    }
    java.nio.file.Path target = suffix.isPresent() ? dir.moveAside(suffix.get()) : dir.moveAside();
    // After the data: the record describes that data, so it follows it, and the next data directory starts with none.
    try {
      TimelineEpochRecord.of(ctx.dataDir).moveWith(target);
    } catch (PostgresException e) {
      // Left in place it could apply to the next copy of the same system on the same timeline: remove it then.
      LOG.warn("{}; removing it instead", e.getMessage());
      TimelineEpochRecord.of(ctx.dataDir).forget();
    }
    LOG.warn("moved the data directory {} aside to {}: {}", ctx.dataDir, target, reason);
  }

  @Override
  public void createSlotOn(Upstream upstream) {
    // A nostream replica streams from nobody and gets no slot anywhere (ConfigWriter writes it none either).
    if (upstream == null || upstream.remote().isPresent() || !upstream.streams() || !ctx.useSlots()
        || ctx.node.tags().nostream()) {
      return;
    }
    // pg_receivewal makes a physical slot over the replication connection the replica itself will use (same
    // role, passfile, address), and --if-not-exists leaves one the upstream made already alone.
    List<String> argv = List.of(ctx.bin("pg_receivewal"), "--create-slot", "--if-not-exists", "-S", ctx.slotName(),
        "-h", upstream.host(), "-p", Integer.toString(upstream.port()), "-U", ctx.pg.replication().username(), "-w");
    try {
      ctx.runner.check("create slot " + ctx.slotName() + " on " + ReplicaCreator.describe(upstream), argv,
          ctx.libpqEnv(), Duration.ofSeconds(30), OnTimeout.KILL_TREE);
      LOG.info("replication slot {} is ready on {}", ctx.slotName(), ReplicaCreator.describe(upstream));
    } catch (PostgresException e) {
      LOG.warn("could not make replication slot {} on {} (PostgreSQL retries until {} has made it): {}",
          ctx.slotName(), ReplicaCreator.describe(upstream), upstream.name(), e.getMessage());
    }
  }

  @Override
  public void syncReplicationSlots(Set<String> slotNames, java.util.Map<String, Long> advanceTo) {
    slots.sync(slotNames, advanceTo);
  }

  @Override
  public void advanceReplicationSlots(java.util.Map<String, Long> advanceTo) {
    slots.advanceOnly(advanceTo);
  }

  @Override
  public void syncLogicalSlots(List<io.pgquorum.coordinator.config.PermanentSlots.Slot> keep,
      java.util.Map<String, Long> advanceTo) {
    logicalSlots.sync(keep, advanceTo);
  }

  @Override
  public void copyLogicalSlots(Upstream from, List<io.pgquorum.coordinator.config.PermanentSlots.Slot> copy) {
    logicalSlots.copy(from, copy);
  }

  @Override
  public java.util.List<TimelineSwitch> timelineHistory(int timeline) {
    return HistoryFile.read(ctx.dataDir, timeline);
  }

  // ---- helpers ----

  private void requireStoppedCluster(String op) {
    Optional<PostmasterPid> pm = PostmasterPid.running(ctx.dataDir);
    if (pm.isPresent()) {
      throw new PostgresException(op + ": PostgreSQL is already running (pid " + pm.get().pid() + ")");
    }
    DataDirectory dir = new DataDirectory(ctx.dataDir);
    if (!dir.hasCluster()) {
      throw new PostgresException(op + ": there is no cluster in " + ctx.dataDir);
    }
    if (dir.state() == DataDirState.BOOTSTRAP_INCOMPLETE) {
      throw new PostgresException(op + ": the bootstrap of the cluster in " + ctx.dataDir + " did not finish");
    }
  }

  private void requireRunning(String op) {
    if (PostmasterPid.running(ctx.dataDir).isEmpty()) {
      throw new PostgresException(op + ": PostgreSQL is not running");
    }
  }

  /** pg_ctl -w returned; connections normally work at once, allow a short grace for the first one. */
  private void awaitConnection(String op) {
    long deadline = System.nanoTime() + ctx.shortTimeout().toNanos();
    String last = "no answer";
    do {
      try (Connection c = jdbc.probe()) {
        if (c.isValid(2)) {
          return;
        }
      } catch (SQLException e) {
        last = jdbc.describe(e);
      }
      Polling.pause(POLL, op);
    } while (System.nanoTime() < deadline);
    throw new PostgresException(op + ": the server started but does not accept pgquorum's connection: " + last);
  }

  @Override
  public void checkpoint() {
    execute("checkpoint before a planned stop", "CHECKPOINT");
  }

  private void execute(String op, String sql) {
    try (Connection c = jdbc.admin(); Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new PostgresException(op + " failed: " + jdbc.describe(e), e);
    }
  }

  private boolean queryBoolean(String op, String sql) {
    try (Connection c = jdbc.admin(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getBoolean(1);
    } catch (SQLException e) {
      throw new PostgresException(op + " failed: " + jdbc.describe(e), e);
    }
  }

  private long queryLong(String op, String sql) {
    try (Connection c = jdbc.admin(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      r.next();
      return Long.parseLong(r.getString(1).trim());
    } catch (SQLException e) {
      throw new PostgresException(op + " failed: " + jdbc.describe(e), e);
    } catch (NumberFormatException e) {
      throw new PostgresException(op + ": " + ConfigWriter.FENCING_TOKEN + " is not a number");
    }
  }
}
