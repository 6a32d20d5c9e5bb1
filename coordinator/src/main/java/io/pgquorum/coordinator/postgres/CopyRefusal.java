package io.pgquorum.coordinator.postgres;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PostgreSQL's messages (PG 15, xlogrecovery.c) that say a copy cannot reach the timeline it was asked to follow: no
 * restart changes that, only another copy does. Found in pg_ctl's output and the startup log's tail.
 * <ul>
 *   <li>"requested timeline N is not a child of this server's history": the copy's checkpoint lies on a timeline
 *       past the point where the requested timeline's history left it (a backup taken after the branch point, or
 *       on a later or sibling timeline);
 *   <li>"requested timeline N does not contain minimum recovery point X/Y on timeline M": the copy became
 *       consistent past that point;
 *   <li>"unexpected timeline ID N in checkpoint record, before reaching minimum recovery point X/Y on timeline M"
 *       (a PANIC during replay): the same, noticed only when the switch record is replayed.
 * </ul>
 */
final class CopyRefusal {
  private static final List<Pattern> MESSAGES = List.of(
      Pattern.compile("requested timeline \\d+ is not a child of this server's history"),
      Pattern.compile("requested timeline \\d+ does not contain minimum recovery point [0-9A-F]+/[0-9A-F]+ on "
          + "timeline \\d+"),
      Pattern.compile("unexpected timeline ID \\d+ in checkpoint record, before reaching minimum recovery point "
          + "[0-9A-F]+/[0-9A-F]+ on timeline \\d+"));

  private CopyRefusal() {}

  /** The first refusal message in {@code text}, if any. */
  static Optional<String> find(String text) {
    for (Pattern p : MESSAGES) {
      Matcher m = p.matcher(text);
      if (m.find()) {
        return Optional.of(m.group());
      }
    }
    return Optional.empty();
  }
}
