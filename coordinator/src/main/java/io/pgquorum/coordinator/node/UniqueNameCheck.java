package io.pgquorum.coordinator.node;

import io.pgquorum.coordinator.cluster.ClusterStore;
import io.pgquorum.coordinator.cluster.DuplicateNameException;
import io.pgquorum.coordinator.config.ConfigException;
import io.pgquorum.dcs.api.DcsException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Patroni's {@code ensure_unique_name} at start-up: refuse to start when a daemon with this node's {@code name} is
 * already running, before this one writes anything, starts its REST API and watchdog, or touches PostgreSQL.
 *
 * <p>"Running" means: a key named after this node ({@code members/<name>}, or {@code leader} holding the name) is
 * owned by another daemon, not by an earlier start of this node, and
 * <ul>
 *   <li>its REST API ({@code api_url} of the member key) answers; this is Patroni's test, and the common case (an
 *       operator started a copy of a node's configuration) is refused at once, with exit code 2;
 *   <li>or, when the API does not answer (the other daemon is dead, or only unreachable from here), the DCS shows
 *       it writing the key again. That is not waited for here: {@link ClusterStore#load()} keeps watching on every
 *       cycle, this node takes no part meanwhile, and stops (exit 1) once the other daemon is seen alive.
 * </ul>
 *
 * <p>Why not wait here for the DCS (Patroni waits for ever): a start-up blocked on the DCS would leave a
 * PostgreSQL that an earlier start of this daemon left running as primary unmanaged; the HA loop demotes it when
 * it has no lease. So the check gets {@code 2 * retry_timeout} for its DCS read and otherwise continues, and the
 * per-cycle guard (which asks the REST API too, as soon as the DCS answers) does the rest; the guard alone already
 * keeps a duplicate from taking any lease or key.
 *
 * <p>Why the budget is not spent when no partner runs the DCS group ({@code nobodyToAsk}: each partner answered
 * that it runs no division of the group, or nothing listens at its address): the budget is there to ride out a
 * Raft election of a running group, and no group runs among the partners. A read through them can succeed only
 * once a partner starts its member, and on a cluster's first start (or a restart of all its members) every
 * partner is in this same check, waiting for the others: each node waited out the whole budget and learned
 * nothing (the first start of a 3-node cluster spent about 4 s here). Why that is sound:
 * <ul>
 *   <li>a daemon with this name that is alive in the DCS keeps its key written, which needs a group with a leader,
 *       i.e. a majority of its voters running divisions; with {@code n >= 2} members every majority holds a
 *       member other than this node's, so some partner would run one. No partner running one, nothing can be
 *       writing a key now, and a read through the partners could not reach a group elsewhere either;
 *   <li>the only starts that go differently are those whose partners come up within the budget (the check could
 *       then have seen a key): they continue as every start whose budget ran out always did. The per-cycle guard
 *       in {@link ClusterStore#load()} keeps this node from taking any key or lease while another daemon owns
 *       the name, and stops it once that daemon is seen alive (REST API answering, or key rewritten).
 * </ul>
 * A partner that does not answer at all proves nothing (a partition, a firewall, an overloaded member): then the
 * budget applies as before. {@code nobodyToAsk} is asked alongside every read, because a read that nobody can
 * answer fails only after the DCS client's whole operation timeout, and a read that can be answered must not wait
 * for the question.
 *
 * <p>An earlier start of this node never blocks a restart: its keys are this node's (see {@link NodeIncarnation}),
 * whatever its REST API says, and this daemon's own REST API is not up yet.
 */
final class UniqueNameCheck {
  private static final Logger log = LoggerFactory.getLogger(UniqueNameCheck.class);

  private UniqueNameCheck() {}

  /**
   * @param store the node's store, with its {@linkplain ClusterStore#livenessProbe liveness probe} set
   * @param nobodyToAsk why no DCS member could answer a read through {@code store} now (no partner runs the
   *     group), or empty when one may (see the class comment)
   * @throws ConfigException naming {@code name} when another daemon with this name is running
   */
  static void atStart(ClusterStore store, String name, Duration dcsBudget,
      Supplier<Optional<String>> nobodyToAsk) {
    long deadline = System.nanoTime() + dcsBudget.toNanos();
    while (true) {
      // The read and the question run side by side: when a partner runs the group (a restart, a node added
      // later) the read answers as fast as before, and when none does the read is not waited for (it could only
      // fail, after the client's whole operation timeout). A read left behind fails once the caller closes its
      // client; what it would throw is ignored.
      CompletableFuture<Void> read = new CompletableFuture<>();
      CompletableFuture<Optional<String>> question = new CompletableFuture<>();
      background("unique-name-check-read", () -> {
        store.load();
        read.complete(null);
      }, read);
      background("unique-name-check-partners", () -> question.complete(ask(nobodyToAsk)), question);
      // Decided by whichever comes first: the read's answer (always used when there is one), or "no partner runs
      // it". A read that failed decides nothing until the question is answered too.
      CompletableFuture<Void> decided = new CompletableFuture<>();
      Runnable settle = () -> {
        if (answered(read) || saysNobody(question) || (read.isDone() && question.isDone())) {
          decided.complete(null);
        }
      };
      read.whenComplete((v, e) -> settle.run());
      question.whenComplete((v, e) -> settle.run());
      await(decided);
      if (!answered(read) && saysNobody(question)) {
        log.info("not waiting for the DCS to check that no other node named '{}' runs: {}; checking on every "
            + "cycle instead", name, question.join().orElseThrow());
        return;
      }
      try {
        await(read);
        return;
      } catch (DuplicateNameException e) {
        if (e.confirmed()) {
          throw new ConfigException("name", "Can't start; " + e.getMessage());
        }
        log.warn("{}; its REST API does not answer from here, so this node waits and watches the key",
            e.getMessage());
        return;
      } catch (DcsException e) {
        if (System.nanoTime() - deadline >= 0) {
          log.warn("could not check that no other node named '{}' runs (DCS: {}); checking on every cycle instead",
              name, e.getMessage());
          return;
        }
        pause(); // a read can fail fast (no Raft leader yet): retry within the budget without spinning
      }
    }
  }

  /** The read has an answer: keys read, or a duplicate found (anything but a DCS failure). */
  private static boolean answered(CompletableFuture<Void> read) {
    if (!read.isDone()) {
      return false;
    }
    try {
      read.join();
      return true;
    } catch (java.util.concurrent.CompletionException e) {
      return e.getCause() instanceof DuplicateNameException || !(e.getCause() instanceof DcsException);
    }
  }

  private static boolean saysNobody(CompletableFuture<Optional<String>> question) {
    return question.isDone() && !question.isCompletedExceptionally() && question.join().isPresent();
  }

  /** What {@code nobodyToAsk} says; a failure to ask says nothing (the read decides, as before). */
  private static Optional<String> ask(Supplier<Optional<String>> nobodyToAsk) {
    try {
      return nobodyToAsk.get();
    } catch (RuntimeException e) {
      log.debug("could not ask the DCS partners whether they run the group: {}", e.toString());
      return Optional.empty();
    }
  }

  /** Runs {@code body} on a daemon thread of its own; what it throws completes {@code outcome}. */
  private static void background(String name, Runnable body, CompletableFuture<?> outcome) {
    Thread t = new Thread(() -> {
      try {
        body.run();
      } catch (RuntimeException e) {
        outcome.completeExceptionally(e);
      }
    }, name);
    t.setDaemon(true);
    t.start();
  }

  /** The read's outcome: returns, or throws what {@link ClusterStore#load()} threw. */
  private static void await(CompletableFuture<Void> read) {
    try {
      read.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new DcsException("the name check's DCS read failed: " + e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DcsException("interrupted while checking that the name is unique");
    }
  }

  private static void pause() {
    try {
      Thread.sleep(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DcsException("interrupted while checking that the name is unique");
    }
  }
}
