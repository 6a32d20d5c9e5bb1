package io.pgquorum.pgctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.pgquorum.backrest.info.BackupInfo;
import io.pgquorum.backrest.info.InfoParser;
import io.pgquorum.backrest.info.StanzaInfo;
import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.Member;
import io.pgquorum.coordinator.config.NodeConfig;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * {@code pgctl backup [CLUSTER_NAME] [--type full|diff|incr] [--wait]}: a pgBackRest backup on the leader, through
 * its {@code POST /backup}; and {@code pgctl backups [CLUSTER_NAME] [--format pretty|tsv|json|yaml]}: the
 * repository's backups ({@code GET /backups}, the leader's answer, else any member's: every node reads the same
 * repository). patronictl has neither; the flags and output follow its other commands.
 */
final class BackupCommands {
  static final String BACKUP = "backup";
  static final String BACKUPS = "backups";
  static final List<String> NAMES = List.of(BACKUP, BACKUPS);
  static final List<String> COLUMNS = List.of("Label", "Type", "Prior", "Started", "Finished", "LSN start",
      "LSN stop", "Size", "Repo size");
  /** How often {@code --wait} asks the leader whether the backup still runs. */
  static final Duration POLL = Duration.ofSeconds(1);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private BackupCommands() {}

  /** The options, validated. */
  record Options(String command, boolean help, Optional<String> cluster, Optional<String> type, boolean waitDone,
      OutputFormat format) {}

  /** Parses the arguments after {@code command} (with the model, {@link CommandTree}). */
  static Options parse(String command, List<String> args) {
    return options(CommandTree.parse(command, args));
  }

  /** The options of a parsed backup or backups; a type or format that is not one of the choices is refused. */
  static Options options(Invocation a) {
    Optional<String> type = a.value("--type");
    if (type.isPresent() && !List.of("full", "diff", "incr").contains(type.get())) {
      throw CtlException.usage("invalid value for --type: '" + type.get() + "' (choose from full, diff, incr)");
    }
    return new Options(a.command().orElseThrow(), a.help(), a.positionals().stream().findFirst(), type,
        a.flag("--wait"), OutputFormat.option(a, OutputFormat.PRETTY));
  }

  static String help(String command) {
    if (command.equals(BACKUP)) {
      return """
          Usage: pgctl [-c FILE] backup [OPTIONS] [CLUSTER_NAME]

            Take a pgBackRest backup on the leader (POST /backup on its REST API).

          Options:
            --type [full|diff|incr]  backup type (default: incr, pgBackRest's default)
            --wait                   wait until the backup has finished; exit 1 if it failed
            -h, --help               show this message and exit
          """;
    }
    return """
        Usage: pgctl [-c FILE] backups [OPTIONS] [CLUSTER_NAME]

          List the backups in the cluster's pgBackRest repository (GET /backups).

        Options:
          -f, --format [pretty|tsv|json|yaml]  output format (default: pretty)
          -h, --help                           show this message and exit
        """;
  }

  /** Runs the command; {@code pause} waits between two {@code --wait} polls. */
  static int run(Options o, NodeConfig config, ClusterSnapshot cluster, MemberApi api, PrintStream out,
      Runnable pause) {
    if (o.cluster().isPresent() && !o.cluster().get().equals(config.scope())) {
      throw CtlException.usage("cluster '" + o.cluster().get() + "' is not the cluster of this configuration, which "
          + "is '" + config.scope() + "'");
    }
    return o.command().equals(BACKUP) ? backup(o, config, cluster, api, out, pause)
        : backups(o, config, cluster, api, out);
  }

