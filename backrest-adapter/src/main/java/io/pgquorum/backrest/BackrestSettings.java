package io.pgquorum.backrest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code backrest} section, validated (see {@link BackrestKeys} for every key's default, unit and reason, and
 * {@link BackrestSection#parse} for the parser). Its presence in the node's file turns pgBackRest on.
 *
 * @param options further pgBackRest options for {@code [global]}, in the order written; values as pgBackRest
 *     reads them (booleans already y/n); a list value becomes one line per element
 */
public record BackrestSettings(String stanza, String command, Repo repo1, int processMax,
    Map<String, List<String>> options, BackupSchedules schedules, Duration commandTimeout, Duration backupTimeout,
    Duration restoreTimeout) {

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
