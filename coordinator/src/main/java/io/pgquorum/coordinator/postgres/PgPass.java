package io.pgquorum.coordinator.postgres;

import io.pgquorum.coordinator.config.Credentials;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The libpq password file ({@code postgresql.pgpass}) pgquorum's tools use: pg_basebackup, pg_rewind, custom
 * methods, post_bootstrap, and the standby's walreceiver (through {@code passfile=} in primary_conninfo). This
 * is how passwords reach libpq without ever appearing on a command line or in a connection string.
 */
final class PgPass {
  private PgPass() {}

  /**
   * Writes one wildcard line per role that has a password ({@code *:*:*:user:password}), mode 0600, replacing
   * the file atomically so a walreceiver reading it concurrently sees the old or the new file, never half.
   * When two roles share a username, the first one listed wins.
   */
  static void write(Path file, List<Credentials> roles) {
    StringBuilder sb = new StringBuilder();
    Set<String> seen = new LinkedHashSet<>();
    for (Credentials c : roles) {
      if (c.password().isEmpty() || !seen.add(c.username())) {
        continue;
      }
      sb.append("*:*:*:").append(escape(c.username())).append(':').append(escape(c.password().get())).append('\n');
    }
    try {
      Path abs = file.toAbsolutePath();
      Files.createDirectories(abs.getParent());
      FileWriting.writeAtomically(abs, sb.toString().getBytes(StandardCharsets.UTF_8), true);
    } catch (IOException e) {
      throw new PostgresException("writing the password file " + file + " failed: " + e.getMessage(), e);
    }
  }

  static String escape(String field) {
    return field.replace("\\", "\\\\").replace(":", "\\:");
  }
}
