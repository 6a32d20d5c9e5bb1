package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.dcs.planted.PlantedBugs;
import java.time.Duration;

/** Lock steps as the {@link Decider} plans them for a dynamic configuration (for executor tests). */
final class Plans {
  private Plans() {}

  static Action.AcquireLock acquire(DynamicConfig d) {
    return acquire(d, PlantedBugs.NONE);
  }

  static Action.AcquireLock acquire(DynamicConfig d, PlantedBugs bugs) {
    return new Action.AcquireLock(d.ttl(), LeaseTerms.of(d, bugs));
  }

  static Action.RefreshLock refresh(long token, DynamicConfig d) {
    return new Action.RefreshLock(token, LeaseTerms.of(d, PlantedBugs.NONE));
  }

  static Action.RearmLock rearm(long token, Duration ttl, DynamicConfig d) {
    return new Action.RearmLock(token, ttl, LeaseTerms.of(d, PlantedBugs.NONE));
  }
}
