package io.pgquorum.backrest.run;

import java.util.Locale;

/**
 * {@code --target-action}: what PostgreSQL does on reaching the target. pgBackRest's default is pause, which leaves
 * a node waiting for ever for someone to call pg_wal_replay_resume(); pgquorum always says which one it means.
 */
public enum TargetAction {
  PAUSE,
  PROMOTE,
  SHUTDOWN;

  public String pgbackrestName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