  private static int backup(Options o, NodeConfig config, ClusterSnapshot cluster, MemberApi api, PrintStream out,
      Runnable pause) {
    Member leader = cluster.leaderMember().filter(MemberSelect::hasApi)
        .orElseThrow(() -> CtlException.failure("This cluster has no leader: a backup runs on the leader"));
    String body = o.type().map(t -> "{\"type\":\"" + t + "\"}").orElse("{}");
    MemberApi.Response r = api.send(config, leader.apiUrl(), "POST", "backup", body);
    if (r.status() != 202) {
      out.println("Failed: backup on " + leader.name() + ", status code=" + r.status() + ", (" + r.body().strip()
          + ")");
      return CtlException.FAILURE;
    }
    out.println("Success: " + r.body().strip());
    if (!o.waitDone()) {
      return 0;
    }
    out.print("Waiting for the backup to finish");
    out.flush();
    while (true) {
      pause.run();
      MemberApi.Response s = api.send(config, leader.apiUrl(), "GET", "backup");
      JsonNode state = json(s.body());
      String st = state.path("state").asText("");
      if (s.status() == 200 && st.equals("running")) {
        out.print(".");
        out.flush();
        continue;
      }
      out.println();
      if (s.status() == 200 && st.equals("done")) {
        out.println("Backup finished on " + leader.name() + " at " + state.path("finished_at").asText("?"));
        return 0;
      }
      out.println("Backup failed on " + leader.name() + ": " + (s.status() == 200
          ? state.path("error").asText(st) : "status code=" + s.status() + ", (" + s.body().strip() + ")"));
      return CtlException.FAILURE;
    }
  }

  private static int backups(Options o, NodeConfig config, ClusterSnapshot cluster, MemberApi api,
      PrintStream out) {
    List<String> problems = new ArrayList<>();
    for (Member m : MemberSelect.leaderFirst(cluster)) {
      MemberApi.Response r;
      try {
        r = api.send(config, m.apiUrl(), "GET", "backups");
      } catch (CtlException e) {
        problems.add(m.name() + ": " + e.getMessage());
        continue;
      }
      if (r.status() != 200) {
        problems.add(m.name() + ": status code=" + r.status() + ", (" + r.body().strip() + ")");
        continue;
      }
      List<StanzaInfo> stanzas;
      try {
        stanzas = InfoParser.parse(r.body());
      } catch (IllegalArgumentException e) {
        problems.add(m.name() + ": not pgbackrest info JSON: " + e.getMessage());
        continue;
      }
      print(stanzas, o.format(), out);
      return 0;
    }
    throw CtlException.failure(problems.isEmpty() ? "no member publishes a REST API address"
        : "no member could list the backups: " + String.join("; ", problems));
  }

  private static void print(List<StanzaInfo> stanzas, OutputFormat format, PrintStream out) {
    for (StanzaInfo s : stanzas) {
      List<List<Object>> rows = new ArrayList<>();
      for (BackupInfo b : s.backups()) {
        List<Object> row = new ArrayList<>();
        row.add(b.label());
        row.add(b.type().pgbackrestName());
        row.add(b.prior().orElse(""));
        row.add(b.start().toString());
        row.add(b.stop().toString());
        row.add(b.lsnStart().orElse(""));
        row.add(b.lsnStop().orElse(""));
        row.add(format == OutputFormat.PRETTY ? size(b.size()) : b.size());
        row.add(format == OutputFormat.PRETTY ? size(b.repoSize()) : b.repoSize());
        rows.add(row);
      }
      if (format == OutputFormat.PRETTY) {
        List<List<String>> cells = rows.stream().map(r -> r.stream().map(RowsOutput::text).toList()).toList();
        // patronictl's title line: what the table is of, and the stanza's state (its status code's message).
        out.print(TextTable.render(" Stanza: " + s.name() + " (" + s.status().message() + ") ", COLUMNS,
            Set.of("Size", "Repo size"), cells));
      } else {
        out.print(RowsOutput.render(COLUMNS, rows, Set.of(), format, "\t"));
      }
    }
  }

  /** Bytes for people, as pgbackrest info's text output writes them. */
  static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + "B";
    }
    double v = bytes;
    String[] units = {"KB", "MB", "GB", "TB"};
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f%s", v, units[u]);
  }

  private static JsonNode json(String body) {
    try {
      JsonNode n = JSON.readTree(body);
      return n == null ? JSON.createObjectNode() : n;
    } catch (java.io.IOException e) {
      return JSON.createObjectNode();
    }
  }
}
