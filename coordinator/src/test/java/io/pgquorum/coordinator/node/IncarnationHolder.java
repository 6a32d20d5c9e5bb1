package io.pgquorum.coordinator.node;

import java.nio.file.Path;

/**
 * Test helper run in its own JVM by {@link NodeIncarnationTest}: claims a node directory, starts a child process
 * (as the daemon starts its watchdog and PostgreSQL), reports both, then waits to be killed.
 */
public final class IncarnationHolder {
  private IncarnationHolder() {}

  public static void main(String[] args) throws Exception {
    NodeIncarnation incarnation = NodeIncarnation.claim(Path.of(args[0]), args[1]);
    Process child = new ProcessBuilder("sleep", "300").start();
    System.out.println("claimed " + incarnation.ownerId() + " child " + child.pid());
    System.out.flush();
    Thread.sleep(300_000);
  }
}
