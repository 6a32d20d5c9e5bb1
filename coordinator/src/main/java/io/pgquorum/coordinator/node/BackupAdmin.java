package io.pgquorum.coordinator.node;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgquorum.backrest.BackupType;
import io.pgquorum.backrest.run.BackrestRunner;
import io.pgquorum.backrest.run.Outcome;
import io.pgquorum.coordinator.ha.BackupJob;
import io.pgquorum.coordinator.ha.NodeStatus;
import io.pgquorum.coordinator.rest.AdminActions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The backup endpoints ({@code POST /backup}, {@code GET /backup}, {@code GET /backups}), for {@code pgctl backup}
 * and {@code pgctl backups}. A requested backup runs on the leader only (the node holding the lock, running as
 * primary: pgBackRest backs up the primary of its pg1-path), on the node's one backup job, so it never runs beside
 * a scheduled one; it is not recorded in the {@code backups} key (it fills no slot). Allowed while paused: it is
 * the operator's own request, as Patroni allows a restart then.
 */
final class BackupAdmin extends AdminActions.Unsupported {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String OFF = "pgBackRest is not configured on this node (no backrest section)";

  private final BackupJob job;
  private final Optional<BackrestRunner> runner;
  private final Supplier<NodeStatus> status;

  BackupAdmin(BackupJob job, Optional<BackrestRunner> runner, Supplier<NodeStatus> status) {
    this.job = job;
    this.runner = runner;
    this.status = status;
  }

  @Override
  public Result backup(Optional<String> type) {
    if (job.plan().isEmpty()) {
      return new Result(503, OFF);
    }
    NodeStatus s = status.get();
    if (s == null) {
      return new Result(503, "the HA loop is not running yet");
    }
    if (!s.holdsLock() || !s.pg().isPrimary()) {
      Optional<String> leader = s.cluster().flatMap(c -> c.leader()).map(l -> l.name());
      return new Result(503, "not the leader: a backup runs on the leader"
          + leader.map(l -> " (" + l + ")").orElse(" (there is none now)"));
    }
    BackupType t = BackupType.of(type.orElse("incr"));
    if (!job.start(new BackupJob.Work("manual", false, Optional.of(t)), failure -> { })) {
      return new Result(409, "a backup is already running on " + s.name() + " (GET /backup shows it)");
    }
    return new Result(202, t.pgbackrestName() + " backup started on " + s.name());
  }

  @Override
  public Result backupState() {
    if (job.plan().isEmpty()) {
      return new Result(503, OFF);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    NodeStatus s = status.get();
    if (s != null) {
      m.put("member", s.name());
    }
    m.putAll(job.describe());
    try {
      return new Result(200, JSON.writeValueAsString(m));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public Result backups() {
    if (runner.isEmpty()) {
      return new Result(503, OFF);
    }
    Outcome<?> info = runner.get().info();
    if (info instanceof Outcome.Ok<?> ok) {
      return new Result(200, ok.run().stdout()); // pgBackRest's own JSON: what its documentation describes
    }
    return new Result(503, "pgbackrest info failed: " + ((Outcome.Failed<?>) info).failure().describe());
  }
}
