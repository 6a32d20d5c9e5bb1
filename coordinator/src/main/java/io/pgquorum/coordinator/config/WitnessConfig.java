package io.pgquorum.coordinator.config;

import java.util.List;
import java.util.Optional;

/**
 * What {@code pgquorum witness} reads: a DCS member without PostgreSQL or HA loop (Patroni's
 * {@code patroni_raft_controller}, which reads only the {@code raft} section). A node's own file is accepted too: the
 * sections a witness has no use for are ignored with a warning, so one file per machine can serve either role.
 *
 * @param scope the cluster, which names the Raft group the witness joins
 * @param name {@code name} when given (only for its log lines: a witness writes no DCS key)
 * @param raft its DCS member, validated as a node's
 * @param log logging, as a node's
 * @param restapi its monitoring endpoint ({@code /liveness}, {@code /health}, {@code /metrics}) when the file has a
 *     {@code restapi} section, parsed and validated as a node's; empty: no endpoint
 * @param warnings non-fatal findings (ignored sections, unknown keys), logged at start
 */
public record WitnessConfig(String scope, Optional<String> name, RaftConfig raft, LogConfig log,
    Optional<RestApiConfig> restapi, List<String> warnings) {
  public WitnessConfig {
    warnings = List.copyOf(warnings);
  }

  /** How log lines and messages name this witness: its name, else its Raft address. */
  public String label() {
    return name.orElse(raft.selfAddr());
  }
}
