package io.pgquorum.pgctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.HistoryEntry;
import io.pgquorum.coordinator.cluster.Member;
import io.pgquorum.coordinator.config.NodeConfig;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code history}, {@code dsn} and {@code version} (patronictl's), and the dispatch of every {@link ToolOptions}
 * command.
 */
final class ToolCommands {
  static final List<String> HISTORY_COLUMNS = List.of("TL", "LSN", "Reason", "Timestamp", "New Leader");
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private ToolCommands() {}

  static int run(ToolOptions t, NodeConfig config, ClusterSource clusters, Services services, Prompts prompts,
      PrintStream out) {
    return switch (t.command()) {
      case ToolOptions.HISTORY -> history(t, clusters.read(config), out);
      case ToolOptions.DSN -> dsn(t, clusters.read(config), out);
      case CommandLine.VERSION -> version(t, config, clusters.read(config), services.api(), out);
      case ToolOptions.REMOVE -> RemoveCommand.run(t, config, clusters, services.writer(), prompts, out);
      case ToolOptions.QUERY -> QueryCommand.run(t, config, clusters, services, prompts, out);
      case ToolOptions.FLUSH -> FlushCommand.run(t, config, clusters.read(config), services, prompts, out);
      default -> throw new IllegalStateException(t.command());
    };
  }

  /** The history key as patronictl's table: missing trailing fields are empty cells, TL and LSN right-aligned. */
  static int history(ToolOptions t, ClusterSnapshot cluster, PrintStream out) {
    List<List<Object>> rows = new ArrayList<>();
    for (HistoryEntry h : cluster.history()) {
      List<Object> row = new ArrayList<>();
      row.add(h.timeline());
      row.add(h.lsn());
      row.add(h.reason());
      row.add(h.timestamp().orElse(""));
      row.add(h.newLeader().orElse(""));
      rows.add(row);
    }
    out.print(RowsOutput.render(HISTORY_COLUMNS, rows, Set.of("TL", "LSN"), t.format(), "\t"));
    return 0;
  }

  /** {@code host=H port=P} of the leader, or of the member with the role, or of the named member. */
  static int dsn(ToolOptions t, ClusterSnapshot cluster, PrintStream out) {
    Member m = MemberSelect.any(cluster, t.role(), t.member())
        .orElseThrow(() -> CtlException.failure("Can not find a suitable member"));
    ConnAddress a = ConnAddress.parse(m.connUrl());
    if (a.host().isEmpty()) {
      throw CtlException.failure("member " + m.name() + " publishes no usable conn_url");
    }
    out.println("host=" + unbracketed(a.host().get()) + " port=" + a.port().orElse(MemberTable.DEFAULT_PORT));
    return 0;
  }

  /** libpq takes IPv6 addresses without the brackets a URL needs. */
  static String unbracketed(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  /**
   * pgctl's version, then each member's (all, or the named ones) pgquorum and PostgreSQL versions from its
   * {@code GET /patroni}, in name order; a member that does not answer says why on its line.
   */
  static int version(ToolOptions t, NodeConfig config, ClusterSnapshot cluster, MemberApi api, PrintStream out) {
    out.println("pgctl version " + Help.version());
    out.println();
    for (Member m : cluster.members().values()) {
      if (!MemberSelect.hasApi(m) || !t.memberNames().isEmpty() && !t.memberNames().contains(m.name())) {
        continue;
      }
      try {
        MemberApi.Response r = api.send(config, m.apiUrl(), "GET", null);
        JsonNode status = JSON.readTree(r.body());
        if (status == null || !status.isObject()) {
          throw CtlException.failure("status " + r.status() + ", not a status document");
        }
        String version = status.path("patroni").path("version").asText("None");
        JsonNode pg = status.path("server_version");
        out.println(m.name() + ": pgquorum " + version
            + (pg.canConvertToInt() && pg.asInt() > 0 ? " PostgreSQL " + pgVersion(pg.asInt()) : ""));
      } catch (CtlException e) {
        out.println(m.name() + ": failed to get version: " + e.getMessage());
      } catch (java.io.IOException e) {
        out.println(m.name() + ": failed to get version: the answer is not JSON");
      }
    }
    return 0;
  }

  /** PostgreSQL's server_version_num for people: 150010 is 15.10, 90624 is 9.6.24. */
  static String pgVersion(int v) {
    return v < 100000 ? (v / 10000) + "." + (v / 100 % 100) + "." + (v % 100) : (v / 10000) + "." + (v % 100);
  }
}
