package io.pgquorum.coordinator.postgres;

import io.pgquorum.backrest.info.BackupInfo;
import io.pgquorum.backrest.info.StanzaInfo;
import io.pgquorum.backrest.info.TimelineBackupChoice;
import java.util.List;
import java.util.Optional;

/**
 * Whether a replica can be built from the pgBackRest repository, and whether a data directory already there can be
 * reused for a {@code --delta} restore. Pure: the caller gathers the stanza's {@code info}, the system identifier
 * of the leader and of the local data directory, and acts on the answer.
 *
 * <p>Why the leader's system identifier is compared: a stanza can still hold backups of an earlier cluster of the
 * same scope (a cluster re-initialised with initdb while the repository was kept). A restore of those makes a
 * replica of another database, which could never stream from this leader; the restore is then refused up front and
 * the next method (pg_basebackup) runs instead.
 *
 * <p>Why the leader's timeline history is read: after a point-in-time recovery the newest backup can be one of the
 * old timeline that became consistent past the new timeline's branch point; PostgreSQL refuses that copy at its
 * first start, so the newest backup that can reach the leader's timeline ({@link TimelineBackupChoice}) is restored
 * with {@code --set}, and without one the method is skipped.
 */
final class BackrestReplicaSource {
  private BackrestReplicaSource() {}

  /** The repository's answer: usable (with whether to restore in place with --delta) or not, and why. */
  sealed interface Verdict {}

  /**
   * @param backup the backup to restore ({@code --set}): the newest that can reach the leader's timeline
   * @param delta restore into the existing data directory with {@code --delta}
   * @param skipped newer backups that cannot, with why (for the log)
   */
  record Usable(BackupInfo backup, boolean delta, List<String> skipped) implements Verdict {
    Usable {
      skipped = List.copyOf(skipped);
    }

    Usable(BackupInfo backup, boolean delta) {
      this(backup, delta, List.of());
    }
  }

  /** @param reason for the log and {@code /patroni}, naming what was found */
  record Unusable(String reason) implements Verdict {}

  /**
   * @param info the stanza as {@code pgbackrest info} reports it
   * @param leaderSystemId the system identifier of the member the replica will follow
   * @param leaderTimeline its current timeline
   * @param leaderHistory its history file for {@code leaderTimeline} (empty on timeline 1)
   * @param localSystemId the system identifier of the cluster in the data directory, empty when it holds none
   */
  static Verdict judge(StanzaInfo info, String leaderSystemId, int leaderTimeline,
      List<TimelineBackupChoice.Switch> leaderHistory, Optional<String> localSystemId) {
    if (info.status().stanzaMissing()) {
      return new Unusable("the repository has no stanza " + info.name() + " (" + info.status().message() + ")");
    }
    Optional<BackupInfo> latest = info.latest();
    if (latest.isEmpty()) {
      return new Unusable("the stanza " + info.name() + " has no backup yet (" + info.status().message() + ")");
    }
    if (!info.status().ok()) {
      return new Unusable("the stanza " + info.name() + " is not usable: " + info.status().message()
          + " (status code " + info.status().code() + ")");
    }
    List<Long> ids = info.systemIds();
    String repoSystemId = ids.isEmpty() ? "" : Long.toString(ids.get(ids.size() - 1));
    if (!repoSystemId.equals(leaderSystemId)) {
      return new Unusable("the stanza " + info.name() + " holds backups of database system " + repoSystemId
          + ", not of the leader's " + leaderSystemId);
    }
    // Same system: the directory is an earlier copy of this cluster, which --delta brings to the backup's state
    // by checksum (only changed files are copied). Another system's directory is moved aside by the caller.
    boolean delta = localSystemId.isPresent() && localSystemId.get().equals(leaderSystemId);
    TimelineBackupChoice.Choice choice = TimelineBackupChoice.choose(info.backups(), leaderTimeline, leaderHistory);
    if (choice instanceof TimelineBackupChoice.NoneUsable none) {
      return new Unusable("the stanza " + info.name() + ": " + none.reason() + "; the method is skipped");
    }
    TimelineBackupChoice.Chosen chosen = (TimelineBackupChoice.Chosen) choice;
    return new Usable(chosen.backup(), delta, chosen.skipped());
  }
}
