package io.pgquorum.coordinator.config;

import java.util.Map;
import java.util.Optional;

/**
 * A custom bootstrap or replica-creation method, with Patroni's contract.
 *
 * <p>Replica methods get {@code --scope=<scope> --datadir=<dir> --role=replica --connstring=<leader url>} (unless
 * {@code no_params}) followed by every extra key as {@code --key=value}; bootstrap methods get
 * {@code --scope} and {@code --datadir}. The command runs with the PostgreSQL user's environment and must exit 0.
 *
 * @param name the method name (the section's key)
 * @param command the command line (split like a shell would, without a shell)
 * @param keepData replica method: do not empty the data directory first
 * @param noParams do not add the standard parameters
 * @param noLeader replica method: may run without a leader (e.g. restore from a backup)
 * @param keepExistingRecoveryConf bootstrap method: keep recovery settings the command wrote
 * @param recoveryConf bootstrap method: recovery settings to apply before the first start (PITR)
 * @param extra every other key, passed as {@code --key=value}
 */
public record CustomMethod(
    String name,
    String command,
    boolean keepData,
    boolean noParams,
    boolean noLeader,
    boolean keepExistingRecoveryConf,
    Map<String, String> recoveryConf,
    Map<String, String> extra) {
  public CustomMethod {
    recoveryConf = Map.copyOf(recoveryConf);
    extra = Map.copyOf(extra);
  }

  public Optional<String> extraValue(String key) {
    return Optional.ofNullable(extra.get(key));
  }
}
