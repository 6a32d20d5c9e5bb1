package io.pgquorum.pgctl;

import io.pgquorum.backrest.NodeLayout;
import io.pgquorum.backrest.info.StanzaInfo;
import io.pgquorum.backrest.restore.BackupChoice;
import io.pgquorum.backrest.restore.RecoveryTarget;
import io.pgquorum.backrest.restore.TargetKind;
import io.pgquorum.backrest.run.BackrestRunner;
import io.pgquorum.backrest.run.Outcome;
import io.pgquorum.coordinator.config.NodeConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * {@code pgctl restore (--target-time T | --target-lsn L | --target-xid X | --target-name N | --target-immediate)
 * [--set LABEL] [--exclusive] [--dry-run] [--force] [--to DIR [--port P]] [CLUSTER_NAME]}: a point-in-time
 * recovery from the cluster's pgBackRest repository, of the whole cluster ({@link ClusterRestore}) or, with
 * {@code --to}, of a separate non-archiving copy on this machine (the restore test, {@link RestoreCopy}). It chooses
 * the backup itself ({@link BackupChoice}), shows the plan and asks before doing anything.
 */
final class RestoreCommand {
  static final String NAME = "restore";
  private static final List<TargetKind> USER_TARGETS = List.of(TargetKind.TIME, TargetKind.LSN, TargetKind.XID,
      TargetKind.NAME, TargetKind.IMMEDIATE);

  private RestoreCommand() {}

  /** The options, validated: a target is always present unless {@code help}. */
  record Options(boolean help, Optional<String> cluster, Optional<RecoveryTarget> target, Optional<String> set,
      boolean dryRun, boolean force, Optional<Path> to, Optional<Integer> port) {}

  /** Parses the arguments after {@code restore} (with the model, {@link CommandTree}). */
  static Options parse(List<String> args) {
    return options(CommandTree.parse(NAME, args));
  }

  /** The options of a parsed restore: one recovery target, valid for its kind; --port only with --to. */
  static Options options(Invocation a) {
    boolean help = a.help();
    TargetKind kind = null;
    String value = null;
    for (Map.Entry<String, String> o : a.ordered()) {
      Optional<TargetKind> targetOption = USER_TARGETS.stream().filter(k -> k.option().equals(o.getKey()))
          .findFirst();
      if (targetOption.isEmpty()) {
        continue;
      }
      if (kind != null) {
        throw CtlException.usage(kind.option() + " and " + o.getKey() + " cannot be used together: a restore has"
            + " one recovery target");
      }
      kind = targetOption.get();
      value = targetOption.get().hasValue() ? o.getValue() : null;
    }
    Optional<String> to = a.value("--to");
    if (to.isPresent() && to.get().isBlank()) {
      throw CtlException.usage("--to needs a directory");
    }
    Optional<Path> dir = to.map(v -> Path.of(v).toAbsolutePath().normalize());
    Optional<String> cluster = a.positionals().stream().findFirst();
    Optional<String> set = a.value("--set");
    boolean exclusive = a.flag("--exclusive");
    boolean dryRun = a.flag("--dry-run");
    boolean force = a.flag("--force");
    Optional<String> port = a.value("--port");
    if (help) {
      return new Options(true, cluster, Optional.empty(), set, dryRun, force, dir, Optional.empty());
    }
    if (kind == null) {
      throw CtlException.usage("restore needs a recovery target: one of --target-time, --target-lsn, --target-xid,"
          + " --target-name or --target-immediate");
    }
    if (port.isPresent() && dir.isEmpty()) {
      throw CtlException.usage("--port needs --to: it is the port of the restored copy (the cluster keeps its"
          + " own)");
    }
    RecoveryTarget target;
    try {
      target = RecoveryTarget.of(kind, value, exclusive);
    } catch (IllegalArgumentException e) {
      throw CtlException.usage(e.getMessage());
    }
    return new Options(false, cluster, Optional.of(target), set, dryRun, force, dir,
        port.map(RestoreCommand::port));
  }

