package io.pgquorum.coordinator.postgres;

import io.pgquorum.backrest.BackrestSettings;
import io.pgquorum.backrest.run.BackrestRunner;
import io.pgquorum.backrest.run.Outcome;
import io.pgquorum.backrest.run.RestoreRequest;
import io.pgquorum.backrest.run.RestoreType;
import io.pgquorum.backrest.run.TargetAction;
import io.pgquorum.coordinator.config.BackrestBootstrap;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in {@code bootstrap.method: backrest} (issue 13): restores the stanza's backup into the empty data
 * directory with {@code pgbackrest restore}, to the configured target with {@code --target-action=promote} (the
 * end of the archive for {@code latest}), and hands pgBackRest's recovery settings to the bootstrap as its
 * first-start settings.
 *
 * <p>Why the settings are moved out of {@code postgresql.auto.conf}: that file is read after pgquorum's and wins,
 * so a recovery target left there would apply to every later start (a promoted primary restarted would try to
 * recover to it again). As pending bootstrap settings they apply to the bootstrap's start only ({@link
 * Bootstrapper#finish} clears them); the restore_command is the backrest section's, as on replicas.
 */
final class BackrestBootstrapper {
  private static final Logger LOG = LoggerFactory.getLogger(BackrestBootstrapper.class);
  private static final Pattern SETTING = Pattern.compile("\\s*([A-Za-z_][A-Za-z0-9_.]*)\\s*=\\s*'(.*)'\\s*");

  private final PgContext ctx;

  BackrestBootstrapper(PgContext ctx) {
    this.ctx = ctx;
  }

  /** Restores; returns the recovery settings for the first start. Throws PostgresException naming the failure. */
  Map<String, String> restore(BackrestBootstrap b) {
    BackrestSettings settings = ctx.node.backrest().orElseThrow(() -> new PostgresException(
        "bootstrap.method is backrest but this node has no backrest section"));
    BackrestFiles.writeConf(ctx); // a brand-new node has written no configuration yet
    new DataDirectory(ctx.dataDir).create(); // empty here: pgBackRest restores only into an empty one
    RestoreType type = b.restoreType();
    // pgBackRest's default action is pause, which would leave the bootstrap waiting for ever: promote at the
    // target. Without a target (latest) recovery ends at the end of the archive and promotes by itself.
    Optional<TargetAction> action = type == RestoreType.DEFAULT ? Optional.empty()
        : Optional.of(TargetAction.PROMOTE);
    RestoreRequest request = new RestoreRequest(Optional.of(ctx.dataDir), false, type, b.target(), b.set(),
        action, false);
    LOG.info("bootstrap: restoring {} from the pgBackRest repository into {}, recovering to {}",
        b.set().map(s -> "backup " + s).orElse("pgBackRest's choice of backup"), ctx.dataDir,
        b.target().map(t -> b.type() + " " + t + (b.targetExclusive() ? " (exclusive)" : ""))
            .orElse(b.type().equals("latest") ? "the end of the archive" : "the backup's consistency point"));
    BackrestRunner runner = new BackrestRunner(settings, BackrestFiles.layout(ctx.node),
        BackrestFiles.libpqEnv(ctx.node));
    Outcome<?> done = runner.restore(request);
    if (done instanceof Outcome.Failed<?> f) {
      throw new PostgresException("bootstrap: pgbackrest restore failed: " + f.failure().describe());
    }
    Map<String, String> recovery = takeGeneratedRecovery();
    // The backrest section's restore_command (a primary's configuration has none: recovery needs one here).
    recovery.remove("restore_command");
    recovery = new LinkedHashMap<>(BackrestFiles.withRestoreCommand(ctx, recovery));
    if (b.targetExclusive()) {
      recovery.put("recovery_target_inclusive", "false");
    }
    return recovery;
  }

  /** Removes pgBackRest's generated block from postgresql.auto.conf and returns its settings. */
  private Map<String, String> takeGeneratedRecovery() {
    Path auto = ctx.dataDir.resolve("postgresql.auto.conf");
    try {
      String before = Files.readString(auto, StandardCharsets.UTF_8);
      Map<String, String> settings = generatedSettings(before);
      FileWriting.writeAtomically(auto, BackrestReplica.withoutGeneratedRecovery(before)
          .getBytes(StandardCharsets.UTF_8), true);
      return settings;
    } catch (NoSuchFileException e) {
      return new LinkedHashMap<>();
    } catch (IOException e) {
      throw new PostgresException("bootstrap: reading pgBackRest's recovery settings in " + auto + " failed: "
          + e.getMessage(), e);
    }
  }

  /** The settings of pgBackRest's generated block (the lines right after its header), unquoted. */
  static Map<String, String> generatedSettings(String content) {
    Map<String, String> out = new LinkedHashMap<>();
    boolean inBlock = false;
    for (String line : content.split("\n", -1)) {
      if (line.startsWith(BackrestReplica.GENERATED_HEADER)) {
        inBlock = true;
        continue;
      }
      Matcher m = SETTING.matcher(line);
      if (inBlock && m.matches()) {
        out.put(m.group(1), m.group(2).replace("''", "'"));
        continue;
      }
      inBlock = false;
    }
    return out;
  }
}
