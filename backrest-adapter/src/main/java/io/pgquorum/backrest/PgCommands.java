package io.pgquorum.backrest;

import java.util.regex.Pattern;

/**
 * The {@code archive_command} and {@code restore_command} pgquorum sets in PostgreSQL. Both name the node's own
 * generated file with {@code --config}, so they never depend on /etc/pgbackrest.conf or on another node's paths.
 * PostgreSQL runs them through {@code sh -c}: every part that is not plainly safe is single-quoted.
 */
public final class PgCommands {
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_./=:@+-]+");

  private PgCommands() {}

  /** {@code pgbackrest --config=... --stanza=... archive-push %p} (%p is relative to the data directory). */
  public static String archiveCommand(BackrestSettings settings, NodeLayout node) {
    return base(settings, node) + " archive-push %p";
  }

  /** {@code pgbackrest --config=... --stanza=... archive-get %f "%p"}. */
  public static String restoreCommand(BackrestSettings settings, NodeLayout node) {
    return base(settings, node) + " archive-get %f \"%p\"";
  }

  private static String base(BackrestSettings settings, NodeLayout node) {
    String words = shellWord(settings.command()) + " " + shellWord("--config=" + node.confFile()) + " "
        + shellWord("--stanza=" + settings.stanza());
    // PostgreSQL expands %p/%f/%r before the shell sees the line: a literal % in a path must be written %%.
    return words.replace("%", "%%");
  }

  /** One word for sh: as is when plainly safe, else single-quoted (a quote inside becomes '\''). */
  static String shellWord(String s) {
    return SAFE.matcher(s).matches() ? s : "'" + s.replace("'", "'\\''") + "'";
  }
}
