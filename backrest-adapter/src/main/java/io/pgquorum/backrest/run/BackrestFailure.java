package io.pgquorum.backrest.run;

import java.util.Optional;

/**
 * Why a pgbackrest command failed, with pgBackRest's own error line and a sentence saying what it means here.
 *
 * @param kind the failure, typed
 * @param command the command line (without secrets)
 * @param exitCode the exit status, or -1 when the process timed out or did not start
 * @param detail pgBackRest's "ERROR: [nnn]: ..." line (and its HINT), or what went wrong around it
 */
public record BackrestFailure(FailureKind kind, String command, int exitCode, String detail) {
  /** One clear text for logs and API answers: what it means, then what pgBackRest said. */
  public String describe() {
    return kind.meaning() + " (" + command + " exited " + (exitCode < 0 ? "-" : exitCode) + ": " + detail + ")";
  }

  /** pgBackRest's error code ([055] → 55), when its output had one. */
  public Optional<Integer> errorCode() {
    return FailureKind.errorCode(detail);
  }
}
