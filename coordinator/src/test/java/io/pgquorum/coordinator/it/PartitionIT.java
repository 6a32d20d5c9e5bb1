package io.pgquorum.coordinator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Split-brain safety under a real network partition: the primary's DCS member is cut off from the other two
 * (every DCS link to and from it closed, see {@link io.pgquorum.testkit.net.LinkProxies}) while clients keep
 * writing to every node. With one clock (this JVM's {@link System#nanoTime()}), the last write the old primary
 * accepted must come before the first write the new primary accepted. Afterwards the old primary rejoins as a
 * replica (pg_rewind when it diverged).
 */
@Tag("serial") // run alone after the parallel pass (coordinator/pom.xml): a partition timed against the lease
class PartitionIT {
  static final int TTL = 8;

  /** Keeps writing to one node, remembering when it first and last succeeded. */
  static final class Writer implements Runnable {
    final NodeSpec node;
    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicLong firstOk = new AtomicLong(Long.MAX_VALUE);
    final AtomicLong lastOk = new AtomicLong(Long.MIN_VALUE);
    final AtomicLong count = new AtomicLong();
    final Thread thread;

    Writer(NodeSpec node) {
      this.node = node;
      this.thread = new Thread(this, "writer-" + node.name);
    }

    @Override
    public void run() {
      Connection c = null;
      while (!stop.get()) {
        try {
          if (c == null) {
            c = LocalCluster.connect(node);
          }
          try (Statement s = c.createStatement()) {
            s.execute("INSERT INTO partition_rows(node) VALUES ('" + node.name + "')");
          }
          long now = System.nanoTime();
          firstOk.compareAndSet(Long.MAX_VALUE, now);
          lastOk.set(now);
          count.incrementAndGet();
        } catch (SQLException e) {
          try {
            if (c != null) {
              c.close();
            }
          } catch (SQLException ignored) {
            // reconnect next round
          }
          c = null;
          pause(20);
        }
      }
    }

    private static void pause(long ms) {
      try {
        Thread.sleep(ms); // pacing between retries of a failed write, not a stand-in for a condition
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Test
  void isolatedPrimaryStopsWritesBeforeAnotherNodeIsPromoted() throws Exception {
    try (LocalCluster cluster = new LocalCluster("it-partition", 3, TTL, true)) {
      cluster.startAll();
      AtomicReference<NodeSpec> primaryRef = new AtomicReference<>();
      cluster.explainFailures(() -> {
        await("one primary").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300)).until(() -> {
          Optional<NodeSpec> p = cluster.primary();
          p.ifPresent(primaryRef::set);
          return p.isPresent();
        });
        await("two streaming replicas").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
            .until(() -> cluster.streamingReplicas().size() == 2);
      });
      NodeSpec old = primaryRef.get();
      try (Connection c = LocalCluster.connect(old); Statement s = c.createStatement()) {
        s.execute("CREATE TABLE partition_rows (id bigserial PRIMARY KEY, node text, at timestamptz DEFAULT now())");
      }
      List<Writer> writers = cluster.nodes.stream().map(Writer::new).toList();
      writers.forEach(w -> w.thread.start());
      Writer oldWriter = writers.stream().filter(w -> w.node == old).findFirst().orElseThrow();
      await("the primary takes writes").atMost(Duration.ofSeconds(10)).until(() -> oldWriter.count.get() > 5);

      long cutAt = System.nanoTime();
      cluster.proxies.isolate(old.index);

      AtomicReference<Writer> newWriter = new AtomicReference<>();
      try {
        cluster.explainFailures(() -> await("another node accepts writes").atMost(Duration.ofSeconds(TTL + 15))
            .pollInterval(Duration.ofMillis(50))
            .until(() -> {
              for (Writer w : writers) {
                if (w.node != old && w.count.get() > 0) {
                  newWriter.set(w);
                  return true;
                }
              }
              return false;
            }));
      } finally {
        writers.forEach(w -> w.stop.set(true));
        for (Writer w : writers) {
          w.thread.join(10_000);
        }
      }
      long oldLast = oldWriter.lastOk.get();
      long newFirst = newWriter.get().firstOk.get();
      System.out.printf("PARTITION old primary %s: last write %.3f s after the cut; new primary %s: first write "
              + "%.3f s after the cut%n", old.name, (oldLast - cutAt) / 1e9, newWriter.get().node.name,
          (newFirst - cutAt) / 1e9);
      assertThat(oldLast)
          .as("the isolated primary's last accepted write precedes the new primary's first write")
          .isLessThan(newFirst);
      assertThat(cluster.logs(old)).contains("demot");

      // Heal: the old primary must come back as a replica of the new one.
      cluster.proxies.healAll();
      cluster.explainFailures(() -> await("old primary rejoins as a streaming replica")
          .atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
          .until(() -> LocalCluster.get(old, "/replica?replication_state=streaming").status() == 200));
      assertThat(LocalCluster.get(old, "/primary").status()).isEqualTo(503);
    }
  }
}
