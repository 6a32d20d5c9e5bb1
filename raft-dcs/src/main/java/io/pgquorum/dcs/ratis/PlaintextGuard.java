package io.pgquorum.dcs.ratis;

import io.pgquorum.dcs.api.DcsConfigException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses to start a member that would serve plaintext Raft on a network. Without TLS the Raft port
 * authenticates nobody: whoever can reach it can send client requests (write or delete any key, including the
 * leader lock) and membership changes. On loopback only local processes can; beyond it, anyone on the network.
 * So a member whose addresses ({@code raft.self_addr}, {@code raft.bind_addr}, {@code raft.partner_addrs}) are
 * not all loopback needs {@code raft.tls}, or the operator's explicit {@code raft.insecure: true}.
 *
 * <p>Host names are resolved here, at start (as binding and dialling will resolve them); a name that does not
 * resolve counts as not loopback, and a wildcard bind address ({@code 0.0.0.0}, {@code ::}) is not loopback.
 */
final class PlaintextGuard {
  private static final Logger LOG = LoggerFactory.getLogger(PlaintextGuard.class);

  /** How to configure mutual TLS, for the error and the docs. */
  static final String HOW_TO_TLS = "configure mutual TLS with raft.tls: {certfile: <this member's certificate "
      + "chain, PEM>, keyfile: <its private key, unencrypted PKCS#8 PEM>, cafile: <the CA every member's "
      + "certificate chains to, PEM>} on every member (and in pgctl's configuration)";

  private PlaintextGuard() {}

  /** @throws DcsConfigException naming the first non-loopback address, how to configure TLS, and the opt-in */
  static void check(DcsServerConfig config) {
    if (config.tls().isPresent()) {
      return;
    }
    List<String> exposed = exposedAddresses(config);
    if (exposed.isEmpty()) {
      return;
    }
    if (config.insecure()) {
      LOG.warn("raft.insecure is set: DCS member {} serves plaintext, unauthenticated Raft on {}; anyone who can "
          + "reach it can write the cluster's keys and change its membership", config.self(), exposed.get(0));
      return;
    }
    throw new DcsConfigException("raft: without TLS the Raft port accepts writes and membership changes from "
        + "anyone who can reach it, and " + exposed.get(0) + " is not a loopback address. To protect it, "
        + HOW_TO_TLS + ". To run without TLS on a network you trust, set raft.insecure: true "
        + "(PATRONI_RAFT_INSECURE=true)");
  }

  /** The keys whose address is not loopback, each as {@code key = 'value' (why)}; empty when all are. */
  static List<String> exposedAddresses(DcsServerConfig config) {
    List<String> out = new ArrayList<>();
    add(out, "raft.self_addr", config.self().host(), config.self().port());
    boolean bindGiven = !config.bindHost().equals(config.self().host()) || config.bindPort() != config.self().port();
    if (bindGiven) {
      add(out, "raft.bind_addr", config.bindHost(), config.bindPort());
    }
    for (int i = 0; i < config.partners().size(); i++) {
      PeerAddress p = config.partners().get(i);
      add(out, "raft.partner_addrs[" + i + "]", p.host(), p.port());
    }
    return out;
  }

  private static void add(List<String> out, String key, String host, int port) {
    String why = whyNotLoopback(host);
    if (why != null) {
      out.add(key + " = '" + host + ":" + port + "' (" + why + ")");
    }
  }

  /** Null when every address {@code host} resolves to is loopback, else the reason. */
  static String whyNotLoopback(String host) {
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    InetAddress[] all;
    try {
      all = InetAddress.getAllByName(h);
    } catch (UnknownHostException e) {
      return "does not resolve here";
    }
    for (InetAddress a : all) {
      if (a.isAnyLocalAddress()) {
        return "the wildcard address listens on every interface";
      }
      if (!a.isLoopbackAddress()) {
        return "resolves to " + a.getHostAddress();
      }
    }
    return null;
  }
}
