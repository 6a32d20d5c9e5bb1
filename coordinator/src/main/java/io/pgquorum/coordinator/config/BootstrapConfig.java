package io.pgquorum.coordinator.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code bootstrap} section: used once, by the node that wins the {@code initialize} race.
 *
 * @param dcs the initial dynamic configuration written to the DCS {@code config} key
 * @param method a custom bootstrap method name ({@code bootstrap.method}); empty means initdb
 * @param methods custom method sections ({@code bootstrap.<method>}: command, keep_existing_recovery_conf,
 *     no_params, recovery_conf)
 * @param initdb initdb options: a plain string {@code data-checksums} becomes {@code --data-checksums}, a
 *     one-key map {@code {encoding: UTF8}} becomes {@code --encoding=UTF8}
 * @param pgHba pg_hba lines written after initdb (Patroni's deprecated bootstrap.pg_hba)
 * @param postBootstrap a command run once after the new cluster is up, with a connection URL as argument
 * @param backrest the built-in {@code bootstrap.method: backrest} (a restore from the pgBackRest repository);
 *     present only when that is the method
 */
public record BootstrapConfig(
    DynamicConfig dcs,
    Optional<String> method,
    Map<String, CustomMethod> methods,
    List<String> initdb,
    List<String> pgHba,
    Optional<String> postBootstrap,
    Optional<BackrestBootstrap> backrest) {
  /** Without the built-in backrest method. */
  public BootstrapConfig(DynamicConfig dcs, Optional<String> method, Map<String, CustomMethod> methods,
      List<String> initdb, List<String> pgHba, Optional<String> postBootstrap) {
    this(dcs, method, methods, initdb, pgHba, postBootstrap, Optional.empty());
  }

  public BootstrapConfig {
    methods = Map.copyOf(methods);
    initdb = List.copyOf(initdb);
    pgHba = List.copyOf(pgHba);
  }
}
