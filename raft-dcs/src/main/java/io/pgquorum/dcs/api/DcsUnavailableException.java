package io.pgquorum.dcs.api;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * No working majority answered within the operation timeout. The operation may or may not have been applied
 * (a write whose reply was lost); a retry through the same client is still applied at most once.
 */
public class DcsUnavailableException extends DcsException {
  private final Duration waited;
  private final Instant lastSuccess;

  public DcsUnavailableException(String message, Duration waited, Instant lastSuccess, Throwable cause) {
    super(message + " (waited " + waited.toMillis() + " ms; last successful DCS operation of this client: "
        + (lastSuccess == null ? "never" : lastSuccess.toString()) + ")", cause);
    this.waited = waited;
    this.lastSuccess = lastSuccess;
  }

  /** How long the call tried before giving up. */
  public Duration waited() {
    return waited;
  }

  /** When this client last completed any DCS operation, if ever. */
  public Optional<Instant> lastSuccess() {
    return Optional.ofNullable(lastSuccess);
  }
}
