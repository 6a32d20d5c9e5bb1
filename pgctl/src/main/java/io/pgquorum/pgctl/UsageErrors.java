package io.pgquorum.pgctl;

import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * What picocli found wrong with a command line, worded as pgctl has always said it (patronictl's terms: "no such
 * option", "requires a value", "unexpected extra argument"), with the word the user typed and never its value.
 * picocli's own sentences ("Unknown option: '--x'", "Missing required parameter for option ...") name the
 * model's internals and differ between versions; users and scripts read ours.
 */
final class UsageErrors {
  /** The commands whose missing values are worded as click words them (they came from patronictl as is). */
  private static final List<String> CLICK_WORDED = List.of("restart", "reload", "reinit");

  private UsageErrors() {}

  /** The usage failure for picocli's {@code e} on {@code args}. */
  static CtlException of(ParameterException e, String[] args) {
    List<String> path = CommandTree.pathOf(e.getCommandLine().getCommandSpec());
    if (e instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
      return unmatched(path, u.getUnmatched().get(0));
    }
    if (e instanceof MissingParameterException m && !m.getMissing().isEmpty()
        && m.getMissing().get(0) instanceof OptionSpec o) {
      String typed = typedName(o, args);
      return CtlException.usage(path.size() == 1 && CLICK_WORDED.contains(path.get(0))
          ? "option '" + typed + "' requires an argument" : "option " + typed + " requires a value");
    }
    for (String arg : args) {
      // a value attached to a flag (--force=yes), in click's words
      OptionSpec flag = arg.startsWith("--") && arg.contains("=")
          ? e.getCommandLine().getCommandSpec().findOption(optionName(arg)) : null;
      if (flag != null && flag.arity().max() == 0) {
        return CtlException.usage("option " + optionName(arg) + " does not take a value");
      }
    }
    return CtlException.usage(e.getMessage()); // picocli's sentence, which names the option
  }

  private static CtlException unmatched(List<String> path, String word) {
    boolean option = word.startsWith("-") && !word.equals("-");
    String name = optionName(word);
    String where = String.join(" ", path);
    if (path.isEmpty()) {
      if (word.equals("-d") || word.startsWith("--dcs")) {
        return CtlException.usage("option " + name + " is not supported: pgctl finds the DCS through the raft "
            + "section of the configuration file (-c)");
      }
      return option ? CtlException.mistyped("no such option: " + name, path, word)
          : CtlException.mistyped("no such command: '" + word + "' (commands: " + CommandLine.COMMANDS + ")", path,
              word);
    }
    if (option && (word.startsWith("-c") || name.equals("--config-file"))) {
      // a global option typed after the command (where click would not look for it either)
      return CtlException.usage("option " + name + " must come before the command: pgctl " + name + " FILE "
          + (path.get(0).equals(CommandLine.DCS) ? "dcs ..." : path.get(0)));
    }
    if (option) {
      return CtlException.mistyped("no such option for " + where + ": " + name, path, word);
    }
    if (path.equals(List.of(CommandLine.DCS))) {
      return CtlException.mistyped("no such dcs command: '" + word + "' (dcs commands: members, add, remove)", path,
          word);
    }
    if (path.equals(List.of(CommandLine.DCS, CommandLine.MEMBERS))) {
      return CtlException.usage("unexpected argument for dcs members: '" + word + "'");
    }
    return CtlException.usage("unexpected extra argument for " + where + ": '" + word + "'"
        + (path.get(0).equals(CommandTree.COMPLETION) ? "" : " (it takes one CLUSTER_NAME at most)"));
  }

  /**
   * The name the option was typed as: a value can only be missing at the end of the line (an option's value is
   * whatever follows it, as click takes it), so it is the last argument when that is one of its names.
   */
  private static String typedName(OptionSpec o, String[] args) {
    String lastArg = args.length == 0 ? "" : args[args.length - 1];
    return Arrays.asList(o.names()).contains(lastArg) ? lastArg : o.longestName();
  }

  /** The option part of {@code --opt=value}, so errors name the option and never echo a value. */
  static String optionName(String arg) {
    int eq = arg.indexOf('=');
    return arg.startsWith("--") && eq > 0 ? arg.substring(0, eq) : arg;
  }
}
