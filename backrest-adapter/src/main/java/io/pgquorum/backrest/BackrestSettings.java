package io.pgquorum.backrest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code backrest} section, validated (see {@link BackrestKeys} for every key's default, unit and reason, and
 * {@link BackrestSection#parse} for the parser). Its presence in the node's file turns pgBackRest on.
 *
 * @param options further pgBackRest options for {@code [global]}, in the order written; values as pgBackRest
 *     reads them (booleans already y/n); a list value becomes one line per element
 */
public record BackrestSettings(String stanza, String command, Repo repo1, int processMax,
    Map<String, List<String>> options, BackupSchedules schedules, Duration commandTimeout, Duration backupTimeout,
    Duration restoreTimeout, Duration catchUp, AfterPromotion afterPromotion, Duration infoInterval) {

  /** Settings with the health probe's interval at its default ({@link BackrestKeys#INFO_INTERVAL}). */
  public BackrestSettings(String stanza, String command, Repo repo1, int processMax,
      Map<String, List<String>> options, BackupSchedules schedules, Duration commandTimeout, Duration backupTimeout,
      Duration restoreTimeout, Duration catchUp, AfterPromotion afterPromotion) {
    this(stanza, command, repo1, processMax, options, schedules, commandTimeout, backupTimeout, restoreTimeout,
        catchUp, afterPromotion, Duration.ofSeconds(BackrestKeys.INFO_INTERVAL.defaultLong()));
  }

  /**
   * {@code backrest.after_promotion}: what a newly promoted primary does once per new timeline.
   *
   * @param backup the backup to take, empty for none
   */
  public record AfterPromotion(boolean check, Optional<BackupType> backup) {
    /** The defaults ({@link BackrestKeys#AFTER_PROMOTION_CHECK}, {@link BackrestKeys#AFTER_PROMOTION_BACKUP}). */
    public static final AfterPromotion DEFAULT = new AfterPromotion(true, Optional.of(BackupType.INCR));

    public boolean any() {
      return check || backup.isPresent();
    }
  }

  /** Settings with the backup-planning keys at their defaults (callers that only run commands). */
  public BackrestSettings(String stanza, String command, Repo repo1, int processMax,
      Map<String, List<String>> options, BackupSchedules schedules, Duration commandTimeout, Duration backupTimeout,
      Duration restoreTimeout) {
    this(stanza, command, repo1, processMax, options, schedules, commandTimeout, backupTimeout, restoreTimeout,
        Duration.ofSeconds(BackrestKeys.SCHEDULE_CATCH_UP.defaultLong()), AfterPromotion.DEFAULT);
  }

  /** The repository types pgquorum accepts; only posix until others are tested. */
  public enum RepoType {
    POSIX
  }

  /** {@code backrest.repo1}. */
  public record Repo(RepoType type, Path path, int retentionFull) {}

  public BackrestSettings {
    // Order kept: the generated file lists options as the operator wrote them.
    options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
  }
}
