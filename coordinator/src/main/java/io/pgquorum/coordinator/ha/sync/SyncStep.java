package io.pgquorum.coordinator.ha.sync;

import io.pgquorum.coordinator.cluster.SyncState;

/**
 * One step of a cycle's synchronous replication plan, performed in order. A {@link Publish} or {@link Delete} is a
 * compare-and-set on the revision the {@code sync} key had when read this cycle (then on the one the previous step
 * wrote); when it fails, the remaining steps are skipped: someone else changed the key, the next cycle starts over
 * from what is there ({@link SyncNotice#KEY_CHANGED}).
 */
public sealed interface SyncStep {
  /** Writes the {@code sync} key (its revision component is ignored: the executor chains the revisions). */
  record Publish(SyncState next) implements SyncStep {
    @Override
    public String toString() {
      return "publish-sync leader=" + next.leader().orElse("none") + " sync_standby=("
          + String.join(",", next.syncStandbys()) + ") quorum=" + next.quorum();
    }
  }

  /** Deletes the {@code sync} key (synchronous mode turned off). */
  record Delete() implements SyncStep {
    @Override
    public String toString() {
      return "delete-sync";
    }
  }

  /** Sets {@code synchronous_standby_names} and reloads; PostgreSQL applies it at once to waiting commits. */
  record SetStandbyNames(SyncStandbyNames names) implements SyncStep {
    @Override
    public String toString() {
      return "set-standby-names " + names;
    }
  }
}
