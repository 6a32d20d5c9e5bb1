package io.pgquorum.coordinator.ha.sync;

/** What the synchronous replication rules have to say this cycle, besides their steps (the loop logs it). */
public enum SyncNotice {
  /** Strict mode with no eligible standby: commits wait (Patroni's warning, logged once per activation). */
  STRICT_NO_CANDIDATE("no eligible synchronous standby and synchronous_mode_strict is on: commits wait until one "
      + "is available"),
  /** Fewer eligible standbys than synchronous_node_count: the count is capped. */
  FEWER_THAN_REQUESTED("fewer eligible synchronous standbys than synchronous_node_count: %d of %d"),
  /** Non-strict with no eligible standby: the primary runs asynchronously. */
  ASYNCHRONOUS_FALLBACK("no eligible synchronous standby: replication is asynchronous until one is available"),
  /** A compare-and-set of the {@code sync} key failed: the rest of this cycle's steps were skipped. */
  KEY_CHANGED("synchronous replication key updated by someone else");

  private final String template;

  SyncNotice(String template) {
    this.template = template;
  }

  public String template() {
    return template;
  }
}
