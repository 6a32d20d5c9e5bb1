package io.pgquorum.coordinator.cluster;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A {@code members/<name>} key: what a node last published about itself (Patroni's JSON fields).
 *
 * @param name member name
 * @param modRevision DCS revision of the last update
 * @param connUrl {@code postgres://host:port/postgres}
 * @param apiUrl {@code http://host:port/patroni}
 * @param state PostgreSQL state: running, stopped, starting, creating replica, ...
 * @param role primary, replica, uninitialized, demoted, ...
 * @param version pgquorum version
 * @param xlogLocation primary: current WAL position; replica: max(received, replayed)
 * @param timeline timeline PostgreSQL runs on
 * @param replicationState replica: streaming / in archive recovery
 * @param tags member tags
 * @param pendingRestart a parameter change waits for a restart
 * @param raw every field as stored, including ones pgquorum does not interpret
 */
public record Member(
    String name,
    long modRevision,
    String connUrl,
    String apiUrl,
    String state,
    String role,
    String version,
    OptionalLong xlogLocation,
    int timeline,
    Optional<String> replicationState,
    Map<String, Object> tags,
    boolean pendingRestart,
    Map<String, Object> raw) {
  public Member {
    tags = Map.copyOf(tags);
    raw = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(raw));
  }

  /** pgquorum's own member key field: the epoch of the fork of {@link #timeline} the member's data holds. */
  public static final String TIMELINE_EPOCH = "timeline_epoch";

  /**
   * The epoch of the member's timeline as it published it ({@link #TIMELINE_EPOCH};
   * docs/findings/same-timeline-forks.md), empty when it did not (unknown, or a Patroni member).
   */
  public OptionalLong timelineEpoch() {
    return raw.get(TIMELINE_EPOCH) instanceof Number n ? OptionalLong.of(n.longValue()) : OptionalLong.empty();
  }

  /**
   * pgquorum's own member key field: the {@code synchronous_standby_names} a running primary runs with, as its
   * probe after the cycle's steps read it. Why in the key: the {@code sync} key is shrunk <em>before</em> the
   * setting moves (the rules' order, so the key never names a standby that may have missed a commit), so a
   * synchronous standby leaving its duty that only watched the key could stop while the setting still names it,
   * and every commit would wait meanwhile. This field says when the setting has moved.
   */
  public static final String SYNCHRONOUS_STANDBY_NAMES = "synchronous_standby_names";

  /** The setting as the member published it ({@link #SYNCHRONOUS_STANDBY_NAMES}); empty when it did not. */
  public Optional<String> synchronousStandbyNames() {
    return raw.get(SYNCHRONOUS_STANDBY_NAMES) instanceof String s ? Optional.of(s) : Optional.empty();
  }

  public boolean isRunning() {
    return "running".equals(state) || "streaming".equals(state);
  }

  public boolean nofailover() {
    Object v = tags.get("nofailover");
    return Boolean.TRUE.equals(v) || "true".equalsIgnoreCase(String.valueOf(v));
  }

  /** Tagged {@code clonefrom}: a preferred base backup source (Patroni's, with the same spellings of true). */
  public boolean clonefrom() {
    Object v = tags.get("clonefrom");
    return Boolean.TRUE.equals(v) || "true".equalsIgnoreCase(String.valueOf(v));
  }

  /** Tagged {@code nostream}: it replays from the archive only, so no node keeps a replication slot for it. */
  public boolean nostream() {
    Object v = tags.get("nostream");
    return Boolean.TRUE.equals(v) || "true".equalsIgnoreCase(String.valueOf(v));
  }

  /** The member this one streams from, as its {@code replicatefrom} tag names it; empty: the leader. */
  public Optional<String> replicatefrom() {
    Object v = tags.get("replicatefrom");
    return v == null || String.valueOf(v).isBlank() ? Optional.empty() : Optional.of(String.valueOf(v));
  }

  /** Tagged {@code nosync}: never a synchronous standby. */
  public boolean nosync() {
    Object v = tags.get("nosync");
    return Boolean.TRUE.equals(v) || "true".equalsIgnoreCase(String.valueOf(v));
  }

  /**
   * The {@code sync_priority} tag (Patroni 4.1): higher is chosen first for synchronous duty; 0 or less never
   * (as {@code nosync}). 1 when absent or not a whole number.
   */
  public int syncPriority() {
    Object v = tags.get("sync_priority");
    if (v instanceof Number n) {
      return n.intValue();
    }
    try {
      return v == null ? 1 : Integer.parseInt(String.valueOf(v).trim());
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  public int failoverPriority() {
    Object v = tags.get("failover_priority");
    if (v instanceof Number n) {
      return n.intValue();
    }
    return nofailover() ? 0 : 1;
  }
}
