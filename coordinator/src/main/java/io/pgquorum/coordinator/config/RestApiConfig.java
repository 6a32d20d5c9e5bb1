package io.pgquorum.coordinator.config;

import java.util.List;
import java.util.Optional;

/**
 * The {@code restapi} section.
 *
 * @param listen host:port the REST API binds to (Patroni default {@code 0.0.0.0:8008}; ours binds what is given)
 * @param connectAddress host:port other members and tools use to reach this API
 * @param authentication HTTP Basic credentials protecting every non-GET request, when set
 * @param allowlist hosts/CIDRs allowed to call non-GET endpoints; empty means everyone
 */
public record RestApiConfig(
    HostPort listen, HostPort connectAddress, Optional<Credentials> authentication, List<String> allowlist) {
  public RestApiConfig {
    allowlist = List.copyOf(allowlist);
  }

  /** The URL peers use for this node's status, e.g. {@code http://127.0.0.1:8008/patroni} (Patroni's api_url). */
  public String apiUrl() {
    return "http://" + connectAddress + "/patroni";
  }
}
