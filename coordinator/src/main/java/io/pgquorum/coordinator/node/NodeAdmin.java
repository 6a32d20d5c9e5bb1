package io.pgquorum.coordinator.node;

import io.pgquorum.coordinator.rest.AdminActions;
import java.util.Map;
import java.util.Optional;

/**
 * The node's admin endpoints, composed of one part per area so that each area's rules live in their own class:
 * switchover and failover (the {@code failover} key), the dynamic configuration (the {@code config} key, which
 * includes maintenance mode), operations on the local PostgreSQL (restart, reload, reinitialize), and pgBackRest's
 * backups. A part not
 * built yet answers 503 naming what is unavailable ({@link AdminActions.Unsupported}).
 */
final class NodeAdmin implements AdminActions {
  private final AdminActions switchovers;
  private final AdminActions config;
  private final AdminActions local;
  private final AdminActions backups;

  NodeAdmin(AdminActions switchovers, AdminActions config, AdminActions local) {
    this(switchovers, config, local, AdminActions.unsupported());
  }

  /** With pgBackRest's backup endpoints ({@code BackupAdmin}). */
  NodeAdmin(AdminActions switchovers, AdminActions config, AdminActions local, AdminActions backups) {
    this.switchovers = switchovers;
    this.config = config;
    this.local = local;
    this.backups = backups;
  }

  @Override
  public Result switchover(String leader, Optional<String> candidate, Optional<String> scheduledAt) {
    return switchovers.switchover(leader, candidate, scheduledAt);
  }

  @Override
  public Result failover(Optional<String> candidate) {
    return switchovers.failover(candidate);
  }

  @Override
  public Result cancelSwitchover() {
    return switchovers.cancelSwitchover();
  }

  @Override
  public Result patchConfig(Map<String, Object> mergePatch) {
    return config.patchConfig(mergePatch);
  }

  @Override
  public Result putConfig(Map<String, Object> whole) {
    return config.putConfig(whole);
  }

  @Override
  public Result restart(RestartRequest request) {
    return local.restart(request);
  }

  @Override
  public Result cancelRestart() {
    return local.cancelRestart();
  }

  @Override
  public Result reload() {
    return local.reload();
  }

  @Override
  public Result reinitialize(boolean force, boolean fromLeader) {
    return local.reinitialize(force, fromLeader);
  }

  @Override
  public Result backup(Optional<String> type) {
    return backups.backup(type);
  }

  @Override
  public Result backupState() {
    return backups.backupState();
  }

  @Override
  public Result backups() {
    return backups.backups();
  }
}
