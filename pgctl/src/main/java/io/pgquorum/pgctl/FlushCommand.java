package io.pgquorum.pgctl;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.Failover;
import io.pgquorum.coordinator.cluster.Member;
import io.pgquorum.coordinator.config.NodeConfig;
import java.io.PrintStream;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code pgctl flush CLUSTER_NAME [MEMBER...] restart|switchover}: discards scheduled events, as patronictl's flush.
 *
 * <ul>
 *   <li>restart: shows the members, asks (unless {@code --force}), then sends {@code DELETE /restart} to each
 *       selected member whose key shows a scheduled restart, printing the member's answer;
 *   <li>switchover: when the {@code failover} key holds a scheduled switchover, sends {@code DELETE /switchover}
 *       to the leader, then to the others, until one answers 200 or 404 (printed as Success/Failed with the
 *       server's text). When none does, the key is cleared directly, by compare-and-set on the revision read.
 * </ul>
 * Answers other than success are printed and do not change the exit status (as patronictl); a member that cannot be
 * reached at all does (exit 1).
 */
final class FlushCommand {
  private FlushCommand() {}

  static int run(ToolOptions t, NodeConfig config, ClusterSnapshot cluster, Services services, Prompts prompts,
      PrintStream out) {
    String name = t.clusterName().orElseThrow();
    return t.target().orElseThrow().equals("restart") ? restart(t, name, config, cluster, services, prompts, out)
        : switchover(name, config, cluster, services, out);
  }

  private static int restart(ToolOptions t, String name, NodeConfig config, ClusterSnapshot cluster,
      Services services, Prompts prompts, PrintStream out) {
    String role = t.role().orElse("any");
    if (!t.force()) {
      prompts.requireTerminal("flush asks for confirmation", "pass --force to flush without asking");
    }
    List<Member> candidates = MemberSelect.all(cluster, role);
    if (t.memberNames().isEmpty() && candidates.isEmpty()) {
      throw CtlException.failure(name + " cluster doesn't have any members");
    }
    ClusterView view = ClusterView.of(config.scope(), cluster);
    out.print(MemberOutput.render(view, MemberTable.of(view, false, false), OutputFormat.PRETTY));
    Set<String> names = candidates.stream().map(Member::name).collect(Collectors.toCollection(LinkedHashSet::new));
    Set<String> chosen = names;
    if (!t.memberNames().isEmpty()) {
      chosen = new LinkedHashSet<>(t.memberNames());
      chosen.retainAll(names);
      if (chosen.isEmpty()) {
        throw CtlException.failure("No " + role + " among provided members");
      }
    }
    List<Member> members = new ArrayList<>();
    for (Member m : candidates) {
      if (chosen.contains(m.name())) {
        members.add(m);
      }
    }
    if (!t.force() && !prompts.confirm("Are you sure you want to flush members "
        + members.stream().map(Member::name).collect(Collectors.joining(", ")) + "?")) {
      throw CtlException.failure("Aborted flush");
    }
    int status = 0;
    for (Member m : members) {
      if (!(m.raw().get("scheduled_restart") instanceof java.util.Map<?, ?> s) || s.isEmpty()) {
        out.println("No scheduled restart for member " + m.name());
        continue;
      }
      try {
        MemberApi.Response r = services.api().send(config, m.apiUrl(), "DELETE", "restart");
        if (r.status() >= 400) {
          out.println("Failed: flush scheduled restart for member " + m.name() + ", status code=" + r.status()
              + ", (" + r.body() + ")");
        } else {
          out.println("Success: flush scheduled restart for member " + m.name());
        }
      } catch (CtlException e) {
        out.println("Failed: flush scheduled restart for member " + m.name() + ", (" + e.getMessage() + ")");
        status = CtlException.FAILURE;
      }
    }
    return status;
  }

  private static int switchover(String name, NodeConfig config, ClusterSnapshot cluster, Services services,
      PrintStream out) {
    Optional<Failover> failover = cluster.failover().filter(f -> f.scheduledAt().isPresent());
    if (failover.isEmpty()) {
      out.println("No pending scheduled switchover");
      return 0;
    }
    for (Member m : MemberSelect.leaderFirst(cluster)) {
      try {
        MemberApi.Response r = services.api().send(config, m.apiUrl(), "DELETE", "switchover");
        if (r.status() == 200 || r.status() == 404) {
          out.println((r.status() == 200 ? "Success: " : "Failed: ") + r.body());
          return 0;
        }
        out.println("Failed: member=" + m.name() + ", status_code=" + r.status() + ", (" + r.body() + ")");
      } catch (CtlException e) {
        out.println("Member " + m.name() + " is not accessible: " + e.getMessage());
      }
    }
    out.println(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS"))
        + " Could not find any accessible member of cluster " + name);
    if (!services.writer().clearFailover(config, failover.get().modRevision())) {
      throw CtlException.failure("the failover key changed meanwhile; nothing was cleared, look again with list");
    }
    return 0;
  }
}
