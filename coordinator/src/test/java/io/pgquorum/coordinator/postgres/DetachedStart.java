package io.pgquorum.coordinator.postgres;

import io.pgquorum.coordinator.config.NodeConfig;
import java.nio.file.Path;
import java.util.Map;

/**
 * Run in a separate JVM by {@link LocalPostgresLifecycleTest}: starts a bootstrapped node's PostgreSQL as
 * primary, says so, and waits to be killed. Arguments: base directory, node name, port, fencing token.
 */
public final class DetachedStart {
  private DetachedStart() {}

  public static void main(String[] args) throws Exception {
    NodeConfig node = TestNodes.node(Path.of(args[0]), args[1], Integer.parseInt(args[2])).build();
    new LocalPostgres(node, () -> TestNodes.dynamic(true, Map.of())).startPrimary(Long.parseLong(args[3]));
    System.out.println("STARTED");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
