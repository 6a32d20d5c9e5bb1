package io.pgquorum.backrest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

/**
 * One node's pgbackrest.conf, and the archive/restore commands pgquorum sets in PostgreSQL.
 *
 * <p>Each node gets a file of its own whose {@code pg1-path} is its own data directory: pgBackRest's archive-push
 * refuses to run when PostgreSQL's working directory differs from pg1-path ("[032] PostgreSQL working directory
 * ... is not the same as option pg1-path"), which is what a file copied between nodes produces after a failover.
 *
 * @param text the file's content (may hold secrets from {@code backrest.options}: written 0600, never logged)
 * @param redacted the same with secret values replaced, for logs and errors
 */
public record PgBackRestConf(String text, String redacted) {
  private static final String HIDDEN = "<redacted>";

  /** The file for {@code node} under {@code settings}. */
  public static PgBackRestConf render(BackrestSettings settings, NodeLayout node) {
    StringBuilder plain = new StringBuilder();
    StringBuilder shown = new StringBuilder();
    // Both texts are built line by line from the same calls, so they cannot differ except in secret values.
    Lines out = (name, value, secret) -> {
      plain.append(name).append('=').append(value).append('\n');
      shown.append(name).append('=').append(secret ? HIDDEN : value).append('\n');
    };
    header(plain, shown, "# Written by pgquorum from the backrest section of its configuration; edits are lost.");
    header(plain, shown, "[global]");
    out.line("repo1-type", "posix", false);
    out.line("repo1-path", settings.repo1().path().toString(), false);
    out.line("repo1-retention-full", Integer.toString(settings.repo1().retentionFull()), false);
    out.line("process-max", Integer.toString(settings.processMax()), false);
    out.line("lock-path", node.lockDir().toString(), false);
    out.line("log-path", node.logDir().toString(), false);
    out.line("spool-path", node.spoolDir().toString(), false);
    if (!settings.options().containsKey("start-fast")) {
      // A scheduled backup should start now, not after the next checkpoint_timeout (up to an hour).
      out.line("start-fast", "y", false);
    }
    for (Map.Entry<String, List<String>> e : settings.options().entrySet()) {
      for (String v : e.getValue()) {
        out.line(e.getKey(), v, OwnedOptions.isSecret(e.getKey()));
      }
    }
    header(plain, shown, "");
    header(plain, shown, "[" + settings.stanza() + "]");
    out.line("pg1-path", node.dataDir().toString(), false);
    out.line("pg1-port", Integer.toString(node.port()), false);
    out.line("pg1-socket-path", node.socketDir().toString(), false);
    out.line("pg1-user", node.user(), false);
    return new PgBackRestConf(plain.toString(), shown.toString());
  }

  private static void header(StringBuilder plain, StringBuilder shown, String line) {
    plain.append(line).append('\n');
    shown.append(line).append('\n');
  }

  @FunctionalInterface
  private interface Lines {
    void line(String name, String value, boolean secret);
  }

  /**
   * Writes the file (owner-only: it may hold secrets) and creates the lock, log and spool directories; replaces
   * the previous file through a rename so a concurrently starting archive-push never reads half a file.
   */
  public void write(NodeLayout node) throws IOException {
    for (Path dir : List.of(node.workDir(), node.lockDir(), node.logDir(), node.spoolDir())) {
      Files.createDirectories(dir);
    }
    Path tmp = node.workDir().resolve("pgbackrest.conf.tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(tmp, text);
    Files.move(tmp, node.confFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  @Override
  public String toString() {
    return redacted;
  }
}
