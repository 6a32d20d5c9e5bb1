package io.pgquorum.coordinator.postgres;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The parsed output of {@code pg_controldata} (run with {@code LC_ALL=C}: the labels are translated otherwise).
 * What a stopped cluster can tell about itself: identity, timeline, last checkpoint, and whether it shut down
 * cleanly.
 */
record ControlData(Map<String, String> fields) {
  ControlData {
    fields = Map.copyOf(fields);
  }

  static final String STATE = "Database cluster state";

  static ControlData parse(String output) {
    Map<String, String> f = new LinkedHashMap<>();
    for (String line : output.split("\n")) {
      // Labels never contain ':'; values may ("0:725"), so split at the first one.
      int colon = line.indexOf(':');
      if (colon > 0) {
        f.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
      }
    }
    return new ControlData(f);
  }

  Optional<String> get(String key) {
    return Optional.ofNullable(fields.get(key));
  }

  private String require(String key) {
    String v = fields.get(key);
    if (v == null) {
      throw new PostgresException("pg_controldata output has no \"" + key + "\" line");
    }
    return v;
  }

  String state() {
    return require(STATE);
  }

  /** "shut down" (a primary) or "shut down in recovery" (a standby): nothing to recover. */
  boolean cleanShutdown() {
    String s = get(STATE).orElse("");
    return s.equals("shut down") || s.equals("shut down in recovery");
  }

  /** The cluster was a standby when it last stopped (cleanly or not). */
  boolean wasInRecovery() {
    String s = get(STATE).orElse("");
    return s.equals("shut down in recovery") || s.equals("in archive recovery");
  }

  String systemIdentifier() {
    return require("Database system identifier");
  }

  int checkpointTimeline() {
    return Integer.parseInt(require("Latest checkpoint's TimeLineID"));
  }

  /**
   * The timeline the stopped data is on: the timeline PostgreSQL's own recovery of this data reaches. Usually the
   * last checkpoint's; but when the minimum recovery point (what the data files may already contain) is on a later
   * timeline, that one. Two states have it, both a promotion that never reached its end-of-recovery checkpoint:
   * <ul>
   *   <li>a primary stopped (fenced, crashed) after its promotion and before that checkpoint: the promotion moved the
   *       minimum recovery point onto its new timeline, which crash recovery then targets ("crash recovery starts in
   *       timeline 1 and has target timeline 2"), while the checkpoint is still the standby's last restartpoint;
   *       every checkpoint resets the point, so a primary that checkpointed since has none;
   *   <li>that node then run as a standby (replaying its own switch) and stopped before any restartpoint on the new
   *       timeline: its restartpoint is at a checkpoint record of the old timeline, its data past the switch.
   * </ul>
   * Both happened to SameNumberForkIT's forked node on a loaded machine; made deterministically by
   * UncheckpointedPromotionForkTest. Its data is on the new timeline, and the epoch record of that timeline must
   * apply to it. pg_rewind reads the same field for a standby ({@code Rewinder.localPosition}).
   */
  int dataTimeline() {
    int checkpoint = checkpointTimeline();
    if (minRecoveryEnd() != 0 && minRecoveryEndTimeline() > checkpoint) {
      return minRecoveryEndTimeline();
    }
    return checkpoint;
  }

  long checkpointLocation() {
    return Lsn.parse(require("Latest checkpoint location"));
  }

  long redoLocation() {
    return Lsn.parse(require("Latest checkpoint's REDO location"));
  }

  long minRecoveryEnd() {
    return get("Minimum recovery ending location").map(Lsn::parse).orElse(0L);
  }

  int minRecoveryEndTimeline() {
    return get("Min recovery ending loc's timeline").map(Integer::parseInt).orElse(0);
  }

  boolean dataChecksums() {
    return !get("Data page checksum version").orElse("0").equals("0");
  }

  boolean walLogHints() {
    return get("wal_log_hints setting").orElse("off").equals("on");
  }
}
