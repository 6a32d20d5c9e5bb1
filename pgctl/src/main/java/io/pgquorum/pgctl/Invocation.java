package io.pgquorum.pgctl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * One pgctl command line as the picocli model ({@link CommandTree}) parsed it: the command path, the global
 * options, and what was given to the command itself. The commands read their options from here (by any of an
 * option's names) and check only what the values mean; the syntax was the model's.
 *
 * @param path the command and, for dcs, its sub-command; empty when only global options were given
 * @param leaf the parse result of the last command in {@code path} (the root's when {@code path} is empty)
 * @param configFile {@code -c/--config-file}, when given
 * @param insecure {@code -k/--insecure}
 * @param help {@code -h/--help} was given for the command (or globally)
 */
record Invocation(List<String> path, ParseResult leaf, Optional<String> configFile, boolean insecure,
    boolean help) {

  Invocation {
    path = List.copyOf(path);
  }

  /** The parsed command line, from picocli's result for the whole line. */
  static Invocation of(ParseResult root) {
    List<String> path = new ArrayList<>();
    boolean help = root.isUsageHelpRequested();
    ParseResult at = root;
    while (at.hasSubcommand()) {
      at = at.subcommand();
      path.add(at.commandSpec().name());
      help |= at.isUsageHelpRequested();
    }
    OptionSpec insecure = root.commandSpec().findOption("--insecure");
    return new Invocation(path, at, last(root, "--config-file"), root.hasMatchedOption(insecure), help);
  }

  /** The command, empty when none was given. */
  Optional<String> command() {
    return path.isEmpty() ? Optional.empty() : Optional.of(path.get(0));
  }

  /** Whether the option (any of its names) was given. */
  boolean flag(String name) {
    OptionSpec o = leaf.commandSpec().findOption(name);
    return o != null && leaf.hasMatchedOption(o);
  }

  /** The option's value, the last one when it was given more than once (click's rule: the last one wins). */
  Optional<String> value(String name) {
    return last(leaf, name);
  }

  /** The positional arguments, as typed and in order. */
  List<String> positionals() {
    List<String> out = new ArrayList<>();
    leaf.commandSpec().positionalParameters().forEach(p -> out.addAll(p.stringValues()));
    return out;
  }

  /**
   * The options that were given, in the order typed, as (longest name, value; "" for a flag): for the commands
   * where the order carries meaning ({@code edit-config}'s -s and -p, the first two of restore's targets, the order
   * demote-cluster shows its settings in).
   */
  List<Map.Entry<String, String>> ordered() {
    List<Map.Entry<String, String>> out = new ArrayList<>();
    Map<ArgSpec, Integer> used = new HashMap<>();
    for (ArgSpec spec : leaf.matchedArgs()) {
      if (spec instanceof OptionSpec o && o.arity().max() == 0) {
        out.add(Map.entry(o.longestName(), ""));
      } else if (spec instanceof OptionSpec o) {
        int i = used.merge(spec, 1, Integer::sum) - 1;
        if (i < o.stringValues().size()) {
          out.add(Map.entry(o.longestName(), o.stringValues().get(i)));
        }
      }
    }
    return out;
  }

  private static Optional<String> last(ParseResult result, String name) {
    OptionSpec o = result.commandSpec().findOption(name); // any of its names; null when the command has none such
    if (o == null || !result.hasMatchedOption(o) || o.stringValues().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(o.stringValues().get(o.stringValues().size() - 1));
  }
}
