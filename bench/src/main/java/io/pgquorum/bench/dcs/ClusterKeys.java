package io.pgquorum.bench.dcs;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The keys a Patroni-style cluster keeps in its DCS, with values of realistic sizes (member records of
 * 0.5-1 KB of JSON), for the "many clusters in one group" scaling measurement. Layout per cluster under
 * {@code /service/<name>/}: leader, config, initialize, status, history, failover, sync, and members/<member>.
 */
final class ClusterKeys {
  /** Keys per cluster besides the member keys. */
  static final int FIXED_KEYS = 7;

  private ClusterKeys() {}

  /** Name of cluster {@code i} (0-based). */
  static String clusterName(int i) {
    return String.format(Locale.ROOT, "cluster-%02d", i + 1);
  }

  /** Key prefix of cluster {@code i}, ending in '/'. */
  static String prefix(int i) {
    return "/service/" + clusterName(i) + "/";
  }

  /** All keys of {@code clusters} clusters with {@code members} members each, in a stable order. */
  static Map<String, String> generate(int clusters, int members) {
    Map<String, String> keys = new LinkedHashMap<>();
    for (int c = 0; c < clusters; c++) {
      String p = prefix(c);
      keys.put(p + "leader", memberName(0));
      keys.put(p + "config", config(c));
      keys.put(p + "initialize", String.valueOf(7_300_000_000_000_000_000L + c));
      keys.put(p + "status", String.format(Locale.ROOT,
          "{\"optime\":%d,\"slots\":{\"%s\":%d,\"%s\":%d},\"retain_slots\":[\"%s\",\"%s\"]}",
          50_331_648L + c, memberName(1), 50_331_648L + c, memberName(2), 50_331_000L + c, memberName(1),
          memberName(2)));
      keys.put(p + "history", "[[1,25165984,\"no recovery target specified\",\"2026-01-05T10:11:12.345+00:00\","
          + "\"" + memberName(1) + "\"],[2,33554592,\"no recovery target specified\","
          + "\"2026-02-11T08:09:10.111+00:00\",\"" + memberName(0) + "\"]]");
      keys.put(p + "failover", "{}");
      keys.put(p + "sync", "{\"leader\":\"" + memberName(0) + "\",\"sync_standby\":\"" + memberName(1) + "\"}");
      for (int m = 0; m < members; m++) {
        keys.put(p + "members/" + memberName(m), member(c, m));
      }
    }
    return keys;
  }

  private static String memberName(int m) {
    return "postgresql" + m;
  }

  private static String config(int c) {
    return "{\"ttl\":30,\"loop_wait\":10,\"retry_timeout\":10,\"maximum_lag_on_failover\":1048576,"
        + "\"synchronous_mode\":true,\"synchronous_node_count\":1,\"check_timeline\":true,"
        + "\"postgresql\":{\"use_pg_rewind\":true,\"use_slots\":true,\"parameters\":{\"max_connections\":200,"
        + "\"max_wal_senders\":10,\"max_replication_slots\":10,\"wal_level\":\"replica\",\"hot_standby\":\"on\","
        + "\"wal_log_hints\":\"on\",\"archive_mode\":\"off\",\"shared_buffers\":\"256MB\","
        + "\"synchronous_commit\":\"on\",\"cluster\":" + c + "}}}";
  }

  private static String member(int c, int m) {
    String host = String.format(Locale.ROOT, "10.%d.0.%d", c + 1, m + 11);
    return "{\"conn_url\":\"postgres://" + host + ":5432/postgres\",\"api_url\":\"http://" + host
        + ":8008/patroni\",\"state\":\"running\",\"role\":\"" + (m == 0 ? "primary" : "replica")
        + "\",\"version\":\"4.0.4\",\"xlog_location\":" + (50_331_648L + m) + ",\"replication_state\":\""
        + (m == 0 ? "" : "streaming") + "\",\"timeline\":2,\"pending_restart\":false,"
        + "\"pending_restart_reason\":{},\"dcs_last_seen\":1767607872,"
        + "\"tags\":{\"nofailover\":false,\"noloadbalance\":false,\"clonefrom\":true,\"nosync\":false,"
        + "\"datacenter\":\"dc" + (m % 2 + 1) + "\",\"rack\":\"r" + (m + 1) + "\"},"
        + "\"checkpoint_after_promote\":true,\"receive_lsn\":" + (50_331_648L + m) + ",\"replay_lsn\":"
        + (50_331_600L + m) + ",\"server_version\":150013,\"system_identifier\":\""
        + (7_300_000_000_000_000_000L + c) + "\",\"xlog\":{\"received_location\":" + (50_331_648L + m)
        + ",\"replayed_location\":" + (50_331_600L + m) + ",\"replayed_timestamp\":"
        + "\"2026-03-01T12:00:00.000+00:00\",\"paused\":false},\"host\":\"" + host + "\",\"port\":5432,"
        + "\"proxy_url\":null,\"sync_priority\":" + m + "}";
  }
}
