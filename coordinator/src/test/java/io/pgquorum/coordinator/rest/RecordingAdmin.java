package io.pgquorum.coordinator.rest;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** Admin actions that record each call and answer a fixed status, so tests see exactly what was delegated. */
class RecordingAdmin implements AdminActions {
  final List<List<Object>> calls = new CopyOnWriteArrayList<>();

  private Result record(int status, Object... call) {
    calls.add(java.util.Arrays.asList(call));
    return new Result(status, "done: " + call[0]);
  }

  @Override
  public Result switchover(String leader, Optional<String> candidate, Optional<String> scheduledAt) {
    return record(scheduledAt.isPresent() ? 202 : 200, "switchover", leader, candidate, scheduledAt);
  }

  @Override
  public Result failover(Optional<String> candidate) {
    return record(200, "failover", candidate);
  }

  @Override
  public Result patchConfig(Map<String, Object> mergePatch) {
    return record(200, "patchConfig", mergePatch);
  }

  @Override
  public Result restart(RestartRequest request) {
    if (request.equals(RestartRequest.NOW)) {
      return record(200, "restart");
    }
    return record(request.schedule().isPresent() ? 202 : 200, "restart", request);
  }

  @Override
  public Result reload() {
    return record(202, "reload");
  }

  @Override
  public Result reinitialize(boolean force, boolean fromLeader) {
    if (fromLeader) {
      return record(200, "reinitialize", force, "from_leader");
    }
    return record(200, "reinitialize", force);
  }

  @Override
  public Result backup(Optional<String> type) {
    return record(202, "backup", type);
  }

  @Override
  public Result backups() {
    calls.add(List.of("backups"));
    return new Result(200, "[{\"name\":\"demo\"}]");
  }
}
