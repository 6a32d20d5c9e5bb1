package io.pgquorum.coordinator.postgres;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a configured command line ({@code bootstrap.<method>.command}, {@code post_bootstrap}, replica method
 * commands) into argv the way a POSIX shell would for quoting purposes, without running a shell: no variable
 * expansion, globbing or redirection, so a value in the YAML cannot turn into shell code.
 */
final class CommandArgv {
  private CommandArgv() {}

  /**
   * Splits on unquoted whitespace; single quotes keep everything literally, double quotes allow {@code \"} and
   * {@code \\}, a backslash outside quotes escapes the next character.
   *
   * @throws IllegalArgumentException for an unterminated quote or an empty command
   */
  static List<String> split(String command) {
    List<String> args = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean inArg = false;
    int i = 0;
    int n = command.length();
    while (i < n) {
      char c = command.charAt(i);
      if (c == '\'') {
        int end = command.indexOf('\'', i + 1);
        if (end < 0) {
          throw new IllegalArgumentException("unterminated single quote in command: " + command);
        }
        current.append(command, i + 1, end);
        inArg = true;
        i = end + 1;
      } else if (c == '"') {
        i++;
        boolean closed = false;
        while (i < n) {
          char d = command.charAt(i);
          if (d == '"') {
            closed = true;
            i++;
            break;
          }
          if (d == '\\' && i + 1 < n && "\"\\$`".indexOf(command.charAt(i + 1)) >= 0) {
            current.append(command.charAt(i + 1));
            i += 2;
          } else {
            current.append(d);
            i++;
          }
        }
        if (!closed) {
          throw new IllegalArgumentException("unterminated double quote in command: " + command);
        }
        inArg = true;
      } else if (c == '\\' && i + 1 < n) {
        current.append(command.charAt(i + 1));
        inArg = true;
        i += 2;
      } else if (Character.isWhitespace(c)) {
        if (inArg) {
          args.add(current.toString());
          current.setLength(0);
          inArg = false;
        }
        i++;
      } else {
        current.append(c);
        inArg = true;
        i++;
      }
    }
    if (inArg) {
      args.add(current.toString());
    }
    if (args.isEmpty()) {
      throw new IllegalArgumentException("empty command");
    }
    return args;
  }

  /**
   * Turns Patroni-style option items into long options: {@code data-checksums} becomes {@code --data-checksums},
   * {@code encoding=UTF8} becomes {@code --encoding=UTF8}; items already starting with {@code -} are kept.
   */
  static List<String> longOptions(List<String> items) {
    List<String> out = new ArrayList<>(items.size());
    for (String item : items) {
      String s = item.trim();
      if (s.isEmpty()) {
        continue;
      }
      out.add(s.startsWith("-") ? s : "--" + s);
    }
    return out;
  }
}
