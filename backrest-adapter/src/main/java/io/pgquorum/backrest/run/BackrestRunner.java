package io.pgquorum.backrest.run;

import io.pgquorum.backrest.BackrestSettings;
import io.pgquorum.backrest.BackupType;
import io.pgquorum.backrest.NodeLayout;
import io.pgquorum.backrest.info.InfoParser;
import io.pgquorum.backrest.info.StanzaInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs pgbackrest commands for one node: always with the node's generated file ({@code --config}) and the stanza,
 * each with its timeout from {@code backrest.*_timeout}, and returns typed {@link Outcome}s. Every run is logged as
 * its command line (which never holds secrets: they stay in the 0600 conf file) with its result.
 */
public final class BackrestRunner {
  private static final Logger LOG = LoggerFactory.getLogger(BackrestRunner.class);
  private static final Pattern WAL_NAME = Pattern.compile("[0-9A-F]{24}(\\.partial|\\.history|\\.[0-9A-F]{8}\\.backup)?"
      + "|[0-9A-F]{8}\\.history");

  private final BackrestSettings settings;
  private final NodeLayout node;
  private final java.util.Map<String, String> env;

  public BackrestRunner(BackrestSettings settings, NodeLayout node) {
    this(settings, node, java.util.Map.of());
  }

  /**
   * @param env added to each command's environment: the coordinator passes libpq's PGPASSFILE (its password
   *     file), since stanza-create and check connect to PostgreSQL as {@code pg1-user} and pgquorum's pg_hba asks
   *     for a password even on the socket; a file name, never a password, so nothing secret reaches a process list
   */
  public BackrestRunner(BackrestSettings settings, NodeLayout node, java.util.Map<String, String> env) {
    this.settings = settings;
    this.node = node;
    this.env = java.util.Map.copyOf(env);
  }

  public Outcome<CommandRun> stanzaCreate() {
    return plain(settings.commandTimeout(), "stanza-create");
  }

  /** Verifies the configuration and that WAL archiving works (forces a WAL switch and waits for the file). */
  public Outcome<CommandRun> check() {
    return plain(settings.commandTimeout(), "check");
  }

  public Outcome<CommandRun> backup(BackupType type) {
    return plain(settings.backupTimeout(), "--type=" + type.pgbackrestName(), "backup");
  }

  /**
   * The stanza's state. pgBackRest exits 0 even when the stanza does not exist: the answer's
   * {@link StanzaInfo#status()} says so, and callers must read it.
   */
  public Outcome<StanzaInfo> info() {
    ProcessExec.Result r = exec(settings.commandTimeout(), List.of("--output=json", "info"));
    Outcome<CommandRun> done = outcome(r, command(List.of("--output=json", "info")));
    if (!(done instanceof Outcome.Ok<CommandRun> ok)) {
      return new Outcome.Failed<>(((Outcome.Failed<CommandRun>) done).failure());
    }
    try {
      List<StanzaInfo> stanzas = InfoParser.parse(r.stdout());
      for (StanzaInfo s : stanzas) {
        if (s.name().equals(settings.stanza())) {
          return new Outcome.Ok<>(s, ok.value());
        }
      }
      return failed(FailureKind.BAD_OUTPUT, ok.value(), "no stanza " + settings.stanza() + " in the answer");
    } catch (IllegalArgumentException e) {
      return failed(FailureKind.BAD_OUTPUT, ok.value(), e.getMessage());
    }
  }

  public Outcome<CommandRun> restore(RestoreRequest request) {
    List<String> args = new ArrayList<>(request.arguments());
    args.add("restore");
    return plain(settings.restoreTimeout(), args.toArray(String[]::new));
  }

