package io.pgquorum.coordinator.config;

import io.pgquorum.backrest.run.RestoreType;
import java.util.Locale;
import java.util.Optional;

/**
 * The built-in {@code bootstrap.method: backrest} ({@code bootstrap.backrest}): the initialize race winner restores
 * the stanza's backup with pgBackRest, recovers to the target and is promoted there, instead of running initdb.
 *
 * @param type latest (end of the archive), immediate (the backup's consistency point), time, lsn, xid or name
 * @param target the target of time, lsn, xid and name; empty for latest and immediate
 * @param targetExclusive stop just before the target (time, lsn, xid)
 * @param set the backup label; empty: pgBackRest's choice
 */
public record BackrestBootstrap(String type, Optional<String> target, boolean targetExclusive,
    Optional<String> set) {
  /** The defaults: restore the latest backup and replay the whole archive. */
  public static BackrestBootstrap latest() {
    return new BackrestBootstrap("latest", Optional.empty(), false, Optional.empty());
  }

  /** pgBackRest's {@code --type}: latest is its default (the end of the archive). */
  public RestoreType restoreType() {
    return type.equals("latest") ? RestoreType.DEFAULT : RestoreType.valueOf(type.toUpperCase(Locale.ROOT));
  }
}
