package io.pgquorum.coordinator.postgres;

import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The timeline a standby's startup process replays, read from its process title ({@code update_process_title},
 * on by default on Linux): {@code postgres: [cluster_name: ]startup recovering 000000010000000000000004}, or
 * {@code waiting for} / {@code restoring} while it waits for or fetches that file. The first eight hex digits of
 * the WAL file name are its timeline.
 *
 * <p>Why not SQL: PostgreSQL 15 exposes no replay timeline. {@code pg_stat_wal_receiver.received_tli} exists only
 * while a WAL receiver runs, the checkpoint's timeline lags until the next restartpoint, and the newest history
 * file in pg_wal is fetched by the WAL receiver <em>before</em> the startup process decides whether it can switch:
 * measured here, a replica that had replayed timeline 1 to 0/409EBD8 held {@code 00000002.history} (timeline 1
 * ended at 0/4002000) while its title said {@code recovering 000000010000000000000004} and its log "new timeline
 * 2 forked off current database system timeline 1 before current recovery point 0/409EBD8". The history file
 * alone would have made it look like a healthy timeline 2 replica ahead of its leader.
 */
final class StartupTitle {
  private static final Pattern TITLE =
      Pattern.compile("startup (?:recovering|waiting for|restoring) ([0-9A-F]{8})[0-9A-F]{16}");

  private StartupTitle() {}

  /** The replayed timeline named in {@code title}, if it names a WAL file. */
  static OptionalInt timeline(String title) {
    Matcher m = TITLE.matcher(title);
    if (!m.find()) {
      return OptionalInt.empty();
    }
    int timeline = Integer.parseUnsignedInt(m.group(1), 16);
    return timeline > 0 ? OptionalInt.of(timeline) : OptionalInt.empty();
  }
}
