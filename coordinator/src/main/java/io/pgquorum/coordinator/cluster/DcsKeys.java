package io.pgquorum.coordinator.cluster;

/**
 * The DCS key names of one cluster, Patroni's layout under {@code /<namespace>/<scope>/}. Keeping Patroni's names
 * lets users read the DCS with the same mental model (and the REST views mirror Patroni's).
 */
public record DcsKeys(String prefix) {
  public DcsKeys {
    if (!prefix.endsWith("/")) {
      throw new IllegalArgumentException("prefix must end with '/': " + prefix);
    }
  }

  public String initialize() {
    return prefix + "initialize";
  }

  public String config() {
    return prefix + "config";
  }

  public String leader() {
    return prefix + "leader";
  }

  public String membersPrefix() {
    return prefix + "members/";
  }

  public String member(String name) {
    return membersPrefix() + name;
  }

  public String failover() {
    return prefix + "failover";
  }

  public String sync() {
    return prefix + "sync";
  }

  public String history() {
    return prefix + "history";
  }

  public String status() {
    return prefix + "status";
  }

  /** pgquorum's own: the last scheduled backup slot and post-promotion timeline claimed ({@link BackupRecord}). */
  public String backups() {
    return prefix + "backups";
  }

  /** pgquorum's own: a cluster-wide point-in-time recovery requested by pgctl restore ({@link RestoreRecord}). */
  public String restore() {
    return prefix + "restore";
  }

  /** Patroni's {@code failsafe} key: the members failsafe mode asks (name to api_url), kept by the leader. */
  public String failsafe() {
    return prefix + "failsafe";
  }
}
