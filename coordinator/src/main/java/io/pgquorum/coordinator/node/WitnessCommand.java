package io.pgquorum.coordinator.node;

import io.pgquorum.coordinator.config.ConfigException;
import io.pgquorum.coordinator.config.ConfigLoader;
import io.pgquorum.coordinator.config.LogSetup;
import io.pgquorum.coordinator.config.WitnessConfig;
import io.pgquorum.dcs.api.DcsConfigException;
import io.pgquorum.dcs.ratis.DcsServer;
import io.pgquorum.dcs.ratis.DcsServerConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code pgquorum witness <config.yml>}: a voting member of the cluster's DCS (the embedded Raft group) and nothing
 * else: no PostgreSQL, no REST API, no HA loop. Two database nodes and one witness on a small third machine form a
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
        + "partner_addrs, data_dir, tls); name and log are optional, a node's other sections are ignored.";
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
    LOG.info("witness {} serving: DCS member {} of group {}, members {}", config.label(), server.memberId(),
        config.scope(), server.currentMembers());
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  /** The member, closed exactly once whether the stop comes before or after its start completed. */
  private static final class Member {
    private DcsServer server;
    private boolean stopping;

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
      if (server == null) {
        return false;
      }
      server.close();
      return true;
    }
  }
}
