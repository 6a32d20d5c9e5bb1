package io.pgquorum.backrest.run;

import java.time.Duration;
import java.util.List;

/**
 * One finished pgbackrest invocation, for logs and for callers that show details.
 *
 * @param command the argument list as run (it never holds secrets: those live in the 0600 conf file)
 * @param exitCode the process's exit status (pgBackRest exits with its error code, e.g. 55)
 * @param stdout what it printed on stdout (info's JSON)
 * @param stderr what it printed on stderr (2.45 prints errors and warnings there and on the console)
 */
public record CommandRun(List<String> command, int exitCode, String stdout, String stderr, Duration took) {
  public CommandRun {
    command = List.copyOf(command);
  }

  /** The command as one line, for logs. */
  public String commandLine() {
    return String.join(" ", command);
  }
}
