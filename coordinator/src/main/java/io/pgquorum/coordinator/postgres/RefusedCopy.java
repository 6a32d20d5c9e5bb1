package io.pgquorum.coordinator.postgres;

import java.util.List;
import java.util.Optional;

/**
 * A copy PostgreSQL refused at its first start because it cannot reach the timeline it must follow (issue 13): a
 * restore of a backup from before a point-in-time recovery's branch point, say, made by a method pgquorum cannot
 * steer (a custom {@code pgbackrest} command restores the newest backup). The refusal is a fact for the decision,
 * which moves the copy aside and clones again without the method that made it.
 *
 * @param method the replica method that made the refused copy; empty when unknown (the copy was made before this
 *     daemon started)
 * @param message PostgreSQL's message
 * @param skip the methods whose copies were refused so far, {@code method} included: the next clone runs without
 *     them
 * @param remaining the configured methods not in {@code skip}: none left means no further clone
 */
public record RefusedCopy(Optional<String> method, String message, List<String> skip, List<String> remaining) {
  public RefusedCopy {
    skip = List.copyOf(skip);
    remaining = List.copyOf(remaining);
  }

  /** The skipped methods for a message. */
  public String skipText() {
    return skip.isEmpty() ? "none (which method made it is unknown)" : String.join(", ", skip);
  }

  /** The method for a message: its name, or what is known of it. */
  public String methodText() {
    return method.map(m -> "method " + m).orElse("an earlier clone");
  }
}
