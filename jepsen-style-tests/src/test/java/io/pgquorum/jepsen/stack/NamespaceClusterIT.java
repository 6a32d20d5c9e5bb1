package io.pgquorum.jepsen.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pgquorum.jepsen.fault.Fault;
import io.pgquorum.testkit.proc.Commands;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link NamespaceNetwork} end to end: one network namespace per node, so isolating the primary cuts Raft, REST
 * and replication alike. Needs root (ip netns, iptables), and an unprivileged user for the daemons
 * ({@code -Dpgquorum.jepsen.user=}, default {@code pgquorum-ci}). Tagged {@code root}: the default build leaves
 * it out, CI runs it as root with {@code -Proot}. Run as anyone else it FAILS, saying why; it never skips.
 */
@Tag("root")
class NamespaceClusterIT {

  @Test
  void isolatingThePrimaryInItsNamespaceElectsAnotherAndCleansUp() throws Exception {
    assertThat(Commands.isRoot())
        .as("NamespaceClusterIT must run as root (network namespaces and iptables); run it with -Proot as root, "
            + "the daemons then run as -Dpgquorum.jepsen.user (default pgquorum-ci)")
        .isTrue();
    String user = System.getProperty("pgquorum.jepsen.user", "pgquorum-ci");
    List<String> namespaces;
    try (PgCluster cluster = PgCluster.start(PgClusterSpec.defaults().withNamespaces(user))) {
      NamespaceNetwork net = (NamespaceNetwork) cluster.network();
      namespaces = net.namespaces();
      assertThat(Commands.runChecked(List.of("ip", "netns", "list"), 10)).contains(net.namespace(0));
      assertThat(cluster.supports(new Fault.Delay(10))).isFalse();
      assertThatThrownBy(() -> cluster.delay(10)).isInstanceOf(UnsupportedOperationException.class);

      int old = cluster.primary();
      assertThat(old).isGreaterThanOrEqualTo(0);
      cluster.isolate(old);
      AtomicInteger winner = new AtomicInteger(-1);
      try {
        await("another primary").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() -> {
          for (int i = 0; i < cluster.size(); i++) {
            if (i != old && cluster.get(i, "/primary").status() == 200) {
              winner.set(i);
              return true;
            }
          }
          return false;
        });
        await("the isolated old primary stops being primary").atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(300)).until(() -> cluster.get(old, "/primary").status() != 200);
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + cluster.diagnostics(), e);
      }
      cluster.packetLoss(0.05);
      cluster.packetLoss(0);
      cluster.healAll();
      try {
        cluster.awaitHealthy(Duration.ofSeconds(120));
      } catch (IllegalStateException e) {
        throw new AssertionError(e.getMessage() + cluster.diagnostics(), e);
      }
    }
    String left = Commands.runChecked(List.of("ip", "netns", "list"), 10);
    for (String ns : namespaces) {
      assertThat(left).as("namespace removed at close").doesNotContain(ns);
    }
  }
}
