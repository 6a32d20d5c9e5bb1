package io.pgquorum.jepsen.stack;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What {@link PgCluster#start} builds.
 *
 * @param nodes number of nodes (3 for the usual runs)
 * @param ttl leader lease in seconds ({@code bootstrap.dcs.ttl})
 * @param loopWait HA cycle in seconds
 * @param retryTimeout DCS retry timeout in seconds
 * @param baseDir directory under which every node's data, logs and hosts files go; null = a fresh temporary
 *     directory (deleted at close unless {@code PGQUORUM_KEEP_IT_DIRS=true})
 * @param extraEnv extra environment per node index for the daemon (for example {@code PGQUORUM_PLANTED_BUG});
 *     nodes without an entry get none
 * @param network which network the nodes live on
 * @param runAsUser the unprivileged user daemons run as under {@link NetworkKind#NAMESPACE} (the harness is root
 *     there, and PostgreSQL refuses root); ignored by {@link NetworkKind#PROXY}, where daemons run as the
 *     harness's own user
 * @param maximumLagOnFailover {@code bootstrap.dcs.maximum_lag_on_failover} in bytes (1 MiB, pgquorum's and
 *     Patroni's default); the durability checker judges losses against it under asynchronous replication
 * @param sync {@code bootstrap.dcs.synchronous_mode} (and {@code synchronous_mode_strict}); under synchronous
 *     replication the durability checker allows no loss at all
 * @param failsafe {@code bootstrap.dcs.failsafe_mode}: a primary that loses the DCS keeps running while every
 *     member answers it directly (off by default, as in pgquorum and Patroni)
 */
public record PgClusterSpec(int nodes, int ttl, int loopWait, int retryTimeout, Path baseDir,
    Map<Integer, Map<String, String>> extraEnv, NetworkKind network, String runAsUser, long maximumLagOnFailover,
    SyncMode sync, boolean failsafe) {

  /** pgquorum's default {@code maximum_lag_on_failover}. */
  public static final long DEFAULT_MAXIMUM_LAG_ON_FAILOVER = 1_048_576;

  /** The replication mode the cluster bootstraps with, as {@code bin/jepsen-run --synchronous-mode} spells it. */
  public enum SyncMode {
    /** Asynchronous replication (the default). */
    OFF("off", ""),
    /** {@code synchronous_mode: on}: commits wait for the standby the sync key names, dropped when it fails. */
    ON("on", "\n    synchronous_mode: on"),
    /** {@code synchronous_mode: quorum}: commits wait for ANY k of the voters. */
    QUORUM("quorum", "\n    synchronous_mode: quorum"),
    /** {@code on} with {@code synchronous_mode_strict}: with no synchronous standby, commits wait. */
    STRICT("strict", "\n    synchronous_mode: on\n    synchronous_mode_strict: true");

    private final String word;
    private final String dcsLines;

    SyncMode(String word, String dcsLines) {
      this.word = word;
      this.dcsLines = dcsLines;
    }

    public String word() {
      return word;
    }

    /** The bootstrap.dcs lines ({@code NodeYaml#dcsExtra}'s format); none for {@link #OFF}. */
    public String dcsLines() {
      return dcsLines;
    }

    /** The mode spelt {@code off}, {@code on}, {@code quorum} or {@code strict}. */
    public static SyncMode parse(String word) {
      for (SyncMode m : values()) {
        if (m.word.equals(word)) {
          return m;
        }
      }
      throw new IllegalArgumentException("synchronous mode must be off, on, quorum or strict, got \"" + word
          + "\"");
    }
  }

  /** How the nodes' links are made cuttable. */
  public enum NetworkKind {
    /** {@link ProxyNetwork}: loopback proxies per link, no root needed. */
    PROXY,
    /** {@link NamespaceNetwork}: one network namespace per node, iptables rules; root only. */
    NAMESPACE,
    /** {@link DirectNetwork}: loopback without proxies; no faults (for measuring), no root needed. */
    DIRECT
  }

  public PgClusterSpec {
    if (nodes < 1 || nodes > 9) {
      throw new IllegalArgumentException("nodes must be 1..9, got " + nodes);
    }
    if (ttl < 4) {
      throw new IllegalArgumentException("ttl must be at least 4 s, got " + ttl);
    }
    if (loopWait < 1) {
      throw new IllegalArgumentException("loopWait must be at least 1 s, got " + loopWait);
    }
    if (retryTimeout < 1 || loopWait + 2 * retryTimeout > ttl) {
      throw new IllegalArgumentException("retryTimeout must be >= 1 and loopWait + 2 * retryTimeout <= ttl, got "
          + "loopWait=" + loopWait + " retryTimeout=" + retryTimeout + " ttl=" + ttl);
    }
    if (maximumLagOnFailover < 0) {
      throw new IllegalArgumentException("maximumLagOnFailover must not be negative, got " + maximumLagOnFailover);
    }
    if (sync == null) {
      throw new IllegalArgumentException("sync must be given (OFF for asynchronous replication)");
    }
    if (network == null) {
      throw new IllegalArgumentException("network must be given (PROXY or NAMESPACE)");
    }
    Map<Integer, Map<String, String>> copy = new HashMap<>();
    if (extraEnv != null) {
      extraEnv.forEach((k, v) -> copy.put(k, Map.copyOf(v)));
    }
    extraEnv = Map.copyOf(copy);
  }

  /** Three nodes, ttl 8, loop_wait 1, retry_timeout 2, a temporary directory, no extra environment, proxies. */
  public static PgClusterSpec defaults() {
    return new PgClusterSpec(3, 8, 1, 2, null, Map.of(), NetworkKind.PROXY, null, DEFAULT_MAXIMUM_LAG_ON_FAILOVER,
        SyncMode.OFF, false);
  }

  public PgClusterSpec withNodes(int n) {
    return new PgClusterSpec(n, ttl, loopWait, retryTimeout, baseDir, extraEnv, network, runAsUser,
        maximumLagOnFailover, sync, failsafe);
  }

  public PgClusterSpec withTiming(int ttlSeconds, int loopWaitSeconds, int retryTimeoutSeconds) {
    return new PgClusterSpec(nodes, ttlSeconds, loopWaitSeconds, retryTimeoutSeconds, baseDir, extraEnv, network,
        runAsUser,
        maximumLagOnFailover, sync, failsafe);
  }

  public PgClusterSpec withBaseDir(Path dir) {
    return new PgClusterSpec(nodes, ttl, loopWait, retryTimeout, dir, extraEnv, network, runAsUser,
        maximumLagOnFailover, sync, failsafe);
  }

  /** Another {@code maximum_lag_on_failover} (bytes). */
  public PgClusterSpec withMaximumLagOnFailover(long bytes) {
    return new PgClusterSpec(nodes, ttl, loopWait, retryTimeout, baseDir, extraEnv, network, runAsUser, bytes, sync,
        failsafe);
  }

  /** Another replication mode. */
  public PgClusterSpec withSync(SyncMode mode) {
    return new PgClusterSpec(nodes, ttl, loopWait, retryTimeout, baseDir, extraEnv, network, runAsUser,
        maximumLagOnFailover, mode, failsafe);
  }

  /** With or without {@code failsafe_mode}. */
  public PgClusterSpec withFailsafeMode(boolean on) {
    return new PgClusterSpec(nodes, ttl, loopWait, retryTimeout, baseDir, extraEnv, network, runAsUser,
        maximumLagOnFailover, sync, on);
  }

  /** The bootstrap.dcs lines beyond the timings ({@code NodeYaml#dcsExtra}'s format): the sync mode's, failsafe. */
  public String dcsExtra() {
    return sync.dcsLines() + (failsafe ? "\n    failsafe_mode: true" : "");
  }

  /** Adds {@code key=value} to node {@code node}'s daemon environment. */
  public PgClusterSpec withEnv(int node, String key, String value) {
    Map<Integer, Map<String, String>> m = new HashMap<>(extraEnv);
    Map<String, String> e = new HashMap<>(m.getOrDefault(node, Map.of()));
    e.put(key, value);
    m.put(node, e);
    return new PgClusterSpec(nodes, ttl, loopWait, retryTimeout, baseDir, m, network, runAsUser,
        maximumLagOnFailover, sync, failsafe);
  }

  /** The same environment variable on every node. */
  public PgClusterSpec withEnvEverywhere(String key, String value) {
    PgClusterSpec s = this;
    for (int i = 0; i < nodes; i++) {
      s = s.withEnv(i, key, value);
    }
    return s;
  }

  /** Network namespaces (root only), daemons and PostgreSQL running as {@code user}. */
  public PgClusterSpec withNamespaces(String user) {
    return new PgClusterSpec(nodes, ttl, loopWait, retryTimeout, baseDir, extraEnv, NetworkKind.NAMESPACE, user,
        maximumLagOnFailover, sync, failsafe);
  }

  /** Loopback without proxies: nothing can be cut (for measuring; see {@link DirectNetwork}). */
  public PgClusterSpec withDirectNetwork() {
    return new PgClusterSpec(nodes, ttl, loopWait, retryTimeout, baseDir, extraEnv, NetworkKind.DIRECT, runAsUser,
        maximumLagOnFailover, sync, failsafe);
  }

  public PgClusterSpec withProxies() {
    return new PgClusterSpec(nodes, ttl, loopWait, retryTimeout, baseDir, extraEnv, NetworkKind.PROXY, runAsUser,
        maximumLagOnFailover, sync, failsafe);
  }
}
