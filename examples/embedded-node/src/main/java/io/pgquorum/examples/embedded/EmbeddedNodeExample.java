package io.pgquorum.examples.embedded;

import io.pgquorum.coordinator.api.EmbeddedNode;
import io.pgquorum.coordinator.api.NodeView;
import io.pgquorum.coordinator.api.PgQuorum;
import io.pgquorum.coordinator.api.PgQuorumException;
import io.pgquorum.coordinator.api.Role;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A launcher of its own around one pgquorum node, using only the embedding API: starts the node from its YAML
 * file, prints every role change, waits until it is the primary, prints its status, then stops it with a handover
 * (PostgreSQL stopped, the lock released). Exit status 0 when it became primary, 1 when it did not within the
 * timeout, 2 when it could not start.
 *
 * <pre>
 *   java -cp "coordinator/target/coordinator-VERSION.jar:coordinator/target/lib/*:$EXAMPLE/target/classes" \
 *     io.pgquorum.examples.embedded.EmbeddedNodeExample node1.yml
 * </pre>
 */
public final class EmbeddedNodeExample {
  private EmbeddedNodeExample() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: EmbeddedNodeExample <node.yml>");
      System.exit(2);
    }
    int exit = 0;
    try (EmbeddedNode node = PgQuorum.start(Path.of(args[0]))) {
      System.out.println("started " + node.name() + " of " + node.scope() + " (embedding API "
          + PgQuorum.API_VERSION + ")");
      node.onRoleChange(c -> System.out.println("role: " + c.from() + " -> " + c.to()));
      if (node.awaitRole(Role.PRIMARY, Duration.ofMinutes(2))) {
        NodeView v = node.status();
        System.out.println("primary: " + v.name() + " on timeline " + v.timeline() + ", holds the lock: "
            + v.holdsLock() + " (" + v.state() + ")");
      } else {
        System.out.println("not primary within 2 minutes; last decision: " + node.status().message());
        exit = 1;
      }
    } catch (PgQuorumException e) {
      System.err.println("cannot start the node:");
      e.problems().forEach(p -> System.err.println("  " + p));
      System.exit(2);
    }
    System.out.println("stopped with a handover");
    System.exit(exit);
  }
}
