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
   * The timeline the stopped data is on. Usually the last checkpoint's; but a standby stopped after it replayed a
   * timeline switch and before any restartpoint on the new timeline still shows the old checkpoint, while its
   * minimum recovery point (what its data files may already contain) is on the new one. That happens when a primary
   * promoted and crashed before the promotion's checkpoint, then ran as a standby (the same-number fork of
   * SameNumberForkIT, on a loaded machine): its data is on the new timeline, and the epoch record of that timeline
   * must apply to it. pg_rewind reads the same field ({@code Rewinder.localPosition}).
   */
  int dataTimeline() {
    int checkpoint = checkpointTimeline();
    if (wasInRecovery() && minRecoveryEnd() != 0 && minRecoveryEndTimeline() > checkpoint) {
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
