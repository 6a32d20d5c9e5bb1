package io.pgquorum.backrest;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * pgBackRest options that pgquorum writes into each node's pgbackrest.conf itself, so {@code backrest.options}
 * must not set them: a second value would either be refused by pgBackRest or, worse, silently win (a shared
 * {@code pg1-path} is exactly how archive-push fails with "working directory is not the same as option pg1-path").
 */
final class OwnedOptions {
  private static final Map<String, String> INSTEAD = Map.ofEntries(
      Map.entry("stanza", "use " + BackrestKeys.STANZA.path()),
      Map.entry("config", "pgquorum writes the file and passes --config"),
      Map.entry("repo1-type", "use " + BackrestKeys.REPO1_TYPE.path()),
      Map.entry("repo1-path", "use " + BackrestKeys.REPO1_PATH.path()),
      Map.entry("repo1-retention-full", "use " + BackrestKeys.REPO1_RETENTION_FULL.path()),
      Map.entry("process-max", "use " + BackrestKeys.PROCESS_MAX.path()),
      Map.entry("lock-path", "it lies in the node's own directory"),
      Map.entry("log-path", "it lies in the node's own directory"),
      Map.entry("spool-path", "it lies in the node's own directory"));
  /** pg1-path, pg1-port, pg2-host ...: each node's file names only its own PostgreSQL, from its own settings. */
  private static final Pattern PG_N = Pattern.compile("pg[0-9]+-.*");
  /** Only repo1 exists so far; repo2..N would need their own validation and tests. */
  private static final Pattern OTHER_REPO = Pattern.compile("repo([02-9]|[1-9][0-9]+)-.*");

  private OwnedOptions() {}

  /** Why {@code name} may not be given, and what to do instead; empty when it may. */
  static Optional<String> instead(String name) {
    if (INSTEAD.containsKey(name)) {
      return Optional.of(INSTEAD.get(name));
    }
    if (PG_N.matcher(name).matches()) {
      return Optional.of("each node's file names its own PostgreSQL (data directory, port, socket) as pg1");
    }
    if (OTHER_REPO.matcher(name).matches()) {
      return Optional.of("only repo1 is supported");
    }
    return Optional.empty();
  }

  /** Options whose values are secrets (cipher passphrases, keys, tokens): never shown in logs or errors. */
  static boolean isSecret(String name) {
    return name.contains("pass") || name.contains("key") || name.contains("secret") || name.contains("token");
  }
}
