package io.pgquorum.coordinator.cluster;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who owns the keys a daemon writes: one <em>incarnation</em> of a member, {@code <name>@<node-id>#<n>}.
 *
 * <p>Why not just the name: the DCS lets only a lease's owner refresh it, so with the name as owner two daemons
 * started with the same {@code name} (an operator's copy-and-paste) would both refresh, and both believe they
 * hold, the same leader lease. With an incarnation as owner, a lease belongs to exactly one running daemon.
 *
 * <ul>
 *   <li>{@code node-id}: random, created once per node and kept in {@code raft.data_dir} (see
 *       {@code node.NodeIncarnation}); it tells "this node" from "another daemon with the same name".
 *   <li>{@code n}: counts the daemon starts on that node; every start is a new owner.
 * </ul>
 *
 * <p>The leader key's <em>value</em> stays the member name (Patroni's layout, what {@code pgctl list} and the REST
 * views show); the owner is DCS metadata only pgquorum reads. Parsing works from the right, so a name may contain
 * any character; an owner that does not parse (written by an older pgquorum, or by a tool) is a plain name.
 */
public record LeaseOwner(String name, String nodeId, long incarnation) {
  private static final Pattern SUFFIX = Pattern.compile("@([0-9a-f]{16})#([0-9]{1,18})$");

  public LeaseOwner {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("name must not be empty");
    }
    if (nodeId == null || !nodeId.matches("[0-9a-f]{16}")) {
      throw new IllegalArgumentException("nodeId must be 16 lowercase hex digits, got " + nodeId);
    }
    if (incarnation < 1) {
      throw new IllegalArgumentException("incarnation must be >= 1, got " + incarnation);
    }
  }

  /** The DCS owner id. */
  public String id() {
    return name + "@" + nodeId + "#" + incarnation;
  }

  /** Parses an owner id; empty for one in another format (a plain name, a tool's client id). */
  public static Optional<LeaseOwner> parse(String ownerId) {
    if (ownerId == null) {
      return Optional.empty();
    }
    Matcher m = SUFFIX.matcher(ownerId);
    if (!m.find() || m.start() == 0) {
      return Optional.empty();
    }
    return Optional.of(new LeaseOwner(ownerId.substring(0, m.start()), m.group(1), Long.parseLong(m.group(2))));
  }

  /** The member name an owner id stands for: its name part, or the whole id when it is not an incarnation. */
  public static String memberName(String ownerId) {
    return parse(ownerId).map(LeaseOwner::name).orElse(ownerId);
  }

  /** True when {@code other} is an earlier start of the same node (same node id, lower count). */
  public boolean isEarlierIncarnationOfThisNode(String otherOwnerId) {
    return parse(otherOwnerId).filter(o -> o.nodeId.equals(nodeId) && o.incarnation < incarnation).isPresent();
  }

  @Override
  public String toString() {
    return id();
  }
}
