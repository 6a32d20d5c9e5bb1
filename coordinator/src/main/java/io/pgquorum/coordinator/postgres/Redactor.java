package io.pgquorum.coordinator.postgres;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Removes known secrets from text before it reaches a log line or an exception. Passwords never go on a command
 * line or into SQL text, so this is a second line of defence: a tool or script might still echo its environment
 * or a file it was given.
 */
final class Redactor {
  static final String MASK = "<redacted>";
  private final List<String> secrets;

  Redactor(Collection<String> secrets) {
    // Longest first, so a secret that contains another one is masked whole.
    this.secrets = secrets.stream().filter(Objects::nonNull).filter(s -> !s.isEmpty()).distinct()
        .sorted(Comparator.comparingInt(String::length).reversed()).toList();
  }

  String apply(String text) {
    if (text == null) {
      return "";
    }
    String out = text;
    for (String secret : secrets) {
      out = out.replace(secret, MASK);
    }
    return out;
  }
}
