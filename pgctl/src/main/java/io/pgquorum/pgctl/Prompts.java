package io.pgquorum.pgctl;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.PrintStream;

/**
 * click's prompts as patronictl asks them ({@code Question: }, {@code Question [y/N]: }), read from standard input.
 *
 * <p>A prompt needs someone to answer it: without a terminal (a cron job, an ssh command without {@code -t}, a
 * pipeline whose input never ends) a waiting prompt would hang the caller. So a command that would ask, run without a
 * terminal and without {@code --force}, refuses up front ({@link #requireTerminal}) with one line saying why.
 */
final class Prompts {
  private final BufferedReader in;
  private final PrintStream out;
  private final boolean terminal;

  /**
   * @param terminal whether someone can answer: standard input and output are a terminal (tests pass true with
   *     scripted answers)
   */
  Prompts(BufferedReader in, PrintStream out, boolean terminal) {
    this.in = in;
    this.out = out;
    this.terminal = terminal;
  }

  /**
   * Fails when nobody can answer a prompt.
   *
   * @param asks what would be asked, e.g. "remove asks for confirmation"
   * @param hint how to do without the prompt
   */
  void requireTerminal(String asks, String hint) {
    if (!terminal) {
      throw CtlException.failure(asks + " and standard input is not a terminal; " + hint);
    }
  }

  /** click.prompt without a default: asks again on an empty answer; end of input aborts. */
  String prompt(String question) {
    while (true) {
      out.print(question + ": ");
      out.flush();
      String answer = readLine();
      if (answer == null) {
        out.println();
        throw CtlException.failure("Aborted!");
      }
      if (!answer.isEmpty()) {
        return answer;
      }
    }
  }

  /** click.confirm: {@code [y/N]: }, anything but y/yes (or end of input) is no. */
  boolean confirm(String question) {
    return DcsMemberCommands.confirm(question, in, out);
  }

  /** A hidden answer (click's hide_input): read from the console without echo when there is one. */
  String password(String question) {
    Console console = System.console();
    if (terminal && console != null) {
      char[] answer = console.readPassword("%s: ", question);
      if (answer == null) {
        throw CtlException.failure("Aborted!");
      }
      return new String(answer);
    }
    return prompt(question);
  }

  private String readLine() {
    try {
      return in.readLine();
    } catch (IOException e) {
      return null;
    }
  }
}
