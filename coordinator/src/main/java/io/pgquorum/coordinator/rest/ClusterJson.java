package io.pgquorum.coordinator.rest;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.Failover;
import io.pgquorum.coordinator.cluster.HistoryEntry;
import io.pgquorum.coordinator.cluster.LeaderTimeline;
import io.pgquorum.coordinator.cluster.Member;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The cluster-wide documents built from a DCS snapshot: {@code GET /cluster}, {@code GET /history} and
 * {@code GET /config}, in Patroni's shapes.
 */
final class ClusterJson {
  private static final String REDACTED = "******";

  private ClusterJson() {}

  /** {@code GET /cluster}: every member as the DCS shows it, the pending scheduled switchover, maintenance mode. */
  static Map<String, Object> cluster(String scope, ClusterSnapshot c) {
    OptionalLong leaderOptime = StatusFacts.leaderOptime(c);
    List<String> sync = c.sync().map(y -> y.syncStandbys()).orElse(List.of());
    List<Map<String, Object>> members = new ArrayList<>();
    for (Member mem : c.members().values()) {
      members.add(member(c, mem, sync, leaderOptime));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("members", members);
    out.put("scope", scope);
    c.config().ifPresent(v -> {
      if (StatusFacts.isTrue(v.value().raw().get("pause"))) {
        out.put("pause", true);
      }
    });
    c.failover().flatMap(ClusterJson::scheduled).ifPresent(f -> out.put("scheduled_switchover", f));
    return out;
  }

  private static Map<String, Object> member(ClusterSnapshot c, Member mem, List<String> sync,
      OptionalLong leaderOptime) {
    boolean leader = c.isLeader(mem.name());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", mem.name());
    // The holder is "leader", or "standby_leader" in a standby cluster (as its member key says), as in Patroni.
    String leaderRole = "standby_leader".equals(mem.role()) ? "standby_leader" : "leader";
    // Anyone else is a replica here whatever its own key says (uninitialized, a stray primary...), as in Patroni.
    // A voter in quorum mode is "quorum_standby" (Patroni 4's cluster_as_json), by the mode in the config key.
    boolean quorum = c.config().map(v -> "quorum".equalsIgnoreCase(String.valueOf(
        v.value().raw().get("synchronous_mode")).trim())).orElse(false);
    m.put("role", leader ? leaderRole : sync.contains(mem.name()) ? (quorum ? "quorum_standby" : "sync_standby")
        : "replica");
    // A running replica shows how it replicates (streaming / in archive recovery), as patronictl list does.
    String state = !leader && "running".equals(mem.state()) && mem.replicationState().isPresent()
        ? mem.replicationState().get() : mem.state();
    m.put("state", state);
    m.put("api_url", mem.apiUrl());
    hostPort(mem.connUrl(), m);
    if (mem.timeline() > 0) {
      m.put("timeline", mem.timeline());
    }
    Optional<String> diverged = LeaderTimeline.ofMember(c, mem);
    if (diverged.isPresent()) {
      // A position on a timeline the leader's does not continue cannot be compared with the leader's: its lag is
      // unknown (Patroni's word for a lag it cannot compute), not 0, and the member says why.
      m.put("lag", "unknown");
      m.put(LeaderTimeline.MEMBER_FIELD, diverged.get());
    } else if (!leader) {
      if (leaderOptime.isPresent() && mem.xlogLocation().isPresent()) {
        m.put("lag", Math.max(0, leaderOptime.getAsLong() - mem.xlogLocation().getAsLong()));
      } else {
        m.put("lag", "unknown");
      }
    }
    if (!mem.tags().isEmpty()) {
      m.put("tags", mem.tags());
    }
    if (mem.pendingRestart()) {
      m.put("pending_restart", true);
    }
    // As the member publishes them (Patroni copies these fields from the member key as they are).
    for (String field : List.of("pending_restart_reason", "scheduled_restart")) {
      Object value = mem.raw().get(field);
      if (value != null) {
        m.put(field, value);
      }
    }
    return m;
  }

  /** Host and port of the member's PostgreSQL, from its {@code conn_url}; left out when it does not parse. */
  private static void hostPort(String connUrl, Map<String, Object> m) {
    try {
      URI uri = URI.create(connUrl);
      if (uri.getHost() != null) {
        m.put("host", uri.getHost());
        m.put("port", uri.getPort() > 0 ? uri.getPort() : 5432);
      }
    } catch (IllegalArgumentException | NullPointerException e) {
      // A foreign or malformed member key: show the member without host/port rather than fail the listing.
    }
  }

  private static java.util.Optional<Map<String, Object>> scheduled(Failover f) {
    return f.scheduledAt().map(at -> {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("at", at);
      f.leader().ifPresent(l -> s.put("from", l));
      f.member().ifPresent(mem -> s.put("to", mem));
      return s;
    });
  }

  /** {@code GET /history}: {@code [timeline, lsn, reason, timestamp, new_leader]} rows, oldest first. */
  static List<List<Object>> history(ClusterSnapshot c) {
    List<List<Object>> rows = new ArrayList<>();
    for (HistoryEntry h : c.history()) {
      List<Object> row = new ArrayList<>(List.of(h.timeline(), h.lsn(), h.reason()));
      if (h.timestamp().isPresent() || h.newLeader().isPresent()) {
        row.add(h.timestamp().orElse(null));
      }
      h.newLeader().ifPresent(row::add);
      rows.add(row);
    }
    return rows;
  }

  /**
   * {@code GET /config}: the stored JSON as is, except that any value under a key containing "password" is
   * masked. Patroni shows such values; they are secrets and must not leave the node through the API.
   */
  static Object redacted(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        String key = String.valueOf(e.getKey());
        boolean secret = key.toLowerCase(Locale.ROOT).contains("password") && e.getValue() != null
            && !(e.getValue() instanceof Map);
        out.put(key, secret ? REDACTED : redacted(e.getValue()));
      }
      return out;
    }
    if (value instanceof List<?> list) {
      List<Object> out = new ArrayList<>();
      for (Object o : list) {
        out.add(redacted(o));
      }
      return out;
    }
    return value;
  }
}
