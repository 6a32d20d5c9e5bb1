package io.pgquorum.dcs.api;

/**
 * A DCS member cannot start because of its configuration or storage. The message names the offending
 * setting (for example {@code raft.partner_addrs[1]}) and what is wrong with it.
 */
public class DcsConfigException extends DcsException {
  public DcsConfigException(String message) {
    super(message);
  }

  public DcsConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
