package io.pgquorum.pgctl;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The rows of {@code list} and {@code topology}, with patronictl's column names and cell values (strings,
 * numbers, and the tags map), before any output format is applied. An empty cell is "".
 *
 * @param columns column names, starting with {@code Cluster}
 * @param rows one row per member, cells in column order
 */
record MemberTable(List<String> columns, List<List<Object>> rows) {
  static final String CLUSTER = "Cluster";
  static final String MEMBER = "Member";
  static final String TL = "TL";
  static final String LAG = "Lag in MB";
  static final String PENDING_RESTART = "Pending restart";
  static final String PENDING_RESTART_REASON = "Pending restart reason";
  /** A reason longer than this is hidden in the pretty table (patronictl's rule), kept whole elsewhere. */
  static final int REASON_WIDTH = 50;
  static final String SCHEDULED_RESTART = "Scheduled restart";
  static final String TAGS = "Tags";
  /** PostgreSQL's default port: a cluster where every member uses it shows bare host names. */
  static final int DEFAULT_PORT = 5432;

  MemberTable {
    columns = List.copyOf(columns);
    rows = rows.stream().map(r -> java.util.Collections.unmodifiableList(new ArrayList<>(r))).toList();
  }

  /**
   * @param extended always show the Pending restart, Scheduled restart and Tags columns (otherwise each shows
   *     only when some member has a value for it); Pending restart reason shows when a member publishes one
   * @param topology order members as a tree under the leader, with indented names
   */
  static MemberTable of(ClusterView view, boolean extended, boolean topology) {
    return of(view, extended, topology, false);
  }

  /** As above; {@code pretty}: a long pending restart reason is hidden, as patronictl's pretty table does. */
  static MemberTable of(ClusterView view, boolean extended, boolean topology, boolean pretty) {
    List<MemberView> members = view.members();
    List<String> columns = new ArrayList<>(List.of(CLUSTER, MEMBER, "Host", "Role", "State", TL, LAG));
    boolean pending = extended || members.stream().anyMatch(MemberView::pendingRestart);
    // Patroni 4 shows reasons with -e too; pgctl keeps -e at 3.x's three columns and shows the reasons whenever
    // a member has any, which is when they say something.
    boolean reason = members.stream().anyMatch(m -> !m.pendingRestartReason().isEmpty());
    boolean scheduled = extended || members.stream().anyMatch(m -> m.scheduledRestart().isPresent());
    boolean tags = extended || members.stream().anyMatch(m -> !m.tags().isEmpty());
    if (pending) {
      columns.add(PENDING_RESTART);
    }
    if (reason) {
      columns.add(PENDING_RESTART_REASON);
    }
    if (scheduled) {
      columns.add(SCHEDULED_RESTART);
    }
    if (tags) {
      columns.add(TAGS);
    }
    boolean withPort = showPorts(members);
    List<Topology.Node> nodes = topology ? Topology.order(members)
        : members.stream().map(m -> new Topology.Node(m, 0)).toList();
    List<List<Object>> rows = new ArrayList<>();
    for (Topology.Node node : nodes) {
      MemberView m = node.member();
      List<Object> row = new ArrayList<>();
      row.add(view.scope());
      row.add(node.label());
      row.add(m.host().map(h -> withPort && m.port().isPresent() ? h + ":" + m.port().getAsInt() : h).orElse(""));
      row.add(m.role());
      row.add(m.state());
      row.add(m.timeline().isPresent() ? (Object) m.timeline().getAsInt() : "");
      row.add(m.lagInMb());
      if (pending) {
        row.add(m.pendingRestart() ? "*" : "");
      }
      if (reason) {
        row.add(String.join("\n", m.pendingRestartReason().stream()
            .map(r -> pretty && r.length() > REASON_WIDTH ? r.substring(0, r.indexOf(':')) + ": [hidden - too long]"
                : r).toList()));
      }
      if (scheduled) {
        row.add(m.scheduledRestart().orElse(""));
      }
      if (tags) {
        row.add(m.tags().isEmpty() ? "" : m.tags());
      }
      rows.add(row);
    }
    return new MemberTable(columns, rows);
  }

  /**
   * patronictl's Host rule: show {@code host:port} for every member as soon as one member runs on a port other
   * than 5432 or two members share a host (several nodes on one machine); otherwise bare hosts suffice.
   */
  static boolean showPorts(List<MemberView> members) {
    Set<String> hosts = new HashSet<>();
    int withHost = 0;
    for (MemberView m : members) {
      if (m.port().isPresent() && m.port().getAsInt() != DEFAULT_PORT) {
        return true;
      }
      if (m.host().isPresent()) {
        withHost++;
        hosts.add(m.host().get());
      }
    }
    return hosts.size() < withHost;
  }
}
