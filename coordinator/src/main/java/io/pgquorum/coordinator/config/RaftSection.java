package io.pgquorum.coordinator.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code raft} section, validated with the same address grammar as the raft-dcs module (so a file accepted
 * here is not refused when the DCS starts), and the explanation for users arriving with an etcd/Consul/... section.
 */
final class RaftSection {
  /** A valid section to copy from, shown whenever one is missing or a foreign DCS is configured. */
  static final String EXAMPLE = String.join("\n",
      "  raft:",
      "    self_addr: 10.0.0.1:5010            # this member, as the others dial it",
      "    partner_addrs:                      # the other members (not this one)",
      "      - 10.0.0.2:5010",
      "      - 10.0.0.3:5010",
      "    data_dir: /var/lib/pgquorum/raft    # Raft log and snapshots, outside the PostgreSQL data directory",
      "    tls:                                # mutual TLS, required off loopback unless raft.insecure: true",
      "      certfile: /etc/pgquorum/raft.crt",
      "      keyfile: /etc/pgquorum/raft.key",
      "      cafile: /etc/pgquorum/ca.crt");

  private RaftSection() {}

  /** Refuses every foreign DCS section, explaining what to write instead. */
  static void refuseForeignDcs(Section root) {
    for (ConfigKey key : NodeKeys.FOREIGN_DCS) {
      String dcs = key.name();
      if (root.keys().contains(dcs)) {
        root.value(dcs);
        root.problems().error(dcs, "pgquorum does not use " + dcs + ": it embeds its own DCS, a Raft group formed "
            + "by the pgquorum nodes themselves. Replace the " + dcs + " section with a raft section naming this "
            + "node and its peers, for example:\n" + EXAMPLE);
      }
    }
  }

  /** Null (after reporting) when the section is missing or broken. */
  static RaftConfig parse(Section root, boolean foreignDcsReported) {
    Problems problems = root.problems();
    int before = problems.errorCount();
    Optional<Section> section = root.section(RaftKeys.TABLE.prefix());
    if (section.isEmpty()) {
      if (problems.errorCount() == before) {
        problems.error(RaftKeys.TABLE.prefix(), "is required: pgquorum keeps the cluster state in a Raft group "
            + "embedded in its nodes" + (foreignDcsReported ? " (see above)" : ", configured like this:\n" + EXAMPLE));
      }
      return null;
    }
    Section s = section.get();
    String selfAddr = null;
    HostPort self = null;
    if (!s.has(RaftKeys.SELF_ADDR)) {
      problems.error(s.keyPath(RaftKeys.SELF_ADDR), "is required (host:port this member's peers dial, e.g. "
          + "10.0.0.1:5010)");
    } else {
      self = Addresses.parsePeer(s.keyPath(RaftKeys.SELF_ADDR), s.value(RaftKeys.SELF_ADDR), true,
          Addresses.Kind.CONNECT, problems);
      selfAddr = self == null ? null : ((String) s.value(RaftKeys.SELF_ADDR)).trim();
    }
    Optional<String> bindAddr = Optional.empty();
    if (s.has(RaftKeys.BIND_ADDR)) {
      HostPort bind = Addresses.parsePeer(s.keyPath(RaftKeys.BIND_ADDR), s.value(RaftKeys.BIND_ADDR), false,
          Addresses.Kind.LISTEN, problems);
      if (bind != null) {
        bindAddr = Optional.of(((String) s.value(RaftKeys.BIND_ADDR)).trim());
      }
    }
    List<String> partners = partners(s, selfAddr, self);
    Path dataDir = s.requiredPath(RaftKeys.DATA_DIR);
    Optional<RaftConfig.RaftTls> tls = tls(s);
    // Checked against the resolved addresses when the member starts (raft-dcs PlaintextGuard): name resolution
    // belongs to the machine the member runs on, not to where a file is validated.
    boolean insecure = s.boolOrDefault(RaftKeys.INSECURE);
    if (insecure && tls.isPresent()) {
      problems.warn(s.keyPath(RaftKeys.INSECURE), "has no effect: raft.tls is configured, so member traffic is "
          + "encrypted and authenticated");
    }
    boolean join = s.boolOrDefault(RaftKeys.JOIN);
    RaftConfig.LeaseRefresh leaseRefresh = RaftConfig.LeaseRefresh.valueOf(
        s.choiceOrDefault(RaftKeys.LEASE_REFRESH).toUpperCase(Locale.ROOT));
    Duration electionTimeout = s.duration(RaftKeys.ELECTION_TIMEOUT);
    s.refuse(RaftKeys.PASSWORD);
    s.warnUnknown();
    if (problems.errorCount() > before) {
      return null;
    }
    return new RaftConfig(selfAddr, bindAddr, partners, dataDir, tls, insecure, join, leaseRefresh,
        electionTimeout);
  }

  private static List<String> partners(Section s, String selfAddr, HostPort self) {
    Problems problems = s.problems();
    List<String> out = new ArrayList<>();
    Object v = s.value(RaftKeys.PARTNER_ADDRS);
    if (v == null) {
      return out;
    }
    if (!(v instanceof List)) {
      problems.error(s.keyPath(RaftKeys.PARTNER_ADDRS), "must be a list of host:port, got " + problems.show(v));
      return out;
    }
    Map<String, Integer> seen = new HashMap<>();
    if (self != null) {
      seen.put(key(self), -1);
      seen.put(id(selfAddr), -1);
    }
    List<?> items = (List<?>) v;
    for (int i = 0; i < items.size(); i++) {
      String path = s.keyPath(RaftKeys.PARTNER_ADDRS) + "[" + i + "]";
      HostPort hp = Addresses.parsePeer(path, items.get(i), true, Addresses.Kind.CONNECT, problems);
      if (hp == null) {
        continue;
      }
      String text = ((String) items.get(i)).trim();
      Integer earlier = seen.get(key(hp));
      if (earlier == null) {
        earlier = seen.get(id(text));
      }
      if (earlier != null && earlier < 0) {
        problems.error(path, "is this member itself (raft.self_addr); list only the other members");
        continue;
      }
      if (earlier != null) {
        problems.error(path, "repeats " + RaftKeys.PARTNER_ADDRS.path() + "[" + earlier + "]");
        continue;
      }
      seen.put(key(hp), i);
      seen.put(id(text), i);
      out.add(text);
    }
    return out;
  }

  private static Optional<RaftConfig.RaftTls> tls(Section s) {
    Optional<Section> section = s.section(RaftKeys.TLS);
    if (section.isEmpty()) {
      return Optional.empty();
    }
    Section t = section.get();
    Path cert = t.requiredPath(RaftKeys.TLS_CERTFILE);
    Path key = t.requiredPath(RaftKeys.TLS_KEYFILE);
    Path ca = t.requiredPath(RaftKeys.TLS_CAFILE);
    t.warnUnknown();
    if (cert == null || key == null || ca == null) {
      return Optional.empty();
    }
    return Optional.of(new RaftConfig.RaftTls(cert, key, ca));
  }

  private static String key(HostPort hp) {
    return "addr:" + hp.toString().toLowerCase(Locale.ROOT);
  }

  /** The member id as raft-dcs derives it: the explicit prefix, else the address. */
  private static String id(String text) {
    int at = text.indexOf('@');
    return at >= 0 ? "id:" + text.substring(0, at) : "addr-id:" + text.toLowerCase(Locale.ROOT);
  }
}
