package io.pgquorum.coordinator.rest;

/**
 * A request the server refuses as invalid (HTTP 400). The message names the offending field or parameter and is
 * shown to the caller as is, so it must never quote a secret.
 */
final class BadRequest extends Exception {
  private static final long serialVersionUID = 1L;

  BadRequest(String field, String reason) {
    super(field + ": " + reason);
  }

  /** A refusal in Patroni's exact words ({@code text} names the offending field itself, or is Patroni's). */
  static BadRequest patroni(String text) {
    return new BadRequest(text);
  }

  private BadRequest(String text) {
    super(text);
  }
}
