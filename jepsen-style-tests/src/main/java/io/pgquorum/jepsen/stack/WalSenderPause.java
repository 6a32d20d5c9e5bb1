package io.pgquorum.jepsen.stack;

import io.pgquorum.testkit.proc.Signals;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * Freezes and thaws the WAL sender that streams to one replica (SIGSTOP / SIGCONT of that walsender process on
 * its upstream), everything else running on: the upstream stops shipping WAL to that standby while the connection
 * stays up, as when the link to it or the sender stalls. The upstream keeps listing the standby as
 * {@code streaming} in {@code pg_stat_replication} with its positions frozen, the standby's own server and daemon
 * keep answering (it reports itself running), and nothing the upstream wrote after the freeze reaches it: unlike a
 * paused receiver, no kernel or proxy buffer fills with WAL it would read after the thaw.
 *
 * <p>Why not pause the standby's PostgreSQL ({@link PostgresPause}): its daemon's probe then fails and the member
 * is reported not running, so the primary never treats it as a candidate. A frozen sender does not answer
 * {@code wal_sender_timeout}; the standby's {@code wal_receiver_timeout} (60 s by default) ends the connection from
 * its side, so a schedule keeps the pause shorter than that when the standby should still look streaming.
 */
final class WalSenderPause {
  private Long stopped;

  /**
   * Stops the walsender whose {@code application_name} is {@code standby} on whichever node streams to it; a no-op
   * when already paused. Polls every node's {@code pg_stat_replication} with a deadline (a standby reconnecting gets
   * a new sender), and refuses when none appears: a pause that stopped nothing must not be recorded as applied.
   */
  synchronized void pause(List<StackNode> nodes, ClusterQueries queries, int standby) {
    if (stopped != null) {
      return;
    }
    String name = nodes.get(standby).name();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (true) {
      Optional<Long> pid = find(nodes.size(), queries, standby, name);
      if (pid.isPresent()) {
        Signals.send("STOP", List.of(pid.get()));
        stopped = pid.get();
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no node streams WAL to " + name + " within 10 s: no WAL sender to pause");
      }
      PgCluster.sleep(100); // polling pg_stat_replication with a deadline
    }
  }

  /** Resumes the sender {@link #pause} stopped (a no-op for one that exited: gone PIDs are fine). */
  synchronized void resume() {
    if (stopped != null) {
      Signals.send("CONT", List.of(stopped));
      stopped = null;
    }
  }

  /**
   * Thaws the sender first when it is a child of {@code postmaster}, which is about to be killed: a stopped child
   * cannot notice its postmaster's death and would outlive it, holding the shared memory a restart needs.
   */
  synchronized void resumeIfChildOf(long postmaster) {
    if (stopped != null && ProcessHandle.of(stopped).flatMap(ProcessHandle::parent)
        .map(p -> p.pid() == postmaster).orElse(false)) {
      resume();
    }
  }

  private static Optional<Long> find(int size, ClusterQueries queries, int standby, String name) {
    for (int i = 0; i < size; i++) {
      if (i == standby) {
        continue;
      }
      try (Connection c = queries.connect(i, 1, 2);
          PreparedStatement s = c.prepareStatement("SELECT pid FROM pg_stat_replication "
              + "WHERE lower(application_name) = lower(?) AND state = 'streaming'")) {
        s.setString(1, name);
        try (ResultSet r = s.executeQuery()) {
          if (r.next()) {
            return Optional.of(r.getLong(1));
          }
        }
      } catch (SQLException e) {
        // that node's PostgreSQL is down or not answering: it streams to nobody now
      }
    }
    return Optional.empty();
  }
}
