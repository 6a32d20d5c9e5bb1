package io.pgquorum.coordinator.init;

import java.io.Console;
import java.util.Optional;

/**
 * Where {@code pgquorum init} asks for a value a flag did not give: a terminal, or nobody (then a missing required
 * flag is an error naming it).
 */
public interface Prompter {
  /** The answer to {@code question} (empty when there is nobody to ask). */
  Optional<String> ask(String question);

  /** A secret answer, not echoed; empty when there is nobody to ask or the answer was empty. */
  Optional<String> askSecret(String question);

  /** Nobody to ask: scripts, pipes, tests. */
  Prompter NONE = new Prompter() {
    @Override
    public Optional<String> ask(String question) {
      return Optional.empty();
    }

    @Override
    public Optional<String> askSecret(String question) {
      return Optional.empty();
    }
  };

  /** The attached terminal, or {@link #NONE} when stdin or stdout is not one. */
  static Prompter terminal() {
    Console console = System.console();
    if (console == null) {
      return NONE;
    }
    return new Prompter() {
      @Override
      public Optional<String> ask(String question) {
        String line = console.readLine("%s: ", question);
        return line == null ? Optional.empty() : Optional.of(line.strip());
      }

      @Override
      public Optional<String> askSecret(String question) {
        char[] secret = console.readPassword("%s: ", question);
        return secret == null || secret.length == 0 ? Optional.empty() : Optional.of(new String(secret));
      }
    };
  }
}
