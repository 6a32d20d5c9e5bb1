package io.pgquorum.pgctl;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A parsed pgctl command line: {@code pgctl [global options] COMMAND [command options] [CLUSTER_NAME]}, with
 * click's conventions (what patronictl users type): global options before the command, {@code --opt value},
 * {@code --opt=value}, {@code -o value} and {@code -ovalue}, and {@code --} to end options.
 *
 * @param configFile {@code -c/--config-file}, when given
 * @param help {@code --help} was asked for (globally, or for {@code command})
 * @param command list, topology or version; empty with {@code --help} alone
 * @param clusterNames positional cluster names (must be the configuration's scope)
 * @param format {@code list --format}
 * @param extended {@code list -e/--extended}: always show the optional columns
 * @param timestamp {@code -t/--timestamp}: print the time before the output
 */
record CommandLine(
    Optional<String> configFile,
    boolean help,
    Optional<String> command,
    List<String> clusterNames,
    OutputFormat format,
    boolean extended,
    boolean timestamp) {

  static final String LIST = "list";
  static final String TOPOLOGY = "topology";
  static final String VERSION = "version";

  CommandLine {
    clusterNames = List.copyOf(clusterNames);
  }

  /** Parses {@code args}; a bad argument throws a usage {@link CtlException} naming it. */
  static CommandLine parse(String[] args) {
    Cursor in = new Cursor(args);
    Optional<String> configFile = Optional.empty();
    boolean help = false;
    String command = null;
    while (in.hasNext() && command == null) {
      String arg = in.next();
      if (arg.equals("-h") || arg.equals("--help")) {
        help = true;
      } else if (isOption(arg, "-c", "--config-file")) {
        configFile = Optional.of(in.value(arg, "-c", "--config-file"));
      } else if (arg.equals("-k") || arg.equals("--insecure")) {
        // patronictl's flag for its REST calls; pgctl talks to the DCS only, so there is nothing to relax
      } else if (arg.equals("-d") || arg.startsWith("--dcs")) {
        throw CtlException.usage("option " + optionName(arg) + " is not supported: pgctl finds the DCS "
            + "through the raft section of the configuration file (-c)");
      } else if (arg.startsWith("-") && !arg.equals("-")) {
        throw CtlException.usage("no such option: " + optionName(arg));
      } else {
        command = arg;
      }
    }
    if (command == null) {
      if (help) {
        return new CommandLine(configFile, true, Optional.empty(), List.of(), OutputFormat.PRETTY, false, false);
      }
      throw CtlException.usage("missing command (one of: list, topology, version)");
    }
    if (!command.equals(LIST) && !command.equals(TOPOLOGY) && !command.equals(VERSION)) {
      throw CtlException.usage("no such command: '" + command + "' (commands: list, topology, version)");
    }
    List<String> names = new ArrayList<>();
    OutputFormat format = OutputFormat.PRETTY;
    boolean extended = false;
    boolean timestamp = false;
    boolean optionsEnded = false;
    while (in.hasNext()) {
      String arg = in.next();
      if (optionsEnded || !arg.startsWith("-") || arg.equals("-")) {
        if (command.equals(VERSION)) {
          throw CtlException.usage("unexpected argument for version: '" + arg + "'");
        }
        names.add(arg);
      } else if (arg.equals("--")) {
        optionsEnded = true;
      } else if (arg.equals("-h") || arg.equals("--help")) {
        help = true;
      } else if (isOption(arg, "-c", "--config-file")) {
        throw CtlException.usage("option " + optionName(arg) + " must come before the command: pgctl "
            + optionName(arg) + " FILE " + command);
      } else if (command.equals(LIST) && isOption(arg, "-f", "--format")) {
        String value = in.value(arg, "-f", "--format");
        format = OutputFormat.parse(value).orElseThrow(() -> CtlException.usage(
            "invalid value for --format: '" + value + "' (choose from " + OutputFormat.CHOICES + ")"));
      } else if (command.equals(LIST) && (arg.equals("-e") || arg.equals("--extended"))) {
        extended = true;
      } else if (!command.equals(VERSION) && (arg.equals("-t") || arg.equals("--timestamp"))) {
        timestamp = true;
      } else if (!command.equals(VERSION) && (arg.equals("-W") || isOption(arg, "-w", "--watch"))) {
        throw CtlException.usage("option " + optionName(arg) + " is not supported: pgctl prints one snapshot "
            + "(repeat it with watch(1), e.g. watch -n 2 pgctl -c FILE " + command + ")");
      } else {
        throw CtlException.usage("no such option for " + command + ": " + optionName(arg));
      }
    }
    return new CommandLine(configFile, help, Optional.of(command), names, format, extended, timestamp);
  }

  /** Whether {@code arg} is the option in any of its spellings (with an attached value or not). */
  private static boolean isOption(String arg, String shortName, String longName) {
    return arg.equals(shortName) || arg.equals(longName) || arg.startsWith(longName + "=")
        || (arg.startsWith(shortName) && !arg.startsWith("--"));
  }

  /** The option part of {@code --opt=value}, so errors name the option and never echo a value. */
  private static String optionName(String arg) {
    int eq = arg.indexOf('=');
    return arg.startsWith("--") && eq > 0 ? arg.substring(0, eq) : arg;
  }

  private static final class Cursor {
    private final String[] args;
    private int pos;

    Cursor(String[] args) {
      this.args = args;
    }

    boolean hasNext() {
      return pos < args.length;
    }

    String next() {
      return args[pos++];
    }

    /** The value of an option just read: attached ({@code --opt=v}, {@code -ov}) or the next argument. */
    String value(String arg, String shortName, String longName) {
      if (arg.startsWith(longName + "=")) {
        return arg.substring(longName.length() + 1);
      }
      if (!arg.equals(shortName) && !arg.equals(longName)) {
        return arg.substring(shortName.length());
      }
      if (!hasNext()) {
        throw CtlException.usage("option " + arg + " requires a value");
      }
      return next();
    }
  }
}
