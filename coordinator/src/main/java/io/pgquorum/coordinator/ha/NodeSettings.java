package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.config.DynamicConfig;
import java.util.Optional;

/**
 * What the decision needs from this node's own configuration file (the cluster-wide settings are in
 * {@link HaPolicy#dynamic()}): how the member key presents this node, and how it rejoins after its timeline
 * diverged. Values, so the decision stays a pure function and tests state them explicitly.
 *
 * @param connUrl the member key's {@code conn_url} ({@code postgres://host:port/postgres})
 * @param apiUrl the member key's {@code api_url}
 * @param customBootstrap a {@code bootstrap.method} other than initdb is configured (it changes the state string)
 * @param usePgRewind {@code postgresql.use_pg_rewind}, overriding the dynamic setting when present
 * @param removeDataDirectoryOnRewindFailure re-clone when pg_rewind fails
 * @param removeDataDirectoryOnDivergedTimelines re-clone when the timeline diverged and pg_rewind is off
 * @param bootstrapDcs bootstrap.dcs: what a new cluster's {@code config} key is seeded with
 * @param cloneWithoutLeader a replica method marked {@code no_leader} is configured (a restore from a backup): an
 *     empty node of an initialized cluster may create its data directory while the cluster has no leader
 * @param hooks which callback, pre_promote and before_stop scripts are configured ({@link CallbackRules})
 */
public record NodeSettings(
    String connUrl,
    String apiUrl,
    boolean customBootstrap,
    Optional<Boolean> usePgRewind,
    boolean removeDataDirectoryOnRewindFailure,
    boolean removeDataDirectoryOnDivergedTimelines,
    DynamicConfig bootstrapDcs,
    boolean cloneWithoutLeader,
    Hooks hooks) {

  /** Without scripts. */
  public NodeSettings(String connUrl, String apiUrl, boolean customBootstrap, Optional<Boolean> usePgRewind,
      boolean removeDataDirectoryOnRewindFailure, boolean removeDataDirectoryOnDivergedTimelines,
      DynamicConfig bootstrapDcs, boolean cloneWithoutLeader) {
    this(connUrl, apiUrl, customBootstrap, usePgRewind, removeDataDirectoryOnRewindFailure,
        removeDataDirectoryOnDivergedTimelines, bootstrapDcs, cloneWithoutLeader, Hooks.NONE);
  }

  /** Without a no_leader replica method. */
  public NodeSettings(String connUrl, String apiUrl, boolean customBootstrap, Optional<Boolean> usePgRewind,
      boolean removeDataDirectoryOnRewindFailure, boolean removeDataDirectoryOnDivergedTimelines,
      DynamicConfig bootstrapDcs) {
    this(connUrl, apiUrl, customBootstrap, usePgRewind, removeDataDirectoryOnRewindFailure,
        removeDataDirectoryOnDivergedTimelines, bootstrapDcs, false);
  }

  /** A node with nothing set beyond the defaults, seeding {@code bootstrapDcs} (tests that do not look at these). */
  public static NodeSettings defaults(DynamicConfig bootstrapDcs) {
    return new NodeSettings("", "", false, Optional.empty(), false, false, bootstrapDcs);
  }
}
