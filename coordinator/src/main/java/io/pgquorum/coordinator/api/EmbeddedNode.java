package io.pgquorum.coordinator.api;

import io.pgquorum.coordinator.ha.NodeStatus;
import io.pgquorum.coordinator.node.PgQuorumNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running embedded node ({@link PgQuorum#start}). Close it to stop it with a handover: PostgreSQL is stopped and,
 * on the primary, the leader lock released so that another member takes over at once.
 */
public final class EmbeddedNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedNode.class);

  private final PgQuorumNode node;
  private final List<Consumer<RoleChange>> listeners = new CopyOnWriteArrayList<>();
  /** One thread for listeners, so they see changes in order and never hold up the HA loop. */
  private final ExecutorService events;
  private final Object changed = new Object();
  private Role last = Role.UNKNOWN; // guarded by changed
  private final Consumer<NodeStatus> statusListener = this::published;

  EmbeddedNode(PgQuorumNode node) {
    this.node = node;
    this.events = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "pgquorum-role-listeners");
      t.setDaemon(true);
      return t;
    });
    node.onStatus(statusListener);
    published(node.status());
  }

  /** This member's name. */
  public String name() {
    return node.config().name();
  }

  /** The cluster's name (scope). */
  public String scope() {
    return node.config().scope();
  }

  /** The port the REST API listens on. */
  public int restPort() {
    return node.restPort();
  }

  /** What the HA loop last published. Never blocks. */
  public NodeView status() {
    return view(node.status());
  }

  /**
   * Calls {@code listener} with every change of this node's role from now on, on the listener thread (see the
   * package documentation). An exception it throws is logged and ignored. Close the returned handle to stop.
   */
  public AutoCloseable onRoleChange(Consumer<RoleChange> listener) {
    Objects.requireNonNull(listener);
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** Waits until the node's role is {@code role}; false when {@code timeout} passed first. */
  public boolean awaitRole(Role role, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (changed) {
      while (last != role) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(changed, left);
      }
      return true;
    }
  }

  /** Why the node stopped on its own (a fatal decision, another daemon with its name), if it did. */
  public Optional<String> fatalReason() {
    return node.fatalReason();
  }

  /** Waits until the node's HA loop has ended (after {@link #close()}, {@link #halt()} or a fatal decision). */
  public boolean awaitStopped(Duration timeout) throws InterruptedException {
    return node.awaitLoopEnd(timeout);
  }

  /** Stops the node with a handover (blocks until PostgreSQL is stopped and the DCS member has left). */
  @Override
  public void close() {
    try {
      node.close();
    } finally {
      node.removeStatusListener(statusListener);
      events.shutdown();
    }
  }

  /** Stops the node but leaves PostgreSQL running, as a crash of the daemon would. */
  public void halt() {
    try {
      node.halt();
    } finally {
      node.removeStatusListener(statusListener);
      events.shutdown();
    }
  }

  /** On the HA loop's thread: notes the role and hands a change to the listener thread. */
  private void published(NodeStatus s) {
    if (s == null) {
      return;
    }
    NodeView v = view(s);
    Role before;
    synchronized (changed) {
      before = last;
      last = v.role();
      changed.notifyAll();
    }
    if (before != v.role() && !events.isShutdown()) {
      RoleChange c = new RoleChange(before, v.role(), v);
      events.execute(() -> {
        for (Consumer<RoleChange> l : listeners) {
          try {
            l.accept(c);
          } catch (RuntimeException e) {
            LOG.warn("a role-change listener failed (ignored): {}", e.toString());
          }
        }
      });
    }
  }

  static NodeView view(NodeStatus s) {
    if (s == null) {
      return new NodeView("", "", Role.UNKNOWN, "", false, 0, "", Instant.EPOCH);
    }
    return new NodeView(s.scope(), s.name(), role(s), s.state(), s.holdsLock(), s.pg().timeline(), s.message(),
        s.cycleAt());
  }

  /** The role as the REST API reports it: what PostgreSQL runs as, and for a standby cluster's holder its part. */
  static Role role(NodeStatus s) {
    if (!s.pg().running()) {
      return s.pg().isUnknown() ? Role.UNKNOWN : Role.STOPPED;
    }
    return switch (s.role()) {
      case "primary", "master" -> Role.PRIMARY;
      case "standby_leader" -> Role.STANDBY_LEADER;
      case "replica" -> Role.REPLICA;
      default -> Role.UNKNOWN;
    };
  }
}
