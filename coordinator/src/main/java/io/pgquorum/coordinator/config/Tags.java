package io.pgquorum.coordinator.config;

import java.util.Map;
import java.util.Optional;

/**
 * The {@code tags} section, with Patroni's meaning.
 *
 * @param nofailover never take the leader lock (also implied by failoverPriority 0)
 * @param noloadbalance {@code GET /replica} answers 503 so load balancers skip this node
 * @param clonefrom other nodes prefer this node as a basebackup source
 * @param nosync never become a synchronous standby
 * @param failoverPriority higher wins among equally healthy candidates; 0 never promotes
 * @param all every tag as written (including custom ones, and replicatefrom: see {@link #replicatefrom}), for
 *     {@code members/<name>} and {@code ?tag_x=}
 */
public record Tags(
    boolean nofailover, boolean noloadbalance, boolean clonefrom, boolean nosync, int failoverPriority,
    Map<String, Object> all) {
  public Tags {
    all = Map.copyOf(all);
  }

  public static Tags none() {
    return new Tags(TagsKeys.NOFAILOVER.defaultBool(), TagsKeys.NOLOADBALANCE.defaultBool(),
        TagsKeys.CLONEFROM.defaultBool(), TagsKeys.NOSYNC.defaultBool(), TagsKeys.FAILOVER_PRIORITY.defaultInt(),
        Map.of());
  }

  /** Whether this node may ever take the leader lock. */
  public boolean canFailover() {
    return !nofailover && failoverPriority > 0;
  }

  /**
   * The member this node streams from (cascading) while that member runs; empty: the leader. Read from
   * {@link #all} rather than a component of its own so that the member key, which carries {@code all}, is the
   * single place the other nodes learn it from.
   */
  public Optional<String> replicatefrom() {
    return get("replicatefrom").map(String::valueOf).filter(v -> !v.isBlank());
  }

  /**
   * Tagged {@code nostream}: this replica replays from the archive only, without primary_conninfo, and no slot is
   * kept for it. Read from {@link #all}, like {@link #replicatefrom()}: the other nodes learn it from the member key.
   */
  public boolean nostream() {
    return get("nostream").map(v -> Boolean.TRUE.equals(v) || "true".equalsIgnoreCase(String.valueOf(v)))
        .orElse(false);
  }

  /**
   * The {@code sync_priority} tag (Patroni 4.1): higher is chosen first for synchronous duty, 0 or less never.
   * Read from {@link #all}, like {@link #nostream()}: the primary learns it from the member key.
   */
  public int syncPriority() {
    return get(TagsKeys.SYNC_PRIORITY.name()).map(v -> v instanceof Number n ? n.intValue()
        : Scalars.toLong(v) == null ? TagsKeys.SYNC_PRIORITY.defaultInt() : Scalars.toLong(v).intValue())
        .orElse(TagsKeys.SYNC_PRIORITY.defaultInt());
  }

  /** Never a synchronous standby: tagged {@code nosync}, or a {@code sync_priority} of 0 or less. */
  public boolean neverSync() {
    return nosync || syncPriority() <= 0;
  }

  public Optional<Object> get(String name) {
    return Optional.ofNullable(all.get(name));
  }
}
