package io.pgquorum.pgctl;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
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
        -k, --insecure          do not verify the certificates of members' REST
                                APIs (every REST call, as ctl.insecure)
        -h, --help              show this message and exit

      Commands:
        list             list the members of the cluster
        topology         show the members as a replication tree under the leader
        promote-cluster  promote a standby cluster: it runs standalone (its own primary)
        demote-cluster   demote the cluster to a standby cluster of a remote one
        history          show the timeline switches (failovers and switchovers)
        dsn              print the connection string of the leader or a member
        query            run SQL on the leader or a member
        flush            discard scheduled restarts or a scheduled switchover
        remove           remove the cluster's keys from the DCS
        pause            maintenance mode: the nodes stop managing PostgreSQL
        resume           end maintenance mode
        show-config      show the dynamic configuration
        edit-config      change the dynamic configuration
        dcs              list, add and remove the members of the embedded DCS (Raft)
        restart          restart PostgreSQL on members (now, or scheduled)
        reload           reload the configuration of members
        reinit           rebuild a replica from the leader (its data directory kept aside)
        switchover       hand the leader role to another member, now or at a set time
        failover         promote a named member, with or without a healthy leader
        backup           take a pgBackRest backup on the leader (--type, --wait)
        backups          list the backups in the pgBackRest repository
        restore          point-in-time recovery from the repository; with --to DIR
                         a separate copy on this machine (the restore test)
        version          print pgctl's version, and the members' versions
        completion       print a bash or zsh completion script (pgctl completion bash)

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
        -W                                   refresh every 2 seconds until
                                             interrupted (Ctrl-C)
        -w, --watch SECONDS                  refresh every SECONDS until interrupted
        -h, --help                           show this message and exit

      Below the table: " Maintenance mode: on" while the cluster is paused,
      " Switchover scheduled at: ..." with from/to when a switchover is scheduled, and
      " Commits blocked on: <leader> (waiting for a synchronous standby)" while the
      primary's commits wait for synchronous standbys that are not there.
      """;

  static final String TOPOLOGY = """
      Usage: pgctl [-c FILE] topology [OPTIONS] [CLUSTER_NAME]

        Show the members as a tree: the leader first, each replica under the member
        it replicates from (tag replicatefrom), indented with "+ ".
        CLUSTER_NAME is optional and must be the configuration's scope.

      Options:
        -t, --timestamp      print the time first
        -W                   refresh every 2 seconds until interrupted (Ctrl-C)
        -w, --watch SECONDS  refresh every SECONDS until interrupted
        -h, --help           show this message and exit
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

  static final String SWITCHOVER = """
      Usage: pgctl [-c FILE] switchover [CLUSTER_NAME] [OPTIONS]

        Hand the leader role over gracefully: the leader stops PostgreSQL once a
        healthy, caught-up candidate is found and releases the lock; the candidate
        promotes. Shows the members, asks for the leader, the candidate (empty: the
        healthiest) and the time (now, or e.g. 2030-01-02T03:00, local time unless
        a zone is given), and for a confirmation; then asks the leader's REST API
        and prints its answer and the members again. Without a terminal it needs
        --force. Exit 1 when refused.
        CLUSTER_NAME is optional and must be the configuration's scope.

      Options:
        --leader, --primary TEXT  the current leader
        --candidate TEXT          the member to promote
        --scheduled TEXT          when: now, or an ISO-8601 time
        --force                   no questions (leader: the current one, candidate:
                                  any, time: now unless given)
        -h, --help                show this message and exit
      """;

  static final String FAILOVER = """
      Usage: pgctl [-c FILE] failover [CLUSTER_NAME] --candidate TEXT [--force]

        Promote the named candidate, also when the leader is unhealthy or gone (a
        healthy leader hands over as in a switchover). Shows the members, asks for
        the candidate and a confirmation, then asks the leader's REST API (the
        candidate's when there is no leader). Without a terminal it needs --force.
        Exit 1 when refused.
        CLUSTER_NAME is optional and must be the configuration's scope.

      Options:
        --candidate TEXT  the member to promote
        --force           no questions
        -h, --help        show this message and exit
      """;

  static final String VERSION = """
      Usage: pgctl [-c FILE] version [CLUSTER_NAME [MEMBER_NAMES]...]

        Print pgctl's version. With CLUSTER_NAME (the configuration's scope), also
        each member's pgquorum and PostgreSQL versions (all members, or the ones
        named), from its REST API (GET /patroni); a member that does not answer
        says why on its line.

      Options:
        -h, --help  show this message and exit
      """;

  static final String HISTORY = """
      Usage: pgctl [-c FILE] history [CLUSTER_NAME] [-f pretty|tsv|json|yaml]

        Show the timeline switches recorded in the DCS (the history key): the
        timeline that ended, where (LSN, in bytes), why, when, and the member
        promoted onto the next timeline.

      Options:
        -f, --format [pretty|tsv|json|yaml]  output format (default: pretty)
        -h, --help                           show this message and exit
      """;

  static final String DSN = """
      Usage: pgctl [-c FILE] dsn [CLUSTER_NAME] [-r ROLE | -m MEMBER]

        Print a libpq connection string (host=H port=P) for the leader, for the
        first member with a role, or for a member. Fails (exit 1) when no member
        fits.

      Options:
        -r, --role [leader|primary|standby-leader|replica|standby|any]
        -m, --member TEXT  the member
        -h, --help         show this message and exit
      """;

  static final String QUERY = """
      Usage: pgctl [-c FILE] query [CLUSTER_NAME] [OPTIONS]

        Run SQL on the leader (default), on the first member with a role, or on a
        member, through its conn_url. Credentials as libpq finds them: -U, else
        PGUSER, else your user name; --password asks, else PGPASSWORD, else the
        password file (~/.pgpass). The database is -d, else PGDATABASE, else the
        user name. A failure prints a row "<time> ERROR, SQLSTATE: <code>" (or
        the connection error) and still exits 0, as patronictl.

      Options:
        -c, --command TEXT     the SQL to run
        -f, --file FILE        run the SQL in this file
        -r, --role [leader|primary|standby-leader|replica|standby|any]
        -m, --member TEXT      the member
        -U, --username TEXT    database user name
        --password             ask for the password (needs a terminal)
        -d, --dbname TEXT      database name
        --format [pretty|tsv|json|yaml]  output format (default: tsv)
        --delimiter TEXT       column delimiter for tsv (default: a tab)
        -W                     run again every 2 seconds until interrupted
        -w, --watch SECONDS    run again every SECONDS until interrupted
        -h, --help             show this message and exit
      """;

  static final String FLUSH = """
      Usage: pgctl [-c FILE] flush CLUSTER_NAME [MEMBER_NAMES]... restart|switchover
                   [-r ROLE] [--force]

        Discard scheduled events. restart: shows the members, asks, then asks each
        member with a scheduled restart (all members, those with the role, or the
        ones named) to drop it (DELETE /restart). switchover: asks the leader, then
        the others, to drop the scheduled switchover (DELETE /switchover); when no
        member can, clears the failover key in the DCS directly. Without a
        terminal, restart needs --force.

      Options:
        -r, --role [leader|primary|standby-leader|replica|standby|any]
                      restart: only members with this role (default: any)
        --force       do not ask for confirmation
        -h, --help    show this message and exit
      """;

  static final String REMOVE = """
      Usage: pgctl [-c FILE] remove CLUSTER_NAME [-f pretty|tsv|json|yaml]

        Remove every key of the cluster from the DCS (members, leader, config,
        initialize, history...), as patronictl's remove. Shows the members, then
        asks for the cluster name, for "Yes I am aware" and, while a leader holds
        the lock, for the leader's name. Needs a terminal (there is no --force).
        Nothing else is touched: no data directory, no process; running members
        write their keys again on their next cycle.

      Options:
        -f, --format [pretty|tsv|json|yaml]  format of the member table
        -h, --help                           show this message and exit
      """;

  static final String COMPLETION = """
      Usage: pgctl completion bash|zsh

        Print a completion script for bash or zsh: commands, options and their
        choices complete with TAB. Load it in the current shell with
        source <(pgctl completion bash) (zsh: source <(pgctl completion zsh)), or
        for every shell from the bundle's completion/pgctl.bash (for bash, copy it
        to /etc/bash_completion.d/pgctl).

      Options:
        -h, --help  show this message and exit
      """;

  /**
   * The {@code --help} text of the command at the end of {@code path} (pgctl's own for an empty path); the model
   * ({@link CommandTree}) prints it for each of its nodes.
   */
  static String of(List<String> path) {
    if (path.isEmpty()) {
      return MAIN;
    }
    String command = path.get(0);
    if (ConfigCommands.NAMES.contains(command)) {
      return ConfigCommands.help(command);
    }
    if (BackupCommands.NAMES.contains(command)) {
      return BackupCommands.help(command);
    }
    if (OperationsCommands.NAMES.contains(command)) {
      return OperationsCommands.help(command);
    }
    return switch (command) {
      case CommandLine.LIST -> LIST;
      case CommandLine.TOPOLOGY -> TOPOLOGY;
      case CommandLine.VERSION -> VERSION;
      case ToolOptions.HISTORY -> HISTORY;
      case ToolOptions.DSN -> DSN;
      case ToolOptions.QUERY -> QUERY;
      case ToolOptions.FLUSH -> FLUSH;
      case ToolOptions.REMOVE -> REMOVE;
      case CommandLine.DCS -> DCS;
      case CommandLine.PROMOTE_CLUSTER -> PROMOTE_CLUSTER;
      case CommandLine.DEMOTE_CLUSTER -> DEMOTE_CLUSTER;
      case SwitchoverCommand.SWITCHOVER -> SWITCHOVER;
      case SwitchoverCommand.FAILOVER -> FAILOVER;
      case RestoreCommand.NAME -> RestoreCommand.HELP;
      case CommandTree.COMPLETION -> COMPLETION;
      default -> MAIN;
    };
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
