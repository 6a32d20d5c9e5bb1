package io.pgquorum.coordinator.node;

import io.pgquorum.coordinator.config.ConfigException;
import io.pgquorum.coordinator.config.ConfigLoader;
import io.pgquorum.coordinator.config.LogSetup;
import io.pgquorum.coordinator.config.WitnessConfig;
import io.pgquorum.coordinator.rest.RestServer;
import io.pgquorum.coordinator.rest.WitnessStatus;
import io.pgquorum.dcs.api.DcsConfigException;
import io.pgquorum.dcs.ratis.DcsServer;
import io.pgquorum.dcs.ratis.DcsServerConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code pgquorum witness <config.yml>}: a voting member of the cluster's DCS (the embedded Raft group) and,
 * with a {@code restapi} section, a read-only monitoring endpoint ({@link RestServer#startWitness}); no PostgreSQL,
 * no HA loop. Two database nodes and one witness on a small third machine form a
 * group whose majority survives the loss of either database node, which is what lets the survivor take the leader
 * lock (Patroni's equivalent is {@code patroni_raft_controller}).
 *
 * <p>It joins like any member: listed in the nodes' {@code raft.partner_addrs} (and listing them in its own) it
 * founds the group with them; with {@code raft.join: true} (or {@code --join}) it is added to a running group.
 * It stops on SIGTERM/SIGINT by closing its member; Raft then elects another leader if it led (the HA loop hands
 * the Raft leadership to the primary's node anyway, so a witness seldom leads for long).
 *
 * <p>Exit codes as {@link Main}'s: 0 valid configuration or help, 2 bad usage or invalid configuration, 1 the member
 * could not start; after a signal the JVM's own status (143 for SIGTERM, which the systemd unit counts as success).
 */
final class WitnessCommand {
  private static final Logger LOG = LoggerFactory.getLogger(WitnessCommand.class);

  private WitnessCommand() {}

  static String usage() {
    return "usage: pgquorum witness [--join] <config.yml>\n"
        + "       pgquorum witness --validate-config <config.yml>\n"
        + "Runs only this machine's member of the cluster's DCS (no PostgreSQL): two database nodes plus a witness\n"
        + "keep a majority when either node is lost. The file needs scope and a raft section (self_addr,\n"
        + "partner_addrs, data_dir, tls); name, log and restapi (a monitoring endpoint: /liveness, /health,\n"
        + "/readiness, /metrics) are optional, a node's other sections are ignored.";
  }

  /**
   * Runs {@code pgquorum witness}, its command line parsed by {@link Main} ({@link CommandLineModel.Witness}).
   *
   * @param validateConfig the file after {@code --validate-config} as typed, or null
   * @param file the configuration file as typed, or null
   */
  static int run(boolean join, String validateConfig, String file, Map<String, String> givenEnv, PrintStream out,
      PrintStream err) {
    Map<String, String> env = givenEnv;
    if (join) {
      // As for a node: the one-off spelling of raft.join: true.
      env = new java.util.HashMap<>(givenEnv);
      env.put("PATRONI_RAFT_JOIN", "true");
    }
    boolean validateOnly = validateConfig != null;
    if (validateOnly == (file != null)) {
      err.println(usage());
      return 2;
    }
    if (validateOnly) {
      file = validateConfig;
    }
    WitnessConfig config;
    try {
      config = ConfigLoader.loadWitness(Path.of(file), env);
    } catch (ConfigException e) {
      return Main.invalid(err, "witness configuration " + file, e);
    }
    if (validateOnly) {
      return Main.valid(out, "witness configuration " + file, config.warnings());
    }
    DcsServerConfig dcsConfig;
    try {
      LogSetup.apply(config.log());
      dcsConfig = PgQuorumNode.dcsServerConfig(config.scope(), config.raft());
      DcsServer.preflight(dcsConfig);
      // As a node: a bad certificate or allowlist entry stops the start at once, not after the wait for partners.
      config.restapi().ifPresent(RestServer::preflight);
    } catch (IllegalArgumentException e) {
      err.println("pgquorum witness: " + e.getMessage());
      return 2;
    } catch (ConfigException e) {
      err.println("pgquorum witness: " + String.join("; ", e.problems()));
      return 2;
    } catch (DcsConfigException e) {
      err.println("pgquorum witness: " + e.getMessage());
      return 2;
    }
    config.warnings().forEach(w -> LOG.warn("{}", w));
    return serve(config, dcsConfig, err);
  }

  /**
   * Starts the member and holds it until the JVM is asked to stop. The shutdown hook is registered before the
   * start because a founding member's start waits until a majority of the group answers, and SIGTERM during that
   * wait must still stop it cleanly (the hook closes whatever has started by then).
   */
  private static int serve(WitnessConfig config, DcsServerConfig dcsConfig, PrintStream err) {
    Member member = new Member();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (member.stop()) {
        LOG.info("witness {} stopped", config.label());
      }
      stopped.countDown();
    }, "shutdown"));
    // The endpoint first: a founding member's start may wait long for its partners, and meanwhile /liveness
    // answers 200 and /health 503 (nothing published yet), rather than the port refusing connections.
    AtomicReference<DcsServer> running = new AtomicReference<>();
    if (config.restapi().isPresent()) {
      try {
        member.serving(startEndpoint(config, dcsConfig, running::get));
      } catch (RuntimeException e) {
        err.println("pgquorum witness: " + e.getMessage()); // restapi.listen taken, or a TLS file went bad
        return 1;
      }
    }
    LOG.info("witness {}: starting DCS member {} of group {} (partners {})", config.label(),
        dcsConfig.self(), config.scope(), dcsConfig.partners());
    DcsServer server;
    try {
      server = DcsServer.start(dcsConfig);
    } catch (DcsConfigException e) {
      err.println("pgquorum witness: " + e.getMessage());
      return 2;
    } catch (RuntimeException e) {
      err.println("pgquorum witness: " + e.getMessage());
      return 1;
    }
    if (!member.started(server)) {
      return 0; // the signal came while the member was starting; it is closed
    }
    running.set(server);
    LOG.info("witness {} serving: DCS member {} of group {}, members {}", config.label(), server.memberId(),
        config.scope(), server.currentMembers());
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  /** How often the endpoint's status is published: the member's own figures are sampled about as often. */
  private static final long PUBLISH_MILLIS = 1000;

  /**
   * Starts the monitoring endpoint and the thread that publishes its status once {@code member} returns the started
   * member; the endpoint reads only what that thread published, so a request never waits for Raft (reading the
   * member's contact age asks Ratis for its role).
   *
   * <p>Healthy means the member heard from its leader (or, leading, from a majority) within three maximum election
   * timeouts plus one publication interval. A follower's contact age already counts one election timeout on top of
   * the leader's silence (see DcsStateMachine.observeContact), so this allows the leader about two timeouts of
   * silence (an election in progress) before the witness reports itself out of the group.
   */
  private static Endpoint startEndpoint(WitnessConfig config, DcsServerConfig dcsConfig,
      Supplier<DcsServer> member) {
    AtomicReference<WitnessStatus> published = new AtomicReference<>();
    Runnable publish = () -> {
      DcsServer server = member.get();
      if (server == null) {
        return; // still starting: nothing to publish, /health answers 503
      }
      try {
        published.set(new WitnessStatus(config.scope(), config.label(), server.stats(), server.viewAge(),
            System.nanoTime()));
      } catch (RuntimeException e) {
        // A scheduled task that throws is cancelled; the last status stays and ages into 503.
        LOG.debug("witness status not published: {}", e.toString());
      }
    };
    publish.run();
    ScheduledExecutorService publisher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "pgquorum-witness-status");
      t.setDaemon(true);
      return t;
    });
    publisher.scheduleWithFixedDelay(publish, PUBLISH_MILLIS, PUBLISH_MILLIS, TimeUnit.MILLISECONDS);
    Duration recent = dcsConfig.tuning().electionTimeoutMax().multipliedBy(3).plusMillis(PUBLISH_MILLIS);
    try {
      return new Endpoint(RestServer.startWitness(config.restapi().get(), published::get, recent), publisher);
    } catch (RuntimeException e) {
      publisher.shutdownNow();
      throw e;
    }
  }

  /** The monitoring endpoint and its publisher, stopped together. */
  private record Endpoint(RestServer rest, ScheduledExecutorService publisher) {
    void close() {
      publisher.shutdownNow();
      rest.close();
    }
  }

  /**
   * The member (and its endpoint, once started), closed exactly once whether the stop comes before or after its
   * start completed.
   */
  private static final class Member {
    private DcsServer server;
    private Endpoint endpoint;
    private boolean stopping;

    /** Records the endpoint, or closes it when a stop came first. */
    synchronized void serving(Endpoint e) {
      if (stopping) {
        e.close();
        return;
      }
      endpoint = e;
    }

    /** False (and {@code s} closed) when a stop came first. */
    synchronized boolean started(DcsServer s) {
      if (stopping) {
        s.close();
        return false;
      }
      server = s;
      return true;
    }

    /** Whether a started member was closed. */
    synchronized boolean stop() {
      stopping = true;
      if (endpoint != null) {
        endpoint.close(); // first: /health must not answer from a member that is closing
      }
      if (server == null) {
        return false;
      }
      server.close();
      return true;
    }
  }
}
