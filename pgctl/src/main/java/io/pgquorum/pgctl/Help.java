package io.pgquorum.pgctl;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.Properties;

/** pgctl's {@code --help} texts and its version. */
final class Help {
  private Help() {}

  static final String MAIN = """
      Usage: pgctl [OPTIONS] COMMAND [ARGS]...

        Shows a pgquorum cluster as patronictl does, read straight from the cluster's
        embedded DCS (any majority of its members will do).

      Options:
        -c, --config-file FILE  a node's configuration file; its scope, namespace and
                                raft section say which cluster and DCS to read
                                (default: $PATRONICTL_CONFIG_FILE, then
                                ~/.config/patroni/patronictl.yaml)
        -k, --insecure          accepted for patronictl compatibility (no effect)
        -h, --help              show this message and exit

      Commands:
        list             list the members of the cluster
        topology         show the members as a replication tree under the leader
        promote-cluster  promote a standby cluster: it runs standalone (its own primary)
        demote-cluster   demote the cluster to a standby cluster of a remote one
        pause            maintenance mode: the nodes stop managing PostgreSQL
        resume           end maintenance mode
        show-config      show the dynamic configuration
        edit-config      change the dynamic configuration
        dcs              list, add and remove the members of the embedded DCS (Raft)
        version          print pgctl's version

      Exit status: 0 success, 1 failure (bad configuration, DCS unreachable), 2 bad
      command line. PGCTL_LOG_LEVEL (default WARN) sets the diagnostic log level.
      """;

  static final String LIST = """
      Usage: pgctl [-c FILE] list [OPTIONS] [CLUSTER_NAME]

        List the members of the cluster: name, host, role, state, timeline and lag.
        CLUSTER_NAME is optional and must be the configuration's scope.

      Options:
        -f, --format [pretty|tsv|json|yaml]  output format (default: pretty)
        -e, --extended                       always show the Pending restart,
                                             Scheduled restart and Tags columns
        -t, --timestamp                      print the time first
        -h, --help                           show this message and exit
      """;

  static final String TOPOLOGY = """
      Usage: pgctl [-c FILE] topology [OPTIONS] [CLUSTER_NAME]

        Show the members as a tree: the leader first, each replica under the member
        it replicates from (tag replicatefrom), indented with "+ ".
        CLUSTER_NAME is optional and must be the configuration's scope.

      Options:
        -t, --timestamp  print the time first
        -h, --help       show this message and exit
      """;

  static final String DCS = """
      Usage: pgctl [-c FILE] dcs members [-f pretty|tsv|json|yaml] [-t]
             pgctl [-c FILE] dcs add ID HOST:PORT
             pgctl [-c FILE] dcs remove ID [--force]

        The members of the cluster's embedded DCS, a Raft group (not the PostgreSQL
        members: see list). Every change needs a majority of the DCS members.

        members  each member's id, address, Raft role (as the member itself says:
                 Leader, Follower, Candidate, Listener; starting while it waits to
                 found, join or be added; unreachable), whether the group
                 registered it as having a Raft log, and its last log index
        add      add a running member that waits to be added (started with
                 raft.join: true and no raft.partner_addrs); a member started with
                 --join and partners adds itself. ID and HOST:PORT as in its
                 raft.self_addr (ID@HOST:PORT; without an id, ID is HOST:PORT)
        remove   remove a member (asks first). Refused for the last member, and when
                 the members that answer could not form a majority without it.

        Replacing a member that lost its raft.data_dir: start it with --join (it
        removes its stale entry and is added back), or remove it here first.

      Options:
        -f, --format [pretty|tsv|json|yaml]  members: output format (default pretty)
        -t, --timestamp                      members: print the time first
        --force                              remove: do not ask for confirmation
        -h, --help                           show this message and exit
      """;

  static final String PROMOTE_CLUSTER = """
      Usage: pgctl [-c FILE] promote-cluster [CLUSTER_NAME] [--force]

        Promote a standby cluster, make it run standalone: removes standby_cluster
        from the dynamic configuration (the DCS config key; every other setting is
        kept), then waits until the leader runs as the primary, printing progress
        every second. Shows the members and asks first. Fails (exit 1) when the
        cluster has no leader or its leader is already a primary.
        CLUSTER_NAME is optional and must be the configuration's scope.

      Options:
        --force     do not ask for confirmation
        -h, --help  show this message and exit
      """;

  static final String DEMOTE_CLUSTER = """
      Usage: pgctl [-c FILE] demote-cluster [CLUSTER_NAME] [OPTIONS]

        Demote the cluster to a standby cluster that follows a remote one: writes
        standby_cluster into the dynamic configuration (the DCS config key; every
        other setting is kept), then waits until the leader runs as the standby
        leader, printing progress every second. At least one of --host, --port and
        --restore-command is required. Shows the members and asks first. Fails
        (exit 1) when the cluster has no leader or already is a standby cluster.
        CLUSTER_NAME is optional and must be the configuration's scope.

      Options:
        --host TEXT               address of the remote primary
        --port INTEGER            PostgreSQL port of the remote primary
        --restore-command TEXT    command that restores WAL from the remote's archive
        --primary-slot-name TEXT  replication slot on the remote primary to use
        --force                   do not ask for confirmation
        -h, --help                show this message and exit
      """;

  static final String VERSION = """
      Usage: pgctl version

        Print pgctl's version.
      """;

  static String text(Optional<String> command) {
    return command.map(c -> switch (c) {
      case CommandLine.LIST -> LIST;
      case CommandLine.TOPOLOGY -> TOPOLOGY;
      case CommandLine.VERSION -> VERSION;
      case CommandLine.DCS -> DCS;
      case CommandLine.PROMOTE_CLUSTER -> PROMOTE_CLUSTER;
      case CommandLine.DEMOTE_CLUSTER -> DEMOTE_CLUSTER;
      default -> MAIN;
    }).orElse(MAIN);
  }

  /** The build's version (from a resource Maven fills in), or "unknown" when run from an unfiltered build. */
  static String version() {
    try (InputStream in = Help.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty("version", "unknown");
      return v.startsWith("${") ? "unknown" : v;
    } catch (IOException e) {
      return "unknown";
    }
  }
}
