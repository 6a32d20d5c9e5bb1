package io.pgquorum.coordinator.config;

import java.util.Map;
import java.util.Optional;

/**
 * A PostgreSQL role (or REST API user) and its password. {@link #toString()} never shows the password: secrets
 * must not reach logs, errors or API output.
 *
 * @param username role name
 * @param password password, empty when the role authenticates otherwise (peer, trust, certificates)
 * @param extra further libpq connection options from the same section (sslmode, sslcert, channel_binding, ...)
 */
public record Credentials(String username, Optional<String> password, Map<String, String> extra) {
  public Credentials {
    extra = Map.copyOf(extra);
  }

  public static Credentials of(String username, String password) {
    return new Credentials(username, Optional.ofNullable(password), Map.of());
  }

  /**
   * The HTTP Basic {@code Authorization} header value for these credentials (the REST API's
   * {@code restapi.authentication}, sent by pgctl and by a primary's failsafe round). Carries the password: never
   * log it.
   */
  public String basicAuthorization() {
    return "Basic " + java.util.Base64.getEncoder().encodeToString(
        (username + ":" + password.orElse("")).getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "Credentials[username=" + username + ", password=" + (password.isPresent() ? "<redacted>" : "<none>")
        + ", extra=" + extra.keySet() + "]";
  }
}