  private static int port(String v) {
    try {
      int p = Integer.parseInt(v.trim());
      if (p >= 1 && p <= 65535) {
        return p;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw CtlException.usage("invalid value for --port: '" + v + "' (a TCP port, 1-65535)");
  }

  static final String HELP = """
      Usage: pgctl [-c FILE] restore [OPTIONS] [CLUSTER_NAME]

        Point-in-time recovery from the cluster's pgBackRest repository. Chooses the
        backup (the newest that ends before a time or LSN target; the newest for the
        others), shows the plan and asks for confirmation.

        Without --to the whole cluster is restored in place. With --to DIR a separate
        copy is restored into DIR (new or empty) on this machine, with archive_mode
        off, started on its own port and promoted at the target: a restore test, or a
        way to fetch one table back. The running cluster is not touched.

      Options:
        --target-time TS       stop at this time; it must carry its zone
                               (2026-12-04 10:15:00+00, 2026-12-04T10:15:00Z)
        --target-lsn LSN       stop at this WAL location (0/3000060)
        --target-xid XID       stop at this transaction id
        --target-name NAME     stop at this restore point (pg_create_restore_point)
        --target-immediate     stop as soon as the backup is consistent
        --exclusive            stop just before the target (time, lsn, xid)
        --set LABEL            restore this backup (must end before a time/LSN target)
        --to DIR               restore a separate copy into DIR (the restore test)
        --port P               the copy's port (default: a free one); needs --to
        --dry-run              show the plan and exit
        --force                do not ask for confirmation
        -h, --help             show this message and exit
      """;

  /**
   * Runs the command: reads the repository, chooses the backup, shows the plan, asks, then restores.
   *
   * @param info the stanza as {@code pgbackrest info} reports it
   * @param copy the restore test ({@code --to})
   * @param cluster the restore in place (without {@code --to})
   */
  static int run(Options o, NodeConfig config, Supplier<Outcome<StanzaInfo>> info, Prompts prompts,
      RestoreCopy.Runner copy, ClusterRestore cluster, PrintStream out) {
    if (o.cluster().isPresent() && !o.cluster().get().equals(config.scope())) {
      throw CtlException.usage("cluster '" + o.cluster().get() + "' is not the cluster of this configuration, which "
          + "is '" + config.scope() + "'");
    }
    if (config.backrest().isEmpty()) {
      throw CtlException.failure("this node's configuration has no backrest section: restore reads the cluster's"
          + " pgBackRest repository through it");
    }
    o.to().ifPresent(RestoreCommand::checkEmpty);
    if (!o.force() && !o.dryRun()) {
      // Asked now, before the repository is read: a cron job without --force learns it at once.
      prompts.requireTerminal("restore asks for confirmation", "pass --force to restore without asking, or"
          + " --dry-run to see the plan");
    }
    Outcome<StanzaInfo> read = info.get();
    if (!(read instanceof Outcome.Ok<StanzaInfo> ok)) {
      throw CtlException.failure("cannot read the pgBackRest repository: "
          + ((Outcome.Failed<StanzaInfo>) read).failure().describe());
    }
    StanzaInfo stanza = ok.value();
    RecoveryTarget target = o.target().orElseThrow();
    BackupChoice choice = BackupChoice.choose(stanza, target, o.set());
    if (choice instanceof BackupChoice.NoUsableBackup none) {
      throw CtlException.failure(none.reason());
    }
    BackupChoice.Chosen chosen = (BackupChoice.Chosen) choice;
    int port = o.to().isPresent() ? o.port().orElseGet(RestoreCopy::freePort) : 0;
    RestorePlan plan = new RestorePlan(config.scope(), stanza.name(), chosen.backup(), o.set().isPresent(), target,
        o.to(), port);
    out.print(plan.text());
    if (o.dryRun()) {
      return 0;
    }
    if (!o.force()) {
      String question = o.to().isPresent() ? "Restore this copy into " + o.to().get() + "?"
          : "Restore the whole cluster " + config.scope() + " to this target?";
      if (!prompts.confirm(question)) {
        throw CtlException.failure("Aborted!");
      }
    }
    return o.to().isPresent() ? copy.restore(plan) : cluster.restore(plan, config, out);
  }

  /**
   * {@code pgbackrest info} through the node's own pgbackrest.conf, which the daemon writes before it starts
   * PostgreSQL: without it pgctl is not on a node of the cluster (or not as its user), and says so plainly.
   */
  static Outcome<StanzaInfo> info(BackrestRunner runner, NodeLayout layout) {
    if (!Files.isReadable(layout.confFile())) {
      throw CtlException.failure("restore reads the repository through this node's pgbackrest.conf ("
          + layout.confFile() + "), which does not exist or is not readable: run it on a node of the cluster, as"
          + " the user that runs PostgreSQL, once that node's PostgreSQL has started");
    }
    return runner.info();
  }

  /**
   * The restore test's directory must be new or empty: pgBackRest refuses a non-empty one without --delta, and
   * pgctl never deletes or overwrites anything there.
   */
  static void checkEmpty(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    if (!Files.isDirectory(dir)) {
      throw CtlException.failure("--to " + dir + " exists and is not a directory: give a new or empty directory");
    }
    try (Stream<Path> entries = Files.list(dir)) {
      if (entries.findAny().isPresent()) {
        throw CtlException.failure("--to " + dir + " is not empty: give a new or empty directory (restore never"
            + " deletes or overwrites anything)");
      }
    } catch (IOException e) {
      throw CtlException.failure("--to " + dir + " cannot be read: " + e.getMessage());
    }
  }
}
