package io.pgquorum.coordinator.config;

import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reads {@code postgresql.callbacks}, {@code postgresql.pre_promote} and {@code postgresql.before_stop}. A command
 * is text that splits into at least one word, with its quotes closed: it is split as a shell would (without
 * running one) only when it runs, so a value that cannot be split is refused here, naming the key, rather than
 * found out at the first failover.
 */
final class CallbacksSection {
  private CallbacksSection() {}

  static CallbacksConfig parse(Section postgresql) {
    Map<CallbackAction, String> callbacks = new EnumMap<>(CallbackAction.class);
    Optional<Section> section = postgresql.section(PostgresKeys.CALLBACKS);
    if (section.isPresent()) {
      Section s = section.get();
      for (int i = 0; i < CallbackAction.values().length; i++) {
        CallbackAction action = CallbackAction.values()[i];
        command(s, PostgresKeys.CALLBACK_KEYS.get(i)).ifPresent(c -> callbacks.put(action, c));
      }
      s.warnUnknown();
    }
    Optional<String> prePromote = command(postgresql, PostgresKeys.PRE_PROMOTE);
    Optional<String> beforeStop = command(postgresql, PostgresKeys.BEFORE_STOP);
    return new CallbacksConfig(callbacks, prePromote, beforeStop);
  }

  private static Optional<String> command(Section s, ConfigKey key) {
    Object raw = s.value(key);
    if (raw == null) {
      return Optional.empty();
    }
    if (raw instanceof Map || raw instanceof java.util.List || raw instanceof Boolean) {
      s.problems().error(s.keyPath(key), "must be a command line (text), got " + s.problems().show(raw));
      return Optional.empty();
    }
    String command = String.valueOf(raw);
    Optional<String> why = unsplittable(command);
    if (why.isPresent()) {
      s.problems().error(s.keyPath(key), "is not a usable command line: " + why.get());
      return Optional.empty();
    }
    return Optional.of(command);
  }

  /**
   * Why {@code command} cannot be split into argv by the rules the runner uses (POSIX shell quoting: single quotes,
   * double quotes with backslash escapes, a backslash escaping the next character), or empty when it can.
   */
  static Optional<String> unsplittable(String command) {
    boolean word = false;
    int i = 0;
    while (i < command.length()) {
      char c = command.charAt(i);
      if (c == '\'') {
        int end = command.indexOf('\'', i + 1);
        if (end < 0) {
          return Optional.of("a single quote is not closed");
        }
        word = true;
        i = end + 1;
      } else if (c == '"') {
        i++;
        while (i < command.length() && command.charAt(i) != '"') {
          i += command.charAt(i) == '\\' ? 2 : 1;
        }
        if (i >= command.length()) {
          return Optional.of("a double quote is not closed");
        }
        word = true;
        i++;
      } else {
        word |= !Character.isWhitespace(c);
        i += c == '\\' ? 2 : 1;
      }
    }
    return word ? Optional.empty() : Optional.of("it is empty");
  }
}
