package io.pgquorum.coordinator.postgres;

import io.pgquorum.backrest.BackrestSettings;
import io.pgquorum.backrest.NodeLayout;
import io.pgquorum.backrest.PgBackRestConf;
import io.pgquorum.backrest.PgCommands;
import io.pgquorum.coordinator.config.NodeConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the {@code backrest} section changes in this node's PostgreSQL files (issue 13): the node's own
 * pgbackrest.conf, and archive_mode, archive_command and restore_command. Without the section every method here
 * is a no-op, so a Patroni-style configuration (archive commands in {@code postgresql.parameters} and
 * {@code recovery_conf}) works exactly as before.
 *
 * <p>Precedence: the values derived from the section are defaults under everything the operator wrote. An
 * explicit {@code archive_mode}/{@code archive_command} in the dynamic or local {@code parameters}, or a
 * {@code restore_command} in {@code recovery_conf}, wins, because an operator who wrote one did so on purpose
 * (an extra step around archive-push, another stanza, archiving switched off for a while) and a silent override
 * would be a surprise; the override is logged once so nobody wonders why the section's command is not in use.
 */
public final class BackrestFiles {
  private BackrestFiles() {}

  /**
   * Where this node's pgBackRest files go. The work directory is {@code <data dir>.pgbackrest} next to the data
   * directory (where pgquorum already keeps the postmaster's startup log), because it must be the node's own (two
   * nodes on one host must not share pgBackRest's lock or spool), outside the data directory (pg_basebackup and
   * pg_rewind copy that between members, and a re-clone moves it aside), and tied to this PostgreSQL rather than
   * to the Raft data directory, which holds DCS state and may sit on another disk.
   */
  public static NodeLayout layout(NodeConfig node) {
    Path dataDir = node.postgresql().dataDir().toAbsolutePath().normalize();
    Path parent = dataDir.getParent();
    Path runtimeDir = parent == null ? dataDir : parent;
    int port = node.postgresql().listen().port();
    return new NodeLayout(dataDir, port, PgContext.socketDirFor(runtimeDir, port),
        runtimeDir.resolve(dataDir.getFileName() + ".pgbackrest"), node.postgresql().superuser().username());
  }

  /**
   * The environment pgbackrest commands run with: stanza-create and check connect to PostgreSQL as the superuser
   * through the socket, and pgquorum's pg_hba asks for a password there too, so they need pgquorum's password file
   * (as pg_basebackup and pg_rewind do, {@link PgContext#libpqEnv}).
   */
  public static Map<String, String> libpqEnv(NodeConfig node) {
    return Map.of("PGPASSFILE", node.postgresql().pgpass().toAbsolutePath().normalize().toString(),
        "PGCONNECT_TIMEOUT", "10");
  }

  /** archive_mode and archive_command from the section, or nothing when it is absent. */
  static Map<String, String> parameters(PgContext ctx) {
    Optional<BackrestSettings> settings = ctx.node.backrest();
    if (settings.isEmpty()) {
      return Map.of();
    }
    Map<String, String> p = new LinkedHashMap<>();
    p.put("archive_mode", "on");
    p.put("archive_command", PgCommands.archiveCommand(settings.get(), layout(ctx.node)));
    return p;
  }

  /** {@code recoveryConf} with the section's restore_command added when it has none (an explicit one wins). */
  static Map<String, String> withRestoreCommand(PgContext ctx, Map<String, String> recoveryConf) {
    Optional<BackrestSettings> settings = ctx.node.backrest();
    if (settings.isEmpty() || recoveryConf.containsKey("restore_command")) {
      return recoveryConf;
    }
    Map<String, String> r = new LinkedHashMap<>(recoveryConf);
    r.put("restore_command", PgCommands.restoreCommand(settings.get(), layout(ctx.node)));
    return r;
  }

  /**
   * Writes this node's pgbackrest.conf (0600, replaced atomically) before PostgreSQL's own files, so that the
   * archive_command of the server about to start finds it. Rewritten on every write, so a reload that changed
   * the section takes effect with PostgreSQL's reload.
   */
  static void writeConf(PgContext ctx) {
    Optional<BackrestSettings> settings = ctx.node.backrest();
    if (settings.isEmpty()) {
      return;
    }
    NodeLayout layout = layout(ctx.node);
    try {
      PgBackRestConf.render(settings.get(), layout).write(layout);
    } catch (IOException e) {
      throw new PostgresException("writing " + layout.confFile() + " failed: " + e.getMessage(), e);
    }
  }
}