  /** Fetches one WAL (or history) file from the archive into {@code destination}. */
  public ArchiveGetResult archiveGet(String walName, Path destination) {
    if (!WAL_NAME.matcher(walName).matches()) {
      throw new IllegalArgumentException("not a WAL or history file name: \"" + walName + "\"");
    }
    List<String> args = List.of("archive-get", walName, destination.toString());
    ProcessExec.Result r = exec(settings.commandTimeout(), args);
    List<String> cmd = command(args);
    // Exit 1 with no error line is pgBackRest's "not in the archive" (2.45); any [nnn] error is a failure.
    if (r.exitCode() == 1 && !r.stderr().contains("ERROR:") && !r.stdout().contains("ERROR:")) {
      return new ArchiveGetResult.NotFound(run(cmd, r));
    }
    Outcome<CommandRun> o = outcome(r, cmd);
    return o instanceof Outcome.Ok<CommandRun> ok ? new ArchiveGetResult.Found(ok.value())
        : new ArchiveGetResult.Failed(((Outcome.Failed<CommandRun>) o).failure());
  }

  private Outcome<CommandRun> plain(Duration timeout, String... args) {
    ProcessExec.Result r = exec(timeout, List.of(args));
    return outcome(r, command(List.of(args)));
  }

  private ProcessExec.Result exec(Duration timeout, List<String> args) {
    List<String> cmd = command(args);
    LOG.info("running {}", String.join(" ", cmd));
    return ProcessExec.run(cmd, timeout, env);
  }

  private List<String> command(List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(settings.command());
    cmd.add("--config=" + node.confFile());
    cmd.add("--stanza=" + settings.stanza());
    cmd.addAll(args);
    return cmd;
  }

  private static Outcome<CommandRun> outcome(ProcessExec.Result r, List<String> cmd) {
    String line = String.join(" ", cmd);
    if (r.startError() != null) {
      return logged(new Outcome.Failed<>(new BackrestFailure(FailureKind.CANNOT_START, line, -1, r.startError())));
    }
    CommandRun run = run(cmd, r);
    if (r.timedOut()) {
      return logged(new Outcome.Failed<>(new BackrestFailure(FailureKind.TIMED_OUT, line, -1,
          "stopped after " + r.took().toSeconds() + " s")));
    }
    if (r.exitCode() != 0) {
      String output = r.stderr() + r.stdout();
      return logged(new Outcome.Failed<>(new BackrestFailure(FailureKind.classify(r.exitCode(), output), line,
          r.exitCode(), errorText(output))));
    }
    LOG.info("{} succeeded in {} ms", line, r.took().toMillis());
    return new Outcome.Ok<>(run, run);
  }

  private static <T> Outcome<T> logged(Outcome.Failed<T> f) {
    LOG.warn("{}", f.failure().describe());
    return f;
  }

  private static <T> Outcome<T> failed(FailureKind kind, CommandRun run, String detail) {
    return logged(new Outcome.Failed<>(new BackrestFailure(kind, run.commandLine(), run.exitCode(), detail)));
  }

  private static CommandRun run(List<String> cmd, ProcessExec.Result r) {
    return new CommandRun(cmd, r.exitCode(), r.stdout(), r.stderr(), r.took());
  }

  /**
   * pgBackRest's warnings and its ERROR line, each with the lines that continue it (HINTs), joined; else the
   * output's last line. Warnings are kept because they often hold the cause ([056] "unable to find primary" comes
   * after "WARN: unable to check pg1: [DbConnectError] ..."). Continuation lines are indented.
   */
  static String errorText(String output) {
    List<String> lines = output.lines().toList();
    List<String> parts = new ArrayList<>();
    boolean error = false;
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i);
      if (l.startsWith("ERROR:") || l.startsWith("WARN:")) {
        error |= l.startsWith("ERROR:");
        StringBuilder b = new StringBuilder(l.trim());
        for (int j = i + 1; j < lines.size() && lines.get(j).startsWith(" "); j++) {
          b.append(' ').append(lines.get(j).trim());
        }
        parts.add(b.toString());
      }
    }
    if (error) {
      // The ERROR first: it is what failed; the warnings after it explain why.
      parts.sort((a, b) -> Boolean.compare(!a.startsWith("ERROR:"), !b.startsWith("ERROR:")));
      return String.join("; ", parts);
    }
    return lines.isEmpty() ? "no output" : lines.get(lines.size() - 1).trim();
  }
}
