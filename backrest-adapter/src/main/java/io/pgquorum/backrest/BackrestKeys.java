package io.pgquorum.backrest;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The {@code backrest} section's keys (see {@link BackrestSection} for the parser). Keys that are pgBackRest
 * options keep pgBackRest's spelling ({@code process-max}, {@code repo1.retention-full}) so operators can look them
 * up in its documentation; pgquorum's own keys are snake_case like the rest of the node's file.
 */
public final class BackrestKeys {
  /** The section's name in the node's file. */
  public static final String SECTION = "backrest";
  private static final List<BackrestKey> ALL = new ArrayList<>();

  public static final BackrestKey STANZA = note("stanza", "the cluster's `scope`",
      "1-64 letters, digits, `.`, `_`, `-`",
      "the repository's name for this cluster; the scope by convention (one cluster, one stanza). A restore test "
          + "copy that keeps running needs a stanza of its own");
  public static final BackrestKey COMMAND = text("command", "pgbackrest",
      "an absolute path or a program name looked up in PATH",
      "the pgBackRest program; its version must be the same on every node and repository host");
  public static final BackrestKey REPO1_TYPE = text("repo1.type", "posix", "`posix`",
      "the repository's storage; posix (a directory every node mounts, e.g. NFS) is the only type pgquorum "
          + "tests today, so the only one it accepts");
  public static final BackrestKey REPO1_PATH = text("repo1.path", "/var/lib/pgbackrest", "absolute path",
      "where the repository lives (pgBackRest's default); it must be the same shared storage on every node, "
          + "or a replica cannot restore what the primary backed up");
  public static final BackrestKey REPO1_RETENTION_FULL =
      number("repo1.retention-full", 2, 1, 9_999_999, "full backups",
      "how many full backups (and the WAL they need) pgBackRest keeps; 2 keeps a good backup while the next full "
          + "one is taken");
  public static final BackrestKey PROCESS_MAX = number("process-max", 1, 1, 999, "processes",
      "parallel compression/transfer processes for backup and restore; 1 because they share the node's cores "
          + "with the primary they back up");
  public static final BackrestKey OPTIONS = note("options", "none",
      "mapping of pgBackRest option names to scalars or lists of scalars",
      "any other pgBackRest option for the [global] section (compress-type, repo1-cipher-type, ...); options "
          + "pgquorum writes itself (paths, pg1-*, lock/log/spool) are refused with the key to use instead");
  public static final BackrestKey SCHEDULE_FULL = text("schedule.full", "weekly sun 01:00", Schedule.SYNTAX,
      "when the lock holder takes a full backup (UTC); weekly is the common practice");
  public static final BackrestKey SCHEDULE_DIFF = text("schedule.diff", "daily 01:00", Schedule.SYNTAX,
      "when the lock holder takes a differential backup (UTC); a slot shared with a full backup takes the full "
          + "one only");
  public static final BackrestKey SCHEDULE_INCR = text("schedule.incr", "off", Schedule.SYNTAX,
      "when the lock holder takes an incremental backup (UTC); off because archived WAL already covers the time "
          + "between backups, incrementals only shorten the replay");
  public static final BackrestKey SCHEDULE_CATCH_UP = number("schedule.catch_up", 3_600, 0, 31_622_400, "seconds",
      "a slot that passed while no node held the lock (an election, the whole cluster down) still runs when a "
          + "leader appears this soon after it; later it is skipped with a log line (and recorded), so a cluster "
          + "back after a long outage does not start a full backup at whatever hour it came back; an hour covers "
          + "any election");
  public static final BackrestKey AFTER_PROMOTION_CHECK = text("after_promotion.check", "on", "`on` or `off`",
      "run pgbackrest check on a newly promoted primary: it forces a WAL switch and proves the new timeline's WAL "
          + "reaches the repository (archive_command on the new primary works), which the next backup relies on");
  public static final BackrestKey AFTER_PROMOTION_BACKUP = text("after_promotion.backup", "incr",
      "`incr`, `diff`, `full` or `off`",
      "the backup the new primary takes once per new timeline: until then every restore needs the old timeline's "
          + "backup plus the WAL across the switch; incr because pgBackRest turns it into a checksum-delta backup "
          + "after a timeline switch anyway (no full backup needed), and it copies only what changed");
  public static final BackrestKey COMMAND_TIMEOUT = number("command_timeout", 120, 10, 86_400, "seconds",
      "limit for stanza-create, check, info and archive-get; above pgBackRest's archive-timeout (60 s), which "
          + "check spends waiting for a WAL file to be archived");
  public static final BackrestKey BACKUP_TIMEOUT = number("backup_timeout", 43_200, 60, 604_800, "seconds",
      "limit for one backup; a backup stuck longer holds the stanza's lock and blocks the next slot");
  public static final BackrestKey RESTORE_TIMEOUT = number("restore_timeout", 43_200, 60, 604_800, "seconds",
      "limit for one restore (replica build, reinit, bootstrap, PITR)");

  public static final BackrestKey INFO_INTERVAL = number("info_interval", 60, 5, 86_400, "seconds",
      "how often every node with this section runs pgbackrest info for the health metrics (repository status, "
          + "backup ages, a backup running), off the HA loop; a minute is fresh enough for alerts measured in hours "
          + "and costs one short process per node");

  private BackrestKeys() {}

  private static BackrestKey text(String name, String dflt, String accepts, String why) {
    return add(new BackrestKey(SECTION + "." + name, dflt, null, "-", 0, 0, accepts, why));
  }

  private static BackrestKey note(String name, String note, String accepts, String why) {
    return add(new BackrestKey(SECTION + "." + name, null, note, "-", 0, 0, accepts, why));
  }

  private static BackrestKey number(String name, long dflt, long min, long max, String unit, String why) {
    return add(new BackrestKey(SECTION + "." + name, dflt, null, unit, min, max,
        "whole number, " + min + " to " + max, why));
  }

  private static BackrestKey add(BackrestKey k) {
    ALL.add(k);
    return k;
  }

  /** Every key in declaration order (the README table's order). */
  public static List<BackrestKey> all() {
    return Collections.unmodifiableList(ALL);
  }

  /** The README's reference table; {@code BackrestReadmeTest} fails when the README differs. */
  public static String markdownTable() {
    StringBuilder b = new StringBuilder("| key | default | unit | accepts | why |\n|---|---|---|---|---|\n");
    for (BackrestKey k : ALL) {
      b.append("| `").append(k.path()).append("` | ").append(k.defaultText()).append(" | ").append(k.unit())
          .append(" | ").append(k.accepts()).append(" | ").append(k.why()).append(" |\n");
    }
    return b.toString();
  }
}
