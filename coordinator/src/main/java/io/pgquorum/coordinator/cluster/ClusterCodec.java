package io.pgquorum.coordinator.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgquorum.coordinator.config.ConfigLoader;
import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.dcs.api.KeyValue;
import io.pgquorum.dcs.api.PrefixSnapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Translates between DCS key-values and {@link ClusterSnapshot} records, using Patroni's JSON for each key.
 *
 * <p>Decoding is lenient by design: a value another tool (or a newer pgquorum) wrote that does not parse is logged
 * and treated as absent, never allowed to crash the HA loop. The exceptions are keys whose absence would be
 * unsafe to assume: the leader key's value is taken as-is (it is a plain member name).
 */
public final class ClusterCodec {
  private static final Logger log = LoggerFactory.getLogger(ClusterCodec.class);
  static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};
  private static final TypeReference<List<Object>> LIST = new TypeReference<>() {};

  private final DcsKeys keys;

  public ClusterCodec(DcsKeys keys) {
    this.keys = keys;
  }

  public DcsKeys keys() {
    return keys;
  }

  /** Decodes one prefix read of the cluster's keys. */
  public ClusterSnapshot decode(PrefixSnapshot read) {
    Optional<Initialize> initialize = Optional.empty();
    Optional<Versioned<DynamicConfig>> config = Optional.empty();
    Optional<LeaderLock> leader = Optional.empty();
    Map<String, Member> members = new TreeMap<>();
    Optional<Failover> failover = Optional.empty();
    Optional<SyncState> sync = Optional.empty();
    List<HistoryEntry> history = List.of();
    Optional<ClusterStatus> status = Optional.empty();
    BackupRecord backups = BackupRecord.NONE;
    Optional<RestoreRecord> restore = Optional.empty();
    Optional<Map<String, String>> failsafe = Optional.empty();
    for (KeyValue kv : read.entries()) {
      String key = kv.key();
      if (key.equals(keys.initialize())) {
        // The owner is a daemon incarnation (LeaseOwner); the decider compares member names.
        initialize = Optional.of(new Initialize(kv.value(), kv.modRevision(), LeaseOwner.memberName(kv.owner())));
      } else if (key.equals(keys.config())) {
        config = decodeConfig(kv);
      } else if (key.equals(keys.leader())) {
        leader = Optional.of(new LeaderLock(kv.value(), kv.modRevision(), kv.createRevision(), kv.ttl()));
      } else if (key.startsWith(keys.membersPrefix())) {
        String name = key.substring(keys.membersPrefix().length());
        decodeMember(name, kv).ifPresent(m -> members.put(name, m));
      } else if (key.equals(keys.failover())) {
        failover = decodeFailover(kv);
      } else if (key.equals(keys.sync())) {
        sync = decodeSync(kv);
      } else if (key.equals(keys.history())) {
        history = decodeHistory(kv);
      } else if (key.equals(keys.status())) {
        status = decodeStatus(kv);
      } else if (key.equals(keys.restore())) {
        try {
          restore = Optional.of(decodeRestore(kv.value(), kv.modRevision()));
        } catch (IllegalArgumentException e) {
          // Unreadable: ignored (normal HA runs); pgctl restore replaces it at its revision.
          log.warn("ignoring the restore key: {}", e.getMessage());
        }
      } else if (key.equals(keys.failsafe())) {
        try {
          failsafe = Optional.of(decodeFailsafe(kv.value()));
        } catch (IllegalArgumentException e) {
          // Unreadable: as if absent (no member is kept from the race by it); the leader rewrites it next cycle.
          log.warn("ignoring the failsafe key: {}", e.getMessage());
        }
      } else if (key.equals(keys.backups())) {
        try {
          backups = decodeBackups(kv.value(), kv.modRevision());
        } catch (IllegalArgumentException e) {
          // Unreadable: claimed over (at its revision) by the next slot, rather than blocking backups for ever.
          log.warn("ignoring the backups key: {}", e.getMessage());
          backups = new BackupRecord(java.util.Optional.empty(), java.util.Optional.empty(), 0,
              java.util.Optional.empty(), kv.modRevision());
        }
      }
    }
    return new ClusterSnapshot(read.revision(), initialize, config, leader, members, failover, sync, history,
        status, backups, restore, failsafe);
  }

  /** The {@code failsafe} key's JSON: Patroni's object of member name to api_url. */
  public static String encodeFailsafe(Map<String, String> members) {
    try {
      return JSON.writeValueAsString(new TreeMap<>(members));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Parses the {@code failsafe} key; IllegalArgumentException when it is not an object of strings. */
  public static Map<String, String> decodeFailsafe(String json) {
    Map<String, Object> raw;
    try {
      raw = JSON.readValue(json, MAP);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a JSON object: " + e.getOriginalMessage(), e);
    }
    if (raw == null) {
      throw new IllegalArgumentException("not a JSON object: null");
    }
    Map<String, String> out = new TreeMap<>();
    for (Map.Entry<String, Object> e : raw.entrySet()) {
      if (!(e.getValue() instanceof String url)) {
        throw new IllegalArgumentException("member " + e.getKey() + ": api_url must be a string");
      }
      out.put(e.getKey(), url);
    }
    return out;
  }

  private static Optional<Versioned<DynamicConfig>> decodeConfig(KeyValue kv) {
    try {
      Map<String, Object> raw = JSON.readValue(kv.value(), MAP);
      if (raw == null) {
        // JSON null is no configuration (not "all defaults"): the node falls back to its bootstrap.dcs.
        throw new IllegalArgumentException("the value is JSON null, not an object");
      }
      List<String> warnings = new ArrayList<>();
      DynamicConfig parsed = ConfigLoader.parseDynamic(raw, "config", warnings);
      warnings.forEach(w -> log.debug("DCS config key: {}", w));
      return Optional.of(new Versioned<>(parsed, kv.modRevision()));
    } catch (JsonProcessingException | RuntimeException e) {
      log.warn("ignoring the DCS config key {}: {}", kv.key(), message(e));
      return Optional.empty();
    }
  }

  private static Optional<Member> decodeMember(String name, KeyValue kv) {
    try {
      Map<String, Object> raw = JSON.readValue(kv.value(), MAP);
      @SuppressWarnings("unchecked")
      Map<String, Object> tags = raw.get("tags") instanceof Map<?, ?> t ? (Map<String, Object>) t : Map.of();
      return Optional.of(new Member(
          name,
          kv.modRevision(),
          str(raw, "conn_url"),
          str(raw, "api_url"),
          str(raw, "state"),
          str(raw, "role"),
          str(raw, "version"),
          raw.get("xlog_location") instanceof Number n ? OptionalLong.of(n.longValue()) : OptionalLong.empty(),
          raw.get("timeline") instanceof Number n ? n.intValue() : 0,
          Optional.ofNullable(raw.get("replication_state")).map(String::valueOf),
          tags,
          Boolean.TRUE.equals(raw.get("pending_restart")),
          raw));
    } catch (JsonProcessingException | RuntimeException e) {
      log.warn("ignoring member key {}: {}", kv.key(), message(e));
      return Optional.empty();
    }
  }

  private static Optional<Failover> decodeFailover(KeyValue kv) {
    try {
      Map<String, Object> raw = JSON.readValue(kv.value(), MAP);
      Optional<String> leader = optStr(raw, "leader");
      Optional<String> member = optStr(raw, "member");
      if (leader.isEmpty() && member.isEmpty()) {
        return Optional.empty(); // Patroni clears the key by writing {}
      }
      return Optional.of(new Failover(leader, member, optStr(raw, "scheduled_at"), kv.modRevision()));
    } catch (JsonProcessingException | RuntimeException e) {
      log.warn("ignoring the failover key: {}", message(e));
      return Optional.empty();
    }
  }

  private static Optional<SyncState> decodeSync(KeyValue kv) {
    try {
      Map<String, Object> raw = JSON.readValue(kv.value(), MAP);
      List<String> standbys = new ArrayList<>();
      optStr(raw, "sync_standby").ifPresent(s -> {
        for (String part : s.split(",")) {
          if (!part.isBlank()) {
            standbys.add(part.trim());
          }
        }
      });
      int quorum = raw.get("quorum") instanceof Number n && n.intValue() > 0 ? n.intValue() : 0;
      return Optional.of(new SyncState(optStr(raw, "leader"), standbys, quorum, kv.modRevision()));
    } catch (JsonProcessingException | RuntimeException e) {
      log.warn("ignoring the sync key: {}", message(e));
      return Optional.empty();
    }
  }

  static List<HistoryEntry> decodeHistory(KeyValue kv) {
    try {
      List<Object> rows = JSON.readValue(kv.value(), LIST);
      List<HistoryEntry> out = new ArrayList<>();
      for (Object row : rows) {
        if (row instanceof List<?> r && r.size() >= 3 && r.get(0) instanceof Number tl
            && r.get(1) instanceof Number lsn) {
          out.add(new HistoryEntry(tl.longValue(), lsn.longValue(), String.valueOf(r.get(2)),
              r.size() > 3 && r.get(3) != null ? Optional.of(String.valueOf(r.get(3))) : Optional.empty(),
              r.size() > 4 && r.get(4) != null ? Optional.of(String.valueOf(r.get(4))) : Optional.empty(),
              r.size() > 5 && r.get(5) instanceof Number e ? java.util.OptionalLong.of(e.longValue())
                  : java.util.OptionalLong.empty()));
        }
      }
      return List.copyOf(out);
    } catch (JsonProcessingException | RuntimeException e) {
      log.warn("ignoring the history key: {}", message(e));
      return List.of();
    }
  }

  private static Optional<ClusterStatus> decodeStatus(KeyValue kv) {
    try {
      Map<String, Object> raw = JSON.readValue(kv.value(), MAP);
      Map<String, Long> slots = new LinkedHashMap<>();
      if (raw.get("slots") instanceof Map<?, ?> s) {
        s.forEach((k, v) -> {
          if (v instanceof Number n) {
            slots.put(String.valueOf(k), n.longValue());
          }
        });
      }
      List<String> retain = new ArrayList<>();
      if (raw.get("retain_slots") instanceof List<?> r) {
        r.forEach(name -> retain.add(String.valueOf(name)));
      }
      long optime = raw.get("optime") instanceof Number n ? n.longValue() : 0L;
      return Optional.of(new ClusterStatus(optime, slots, retain, kv.modRevision()));
    } catch (JsonProcessingException | RuntimeException e) {
      log.warn("ignoring the status key: {}", message(e));
      return Optional.empty();
    }
  }

  /** Patroni's member JSON. */
  public static String encodeMember(Map<String, Object> fields) {
    return write(fields);
  }

  /** Patroni's history JSON: a list of {@code [timeline, lsn, reason, timestamp, new_leader]}, plus the epoch. */
  public static String encodeHistory(List<HistoryEntry> history) {
    List<List<Object>> rows = new ArrayList<>();
    for (HistoryEntry h : history) {
      List<Object> row = new ArrayList<>(List.of(h.timeline(), h.lsn(), h.reason()));
      row.add(h.timestamp().orElse(null));
      row.add(h.newLeader().orElse(null));
      if (h.epoch().isPresent()) {
        row.add(h.epoch().getAsLong());
      }
      rows.add(row);
    }
    return write(rows);
  }

  /** Patroni's status JSON without slots: {@code {"optime": <bytes>, "slots": null, "retain_slots": null}}. */
  public static String encodeStatus(long optime, Map<String, Long> slots) {
    return encodeStatus(optime, slots, List.of());
  }

  /**
   * Patroni 4's status JSON (its {@code update_leader}): {@code {"optime": <bytes>, "slots": {"<name>": <bytes>},
   * "retain_slots": ["<name>", ...]}}, with {@code null} for no slots and no retained slots, as Patroni writes them.
   * Slots in name order, so that an unchanged status is an unchanged value.
   */
  public static String encodeStatus(long optime, Map<String, Long> slots, List<String> retainSlots) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("optime", optime);
    m.put("slots", slots.isEmpty() ? null : new java.util.TreeMap<>(slots));
    m.put("retain_slots", retainSlots.isEmpty() ? null : retainSlots.stream().sorted().toList());
    return write(m);
  }

  /**
   * Patroni 4's {@code sync} JSON: {@code {"leader": <name>, "sync_standby": "a,b" | null, "quorum": <n>}}, the
   * standbys comma-joined in the order given (the rules give them sorted), {@code null} for none.
   */
  public static String encodeSync(SyncState sync) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("leader", sync.leader().orElse(null));
    m.put("sync_standby", sync.syncStandbys().isEmpty() ? null : String.join(",", sync.syncStandbys()));
    m.put("quorum", sync.quorum());
    return write(m);
  }

  /**
   * The {@code failover} key's value in Patroni's shape ({@code leader}, {@code member}, {@code scheduled_at}, each
   * only when given); all empty gives {@code {}}, Patroni's "no request".
   */
  public static String encodeFailover(Optional<String> leader, Optional<String> member,
      Optional<String> scheduledAt) {
    Map<String, Object> out = new LinkedHashMap<>();
    leader.ifPresent(l -> out.put("leader", l));
    member.ifPresent(m -> out.put("member", m));
    scheduledAt.ifPresent(t -> out.put("scheduled_at", t));
    return write(out);
  }

  public static String encodeConfig(DynamicConfig config) {
    return write(ConfigLoader.toMap(config));
  }

  static String write(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName(), e);
    }
  }

  private static String str(Map<String, Object> raw, String key) {
    Object v = raw.get(key);
    return v == null ? "" : String.valueOf(v);
  }

  private static Optional<String> optStr(Map<String, Object> raw, String key) {
    Object v = raw.get(key);
    return v == null || String.valueOf(v).isEmpty() ? Optional.empty() : Optional.of(String.valueOf(v));
  }

  private static String message(Exception e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
  }

  /** The {@code backups} key's JSON ({@link BackupRecord}); fields absent when empty. */
  public static String encodeBackups(BackupRecord r0) {
    Map<String, Object> m = new LinkedHashMap<>();
    r0.slot().ifPresent(s -> m.put("slot", s));
    r0.slotType().ifPresent(s -> m.put("slot_type", s));
    m.put("timeline", r0.timeline());
    r0.last().ifPresent(r -> {
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
      return JSON.writeValueAsString(m);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Parses the key's value; IllegalArgumentException when it is not this shape (the caller logs and ignores it). */
  public static BackupRecord decodeBackups(String json, long modRevision) {
    try {
      Map<String, Object> m = JSON.readValue(json, MAP);
      Optional<BackupRecord.Run> last = Optional.empty();
      if (m.get("last") instanceof Map<?, ?> l) {
        last = Optional.of(new BackupRecord.Run(bstr(l, "trigger"), bstr(l, "type"), bstr(l, "member"),
            bstr(l, "state"), bstr(l, "started_at"), bopt(l, "finished_at"), bopt(l, "detail")));
      }
      long tl = m.get("timeline") instanceof Number n ? n.longValue() : 0;
      return new BackupRecord(bopt(m, "slot"), bopt(m, "slot_type"), tl, last, modRevision);
    } catch (java.io.IOException | RuntimeException e) {
      throw new IllegalArgumentException("not a backups record: " + e.getMessage(), e);
    }
  }

  private static String bstr(Map<?, ?> m, String k) {
    Object v = m.get(k);
    return v == null ? "" : String.valueOf(v);
  }

  private static Optional<String> bopt(Map<?, ?> m, String k) {
    Object v = m.get(k);
    return v == null ? Optional.empty() : Optional.of(String.valueOf(v));
  }

  /** The {@code restore} key's JSON ({@link RestoreRecord}); optional fields absent when empty. */
  public static String encodeRestore(RestoreRecord r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", r.id());
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("kind", r.kind());
    r.target().ifPresent(v -> t.put("value", v));
    t.put("exclusive", r.exclusive());
    m.put("target", t);
    r.set().ifPresent(v -> m.put("set", v));
    m.put("requested_at", r.requestedAt());
    m.put("phase", r.phase());
    m.put("ready", r.ready());
    r.detail().ifPresent(v -> m.put("detail", v));
    if (r.timeline() > 0) {
      m.put("timeline", r.timeline());
    }
    try {
      return JSON.writeValueAsString(m);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Parses the key's value; IllegalArgumentException when it is not this shape. */
  public static RestoreRecord decodeRestore(String json, long modRevision) {
    try {
      Map<String, Object> m = JSON.readValue(json, MAP);
      if (!(m.get("target") instanceof Map<?, ?> t) || m.get("id") == null || m.get("phase") == null) {
        throw new IllegalArgumentException("id, target and phase are required");
      }
      if (!String.valueOf(m.get("id")).matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
        // The id names the moved-aside data directories (<data_dir>.restore-<id>): a '/' would move them elsewhere.
        throw new IllegalArgumentException("id '" + m.get("id") + "' may hold only letters, digits, '.', '_' and"
            + " '-' (it names the moved-aside data directories)");
      }
      List<String> ready = new ArrayList<>();
      if (m.get("ready") instanceof List<?> l) {
        l.forEach(x -> ready.add(String.valueOf(x)));
      }
      long tl = m.get("timeline") instanceof Number n ? n.longValue() : 0;
      return new RestoreRecord(bstr(m, "id"), bstr(t, "kind"), bopt(t, "value"),
          Boolean.TRUE.equals(t.get("exclusive")), bopt(m, "set"), bstr(m, "requested_at"), bstr(m, "phase"),
          ready, bopt(m, "detail"), tl, modRevision);
    } catch (java.io.IOException | RuntimeException e) {
      throw new IllegalArgumentException("not a restore record: " + e.getMessage(), e);
    }
  }
}
