package io.pgquorum.coordinator.cluster;

import com.fasterxml.jackson.core.type.TypeReference;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code backups} key (pgquorum's own; Patroni has none): which scheduled slot was last taken and on which
 * timeline a new primary's post-promotion work was last claimed, so that no slot and no timeline is worked twice,
 * whichever node holds the lock when. The lock holder claims a slot or a timeline by a compare-and-set on the key's
 * revision ({@link ClusterStore#claimBackup}); two holders one after the other (a failover in between) cannot both
 * win the same revision, and the second sees the first's claim.
 *
 * @param slot the last scheduled slot claimed (an ISO-8601 UTC instant), empty before the first
 * @param slotType the type that slot was for ({@code full}, {@code diff}, {@code incr})
 * @param timeline the highest timeline whose post-promotion work (check, backup) was claimed; 0 before the first
 * @param last the last run: what, by whom, and how it went
 * @param modRevision the key's revision (the compare-and-set's condition); 0 when built, not read
 */
public record BackupRecord(Optional<String> slot, Optional<String> slotType, long timeline, Optional<Run> last,
    long modRevision) {
  /** No key yet. */
  public static final BackupRecord NONE = new BackupRecord(Optional.empty(), Optional.empty(), 0, Optional.empty(),
      0);

  /**
   * One run.
   *
   * @param trigger {@code schedule} or {@code promotion}
   * @param type the backup type, or {@code check} for a check alone
   * @param member the node that ran (or skipped) it
   * @param state {@code running}, {@code done}, {@code failed} or {@code skipped}
   * @param startedAt when it was claimed (ISO-8601 UTC)
   * @param finishedAt when it ended, empty while running or when skipped
   * @param detail the failure, or why a slot was skipped; never a secret
   */
  public record Run(String trigger, String type, String member, String state, String startedAt,
      Optional<String> finishedAt, Optional<String> detail) {
    /** This run ended at {@code at} with {@code failure} (empty: done). */
    public Run finished(String at, Optional<String> failure) {
      return new Run(trigger, type, member, failure.isPresent() ? "failed" : "done", startedAt, Optional.of(at),
          failure);
    }
  }

  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  /** This record with {@code run} as the last run (revision unchanged: the claim's condition). */
  public BackupRecord withLast(Run run) {
    return new BackupRecord(slot, slotType, timeline, Optional.of(run), modRevision);
  }

  /** The key's JSON; fields absent when empty. */
  public String encode() {
    Map<String, Object> m = new LinkedHashMap<>();
    slot.ifPresent(s -> m.put("slot", s));
    slotType.ifPresent(s -> m.put("slot_type", s));
    m.put("timeline", timeline);
    last.ifPresent(r -> {
      Map<String, Object> l = new LinkedHashMap<>();
      l.put("trigger", r.trigger());
      l.put("type", r.type());
      l.put("member", r.member());
      l.put("state", r.state());
      l.put("started_at", r.startedAt());
      r.finishedAt().ifPresent(f -> l.put("finished_at", f));
      r.detail().ifPresent(f -> l.put("detail", f));
      m.put("last", l);
    });
    try {
      return ClusterCodec.JSON.writeValueAsString(m);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Parses the key's value; IllegalArgumentException when it is not this shape (the caller logs and ignores it). */
  public static BackupRecord decode(String json, long modRevision) {
    try {
      Map<String, Object> m = ClusterCodec.JSON.readValue(json, MAP);
      Optional<Run> last = Optional.empty();
      if (m.get("last") instanceof Map<?, ?> l) {
        last = Optional.of(new Run(str(l, "trigger"), str(l, "type"), str(l, "member"), str(l, "state"),
            str(l, "started_at"), opt(l, "finished_at"), opt(l, "detail")));
      }
      long tl = m.get("timeline") instanceof Number n ? n.longValue() : 0;
      return new BackupRecord(opt(m, "slot"), opt(m, "slot_type"), tl, last, modRevision);
    } catch (java.io.IOException | RuntimeException e) {
      throw new IllegalArgumentException("not a backups record: " + e.getMessage(), e);
    }
  }

  private static String str(Map<?, ?> m, String k) {
    Object v = m.get(k);
    return v == null ? "" : String.valueOf(v);
  }

  private static Optional<String> opt(Map<?, ?> m, String k) {
    Object v = m.get(k);
    return v == null ? Optional.empty() : Optional.of(String.valueOf(v));
  }
}
