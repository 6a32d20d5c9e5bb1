package io.pgquorum.coordinator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Callbacks and pre_promote with real daemons: every node's callbacks are one script that appends its arguments
 * to a file beside the node, so what ran, with which action, role and scope, is read back. node3's pre_promote
 * always refuses; node1's and node2's refuse once, then allow, so that after the primary dies node3 is certain to
 * get (and refuse) the lock before the other survivor takes over, whichever of the two races first.
 */
class CallbacksIT {
  static final int TTL = 8;
  static final String SCOPE = "it-callbacks";

  private static Path script(NodeSpec n, String name, String body) throws IOException {
    Path p = n.dir.resolve(name);
    Files.writeString(p, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
    return p;
  }

  private static Path callbackLog(NodeSpec n) {
    return n.dir.resolve("callbacks.log");
  }

  private static List<String> calls(NodeSpec n) {
    try {
      return Files.exists(callbackLog(n)) ? Files.readAllLines(callbackLog(n)) : List.of();
    } catch (IOException e) {
      return List.of();
    }
  }

  private static String prePromoteLog(NodeSpec n) {
    try {
      Path p = n.dir.resolve("pre_promote.log");
      return Files.exists(p) ? Files.readString(p) : "";
    } catch (IOException e) {
      return "";
    }
  }

  private static void awaitCall(LocalCluster cluster, NodeSpec n, String line, Duration within) {
    try {
      await(n.name + " runs `" + line + "`").atMost(within).pollInterval(Duration.ofMillis(200))
          .until(() -> calls(n).contains(line));
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(e.getMessage() + "\ncallbacks of " + n.name + ": " + calls(n)
          + cluster.diagnostics(), e);
    }
  }

  @Test
  void callbacksRunWithTheirArgumentsAndARefusingPrePromoteKeepsANodeFromPromoting() throws Exception {
    try (LocalCluster cluster = new LocalCluster(SCOPE, 3, TTL, false)) {
      for (NodeSpec n : cluster.nodes) {
        Path cb = script(n, "callback.sh", "echo \"$*\" >> " + callbackLog(n));
        Path log = n.dir.resolve("pre_promote.log");
        Path once = n.dir.resolve("pre_promote.once");
        Path pre = n.name.equals("node3") ? script(n, "pre_promote.sh", "echo refused >> " + log + "; exit 1")
            : script(n, "pre_promote.sh", "if [ -e " + once + " ]; then echo allowed >> " + log + "; exit 0; fi; "
                + "touch " + once + "; echo refused-once >> " + log + "; exit 1");
        StringBuilder yaml = new StringBuilder("  callbacks:\n");
        for (String action : List.of("on_start", "on_stop", "on_restart", "on_reload", "on_role_change")) {
          yaml.append("    ").append(action).append(": ").append(cb).append('\n');
        }
        yaml.append("  pre_promote: ").append(pre).append('\n');
        cluster.appendPostgresqlYaml(n, yaml.toString());
      }
      NodeSpec node3 = cluster.nodes.get(2);
      // node1 and node2 first (a DCS majority): one of them bootstraps, so node3 starts as a replica.
      cluster.start(cluster.nodes.get(0));
      cluster.start(cluster.nodes.get(1));
      AtomicReference<NodeSpec> first = new AtomicReference<>();
      try {
        await("a primary").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
            .until(() -> cluster.primary().map(p -> {
              first.set(p);
              return true;
            }).orElse(false));
        cluster.start(node3);
        await("two streaming replicas").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
            .until(() -> cluster.streamingReplicas().size() == 2);
      } catch (ConditionTimeoutException e) {
        throw new AssertionError(e.getMessage() + cluster.diagnostics(), e);
      }
      NodeSpec old = first.get();
      NodeSpec other = cluster.nodes.stream().filter(n -> n != old && n != node3).findFirst().orElseThrow();
      awaitCall(cluster, old, "on_start primary " + SCOPE, Duration.ofSeconds(30));
      awaitCall(cluster, other, "on_start replica " + SCOPE, Duration.ofSeconds(30));
      awaitCall(cluster, node3, "on_start replica " + SCOPE, Duration.ofSeconds(30));

      // The primary's daemon and postmaster die: the lease runs out, the survivors race.
      cluster.killDaemon(old);
      cluster.killPostmaster(old);
      AtomicBoolean node3WasPrimary = new AtomicBoolean();
      try {
        await(other.name + " becomes primary").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
            .until(() -> {
              if (LocalCluster.get(node3, "/primary").status() == 200) {
                node3WasPrimary.set(true);
              }
              return LocalCluster.get(other, "/primary").status() == 200;
            });
      } catch (ConditionTimeoutException e) {
        throw new AssertionError(e.getMessage() + cluster.diagnostics(), e);
      }
      assertThat(node3WasPrimary).as("node3's pre_promote refuses: it never runs as primary").isFalse();
      assertThat(prePromoteLog(node3)).as("node3 got the lock and its pre_promote refused").contains("refused");
      assertThat(cluster.logs(node3)).contains("released the leader lock: the pre_promote script refused the "
          + "promotion");
      assertThat(prePromoteLog(other)).contains("allowed");
      awaitCall(cluster, other, "on_role_change primary " + SCOPE, Duration.ofSeconds(30));
      // node3 is re-pointed at the new primary by a reload.
      awaitCall(cluster, node3, "on_reload replica " + SCOPE, Duration.ofSeconds(30));
      assertThat(calls(node3)).doesNotContain("on_role_change primary " + SCOPE);

      // The old primary's daemon comes back (a new process, its PostgreSQL killed): it starts as a replica.
      cluster.start(old);
      awaitCall(cluster, old, "on_start replica " + SCOPE, Duration.ofSeconds(90));

      // A clean stop of a replica: on_stop.
      assertThat(cluster.terminateDaemon(node3, Duration.ofSeconds(60))).isTrue();
      awaitCall(cluster, node3, "on_stop replica " + SCOPE, Duration.ofSeconds(30));

      for (NodeSpec n : cluster.nodes) {
        System.out.println("CALLBACKS " + n.name + ": " + calls(n) + " pre_promote: "
            + prePromoteLog(n).replace('\n', ' ').trim());
      }
      Optional<NodeSpec> primary = cluster.primary();
      assertThat(primary).contains(other);
    }
  }
}
