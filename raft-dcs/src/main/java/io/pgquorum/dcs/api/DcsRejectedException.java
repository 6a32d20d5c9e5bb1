package io.pgquorum.dcs.api;

/** The DCS refused a request as malformed (an empty key, a negative TTL, an unknown command kind). */
public class DcsRejectedException extends DcsException {
  public DcsRejectedException(String message) {
    super(message);
  }
}
