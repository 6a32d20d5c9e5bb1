package io.pgquorum.coordinator.node;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bin/pgquorum}'s command line as picocli declares it: {@link Main} parses the node's and the witness's
 * arguments with it, and the bash completion script (dist's {@code completion/pgquorum.bash}) is generated from it.
 * The messages and exit codes stay {@link Main}'s own: picocli only parses.
 *
 * <p>{@code init} is declared for completion only: {@link io.pgquorum.coordinator.init.InitArgs} parses its flags
 * (and asks for missing ones on a terminal); CommandLineModelTest checks that both know the same flags.
 */
final class CommandLineModel {
  private CommandLineModel() {}

  /** A parser for one command line (picocli fills the annotated fields, so one instance per parse). */
  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Node());
    cl.getCommandSpec().parser().collectErrors(false);
    return cl;
  }

  /** {@code pgquorum [--join] <config.yml>}, {@code --validate-config}, {@code --version}, {@code --help}. */
  @Command(name = "pgquorum", subcommands = {Init.class, Witness.class})
  static final class Node {
    @Option(names = "--join", description = "join the DCS group as a new member on an empty raft.data_dir")
    boolean join;
    @Option(names = "--validate-config", paramLabel = "<config.yml>",
        description = "check the configuration file and exit")
    Path validateConfig;
    @Option(names = "--version", versionHelp = true, description = "print the version")
    boolean version;
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "print the usage")
    boolean help;
    @Parameters(arity = "0..1", paramLabel = "<config.yml>", description = "the node's configuration")
    Path config;
  }

  /** {@code pgquorum witness [--join] <config.yml>} and {@code --validate-config}. */
  @Command(name = "witness", description = "run only a DCS member (no PostgreSQL)")
  static final class Witness {
    @Option(names = "--join", description = "join the DCS group as a new member on an empty raft.data_dir")
    boolean join;
    @Option(names = "--validate-config", paramLabel = "<config.yml>",
        description = "check the witness's configuration file and exit")
    Path validateConfig;
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "print the usage")
    boolean help;
    @Parameters(arity = "0..1", paramLabel = "<config.yml>", description = "the witness's configuration")
    Path config;
  }

  /** {@code pgquorum init ...}: declared for completion; InitArgs parses it. */
  @Command(name = "init", description = "write a new cluster's configurations, CA and certificates")
  static final class Init {
    @Option(names = "--scope", paramLabel = "NAME") String scope;
    @Option(names = "--node", paramLabel = "NAME=HOST[,rest=PORT][,raft=PORT][,pg=PORT]") List<String> nodes;
    @Option(names = "--witness", paramLabel = "NAME=HOST[,raft=PORT][,rest=PORT]") List<String> witnesses;
    @Option(names = "--output", paramLabel = "DIR") Path output;
    @Option(names = "--data-root", paramLabel = "DIR") Path dataRoot;
    @Option(names = "--bin-dir", paramLabel = "DIR") Path binDir;
    @Option(names = "--rest-port", paramLabel = "PORT") int restPort;
    @Option(names = "--raft-port", paramLabel = "PORT") int raftPort;
    @Option(names = "--pg-port", paramLabel = "PORT") int pgPort;
    @Option(names = "--superuser-password", paramLabel = "PASSWORD") String superuserPassword;
    @Option(names = "--replication-password", paramLabel = "PASSWORD") String replicationPassword;
    @Option(names = {"-h", "--help"}, usageHelp = true) boolean help;
  }
}
