package io.pgquorum.dcs.api;

import java.util.Optional;

/** An operation that only the Raft leader can perform reached another member. */
public class NotLeaderException extends DcsException {
  private final String leaderHint;

  public NotLeaderException(String operation, String leaderHint) {
    super(operation + " must run on the Raft leader; "
        + (leaderHint == null ? "no leader is known right now" : "the leader is " + leaderHint));
    this.leaderHint = leaderHint;
  }

  /** The member that is believed to lead, if known. */
  public Optional<String> leaderHint() {
    return Optional.ofNullable(leaderHint);
  }
}
