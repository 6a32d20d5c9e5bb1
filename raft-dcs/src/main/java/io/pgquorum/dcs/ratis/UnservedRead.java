package io.pgquorum.dcs.ratis;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.StateMachineException;

/**
 * A member's refusal of a linearizable read it cannot confirm ({@code DcsStateMachine.confirmedRead}: not the ready
 * leader, its term not confirmed by a majority, or still starting), and how the client recognises one and finds
 * the leader it names. It crosses the wire as the text of Ratis' {@link StateMachineException}, the only failure a
 * query can return that keeps its text; a client that does not know it reports the read as refused, never as an
 * empty answer.
 */
final class UnservedRead {
  private static final String MARK = "pgquorum-unserved-read:";
  private static final Pattern LEADER = Pattern.compile("\\[leader ([^\\]\\s]+)]");

  private UnservedRead() {}

  /** The refusal; {@code leader} is the Raft leader this member knows, null when none. */
  static StateMachineException refusal(String why, RaftPeerId leader) {
    // No step-down: the flag only matters for writes, and a refused read says nothing against the leader.
    return new StateMachineException(MARK + " " + why + (leader == null ? "" : " [leader " + leader + "]"), false);
  }

  static boolean is(StateMachineException e) {
    return e != null && e.getMessage() != null && e.getMessage().contains(MARK);
  }

  /** The leader the refusal names, if any. */
  static Optional<RaftPeerId> leader(StateMachineException e) {
    Matcher m = LEADER.matcher(e.getMessage());
    return m.find() ? Optional.of(RaftPeerId.valueOf(m.group(1))) : Optional.empty();
  }
}
