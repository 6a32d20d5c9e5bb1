package io.pgquorum.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The {@code pgquorum.yml} body of one node of a test cluster: the one template shared by the coordinator's
 * LocalCluster and jepsen-style-tests' full-stack cluster, so that a new required key or a changed default reaches
 * both. Set what the cluster decides, then {@link #render()}. Values are written as given (no quoting): they are
 * addresses, paths and passwords the harnesses generate themselves.
 *
 * <p>What both harnesses ask of every daemon, whatever they set: log level INFO, pg_rewind on, checksummed
 * UTF8 clusters, 40 connections, 64 MB of kept WAL (so a briefly cut replica can catch up without a re-clone) and
 * 16 MB of shared buffers (several PostgreSQL servers share this machine).
 */
public final class NodeYaml {
  /** The PostgreSQL 15 binaries. */
  public static final String PG_BIN = "/usr/lib/postgresql/15/bin";

  private String scope;
  private String namespace = "/service/";
  private String name;
  private String restListen;
  private String restConnect;
  private String raftSelf;
  private String raftBind;
  private final List<String> partners = new ArrayList<>();
  private String raftDataDir;
  private Boolean raftInsecure;
  private int ttl = 8;
  private int loopWait = 1;
  private int retryTimeout = 2;
  private long maximumLagOnFailover = 1_048_576;
  private boolean useSlots = true;
  private String dcsExtra = "";
  private String bootstrapExtra = "";
  private final List<String> pgHba = new ArrayList<>();
  private String pgListen;
  private String pgConnect;
  private String dataDir;
  private String binDir = PG_BIN;
  private String pgpass;
  private String superuserPassword;
  private String replicationPassword;

  public NodeYaml scope(String scope, String namespace) {
    this.scope = scope;
    this.namespace = namespace;
    return this;
  }

  public NodeYaml name(String name) {
    this.name = name;
    return this;
  }

  public NodeYaml rest(String listen, String connectAddress) {
    this.restListen = listen;
    this.restConnect = connectAddress;
    return this;
  }

  /** raft.self_addr, bind_addr, partner_addrs (host:port each, in order) and data_dir. */
  public NodeYaml raft(String self, String bind, List<String> partnerAddrs, Object dataDirectory) {
    this.raftSelf = self;
    this.raftBind = bind;
    this.partners.clear();
    this.partners.addAll(partnerAddrs);
    this.raftDataDir = String.valueOf(dataDirectory);
    return this;
  }

  /** raft.insecure; not written unless set (pgquorum's default then applies). */
  public NodeYaml raftInsecure(boolean insecure) {
    this.raftInsecure = insecure;
    return this;
  }

  /** bootstrap.dcs timings: ttl, loop_wait, retry_timeout (seconds) and maximum_lag_on_failover (bytes). */
  public NodeYaml dcs(int ttlSeconds, int loopWaitSeconds, int retryTimeoutSeconds, long maximumLag) {
    this.ttl = ttlSeconds;
    this.loopWait = loopWaitSeconds;
    this.retryTimeout = retryTimeoutSeconds;
    this.maximumLagOnFailover = maximumLag;
    return this;
  }

  public NodeYaml useSlots(boolean slots) {
    this.useSlots = slots;
    return this;
  }

  /**
   * More bootstrap.dcs keys, written after its postgresql section: each line starts with a newline and is
   * indented by four spaces (e.g. {@code "\n    standby_cluster:\n      host: h"}).
   */
  public NodeYaml dcsExtra(String lines) {
    this.dcsExtra = Objects.requireNonNull(lines, "lines");
    return this;
  }

  /**
   * More bootstrap keys, written after its initdb list: each line indented by two spaces and ending with a
   * newline (e.g. a custom {@code method: pgbackrest} with its {@code pgbackrest:} section).
   */
  public NodeYaml bootstrapExtra(String lines) {
    this.bootstrapExtra = Objects.requireNonNull(lines, "lines");
    return this;
  }

  /** bootstrap.pg_hba lines; not written when empty (pgquorum's default then applies). */
  public NodeYaml pgHba(List<String> lines) {
    this.pgHba.clear();
    this.pgHba.addAll(lines);
    return this;
  }

  public NodeYaml postgres(String listen, String connectAddress, Object dataDirectory, Object pgpassFile) {
    this.pgListen = listen;
    this.pgConnect = connectAddress;
    this.dataDir = String.valueOf(dataDirectory);
    this.pgpass = String.valueOf(pgpassFile);
    return this;
  }

  public NodeYaml binDir(String dir) {
    this.binDir = dir;
    return this;
  }

  /** The superuser ({@code postgres}) and replication ({@code replicator}) passwords. */
  public NodeYaml passwords(String superuser, String replication) {
    this.superuserPassword = superuser;
    this.replicationPassword = replication;
    return this;
  }

  /** The YAML text, ending with a newline. */
  public String render() {
    require(scope, "scope");
    require(name, "name");
    require(restListen, "rest");
    require(raftSelf, "raft");
    require(pgListen, "postgres");
    require(superuserPassword, "passwords");
    StringBuilder y = new StringBuilder();
    y.append("scope: ").append(scope).append('\n')
        .append("namespace: ").append(namespace).append('\n')
        .append("name: ").append(name).append('\n')
        .append("log:\n  level: INFO\n")
        .append("restapi:\n")
        .append("  listen: ").append(restListen).append('\n')
        .append("  connect_address: ").append(restConnect).append('\n')
        .append("raft:\n")
        .append("  self_addr: ").append(raftSelf).append('\n')
        .append("  bind_addr: ").append(raftBind).append('\n')
        .append("  partner_addrs:");
    for (String p : partners) {
      y.append("\n    - ").append(p);
    }
    y.append('\n').append("  data_dir: ").append(raftDataDir).append('\n');
    if (raftInsecure != null) {
      y.append("  insecure: ").append(raftInsecure).append('\n');
    }
    y.append("bootstrap:\n")
        .append("  dcs:\n")
        .append("    ttl: ").append(ttl).append('\n')
        .append("    loop_wait: ").append(loopWait).append('\n')
        .append("    retry_timeout: ").append(retryTimeout).append('\n')
        .append("    maximum_lag_on_failover: ").append(maximumLagOnFailover).append('\n')
        .append("    postgresql:\n")
        .append("      use_pg_rewind: true\n")
        .append("      use_slots: ").append(useSlots).append('\n')
        .append("      parameters:\n")
        .append("        wal_keep_size: 64MB\n")
        .append("        max_connections: 40").append(dcsExtra).append('\n')
        .append("  initdb:\n")
        .append("    - encoding: UTF8\n")
        .append("    - data-checksums\n")
        .append(bootstrapExtra);
    if (!pgHba.isEmpty()) {
      y.append("  pg_hba:\n");
      for (String line : pgHba) {
        y.append("    - ").append(line).append('\n');
      }
    }
    y.append("postgresql:\n")
        .append("  listen: ").append(pgListen).append('\n')
        .append("  connect_address: ").append(pgConnect).append('\n')
        .append("  data_dir: ").append(dataDir).append('\n')
        .append("  bin_dir: ").append(binDir).append('\n')
        .append("  pgpass: ").append(pgpass).append('\n')
        .append("  authentication:\n")
        .append("    superuser:\n")
        .append("      username: postgres\n")
        .append("      password: ").append(superuserPassword).append('\n')
        .append("    replication:\n")
        .append("      username: replicator\n")
        .append("      password: ").append(replicationPassword).append('\n')
        .append("  parameters:\n")
        .append("    shared_buffers: 16MB\n");
    return y.toString();
  }

  private static void require(Object value, String setting) {
    if (value == null) {
      throw new IllegalStateException("NodeYaml: " + setting + "(...) was not set");
    }
  }
}
