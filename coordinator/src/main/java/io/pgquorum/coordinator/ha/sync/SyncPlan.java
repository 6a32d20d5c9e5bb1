package io.pgquorum.coordinator.ha.sync;

import java.util.List;
import java.util.Optional;

/**
 * The synchronous replication steps of one cycle, in the order they must be performed (see {@link SyncStep}), and
 * what to tell the operator.
 */
public record SyncPlan(List<SyncStep> steps, Optional<SyncNotice> notice, Optional<String> noticeText) {
  public SyncPlan {
    steps = List.copyOf(steps);
  }

  static SyncPlan of(List<SyncStep> steps) {
    return new SyncPlan(steps, Optional.empty(), Optional.empty());
  }

  SyncPlan with(SyncNotice notice, Object... args) {
    return new SyncPlan(steps, Optional.of(notice), Optional.of(String.format(notice.template(), args)));
  }
}
