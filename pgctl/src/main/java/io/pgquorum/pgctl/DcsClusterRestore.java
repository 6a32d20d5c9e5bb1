package io.pgquorum.pgctl;

import io.pgquorum.coordinator.cluster.ClusterCodec;
import io.pgquorum.coordinator.cluster.DcsKeys;
import io.pgquorum.coordinator.cluster.RestoreRecord;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.dcs.api.KeyValue;
import io.pgquorum.dcs.api.Precondition;
import io.pgquorum.dcs.ratis.RatisDcsClient;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * A cluster-wide point-in-time recovery through the DCS {@code restore} key ({@link RestoreRecord}): writes the
 * request by compare-and-set (refused while another restore runs; a done or failed one is replaced at its
 * revision), then follows the key, printing each phase, until done or failed or the deadline. The nodes do the
 * work (their {@code RestoreRules}); this only asks and watches.
 */
final class DcsClusterRestore implements ClusterRestore {
  /** What became of the request. */
  record Result(boolean done, long timeline, String detail) {}

  private final Duration timeout;
  private final Duration deadline;
  private final Duration poll;

  /**
   * @param timeout one DCS operation
   * @param deadline how long to follow the restore before giving up watching (the restore itself goes on)
   * @param poll how often the key is read
   */
  DcsClusterRestore(Duration timeout, Duration deadline, Duration poll) {
    this.timeout = timeout;
    this.deadline = deadline;
    this.poll = poll;
  }

  /**
   * The plan's target, restoring the plan's backup (so the nodes restore exactly the backup that was shown).
   * Exit 0 once the restored primary runs (with its timeline), 1 with the nodes' reason when it failed.
   */
  @Override
  public int restore(RestorePlan plan, NodeConfig config, PrintStream out) {
    Result r = restore(config, plan.target().kind().name().toLowerCase(java.util.Locale.ROOT),
        plan.target().value(), plan.target().exclusive(), Optional.of(plan.backup().label()), out);
    if (r.done()) {
      out.println("restore done: the cluster " + config.scope() + " runs on timeline " + r.timeline()
          + "; the old data directories are kept as <data_dir>.restore-<id> until you remove them");
      return 0;
    }
    throw CtlException.failure("restore failed: " + r.detail() + ". The moved-aside data directories are kept; "
        + "request another restore (another target or backup) to recover");
  }

  /** Requests the restore and follows it; CtlException when it cannot be requested or the deadline passes. */
  Result restore(NodeConfig config, String kind, Optional<String> target, boolean exclusive, Optional<String> set,
      PrintStream out) {
    String key = new DcsKeys(config.keyPrefix()).restore();
    try (RatisDcsClient client = DcsClusterSource.connect(config, timeout)) {
      // The nodes take no restore step while paused (maintenance mode leaves PostgreSQL to the operator), so a
      // request now would only be watched until the deadline: refuse it before anything is written.
      boolean paused = new ClusterCodec(new DcsKeys(config.keyPrefix())).decode(client.read(config.keyPrefix()))
          .config().map(v -> v.value().paused()).orElse(false);
      if (paused) {
        throw CtlException.failure("the cluster " + config.scope() + " is in maintenance mode (paused): a restore "
            + "stops, moves aside and rebuilds every member, which a paused cluster does not do; run pgctl resume "
            + "first");
      }
      Optional<KeyValue> current = client.get(key);
      Precondition cond = Precondition.absent();
      if (current.isPresent()) {
        RestoreRecord before = ClusterCodec.decodeRestore(current.get().value(), current.get().modRevision());
        if (before.inProgress()) {
          throw CtlException.failure("restore " + before.id() + " to " + before.describeTarget() + " is already in "
              + "progress (phase " + before.phase() + "); wait for it to end");
        }
        cond = Precondition.modRevision(current.get().modRevision());
      }
      Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      String id = now.toString().replace("-", "").replace(":", "").replace("Z", "");
      RestoreRecord request = RestoreRecord.request(id, kind, target, exclusive, set, now.toString());
      if (!client.put(key, ClusterCodec.encodeRestore(request), cond, null).succeeded()) {
        throw CtlException.failure("another restore was requested at the same moment; nothing was changed by "
            + "this one");
      }
      out.println("restore " + id + " requested: " + request.describeTarget());
      return follow(client, key, id, out);
    } catch (CtlException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw CtlException.failure("the DCS restore key cannot be read: " + e.getMessage());
    } catch (RuntimeException e) {
      throw DcsClusterSource.unreachable(config, timeout, e);
    }
  }

  private Result follow(RatisDcsClient client, String key, String id, PrintStream out) {
    long end = System.nanoTime() + deadline.toNanos();
    String shown = "";
    while (true) {
      Optional<RestoreRecord> r = readQuietly(client, key);
      if (r.isPresent() && !r.get().id().equals(id)) {
        throw CtlException.failure("restore " + id + " was replaced by restore " + r.get().id());
      }
      if (r.isPresent()) {
        RestoreRecord rec = r.get();
        String line = rec.phase() + (rec.phase().equals(RestoreRecord.STOPPING) ? " (ready: "
            + (rec.ready().isEmpty() ? "none yet" : String.join(", ", rec.ready())) + ")" : "");
        if (!line.equals(shown)) {
          out.println("restore " + id + ": " + line);
          shown = line;
        }
        if (rec.phase().equals(RestoreRecord.DONE)) {
          return new Result(true, rec.timeline(), rec.detail().orElse(""));
        }
        if (rec.failed()) {
          return new Result(false, 0, rec.detail().orElse("no detail"));
        }
      }
      if (System.nanoTime() > end) {
        throw CtlException.failure("restore " + id + " did not finish within " + deadline.toSeconds() + " s (last "
            + "phase: " + (shown.isEmpty() ? "unknown" : shown) + "); it goes on: follow it with pgctl list");
      }
      try {
        Thread.sleep(poll.toMillis()); // polling the key: the DCS client has no watch
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw CtlException.failure("interrupted while following restore " + id);
      }
    }
  }

  /** The key, or empty when it cannot be read this time (a Raft election: tried again at the next poll). */
  private static Optional<RestoreRecord> readQuietly(RatisDcsClient client, String key) {
    try {
      return client.get(key).map(kv -> ClusterCodec.decodeRestore(kv.value(), kv.modRevision()));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
