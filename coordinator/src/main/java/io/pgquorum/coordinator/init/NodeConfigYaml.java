package io.pgquorum.coordinator.init;

import java.nio.file.Path;

/**
 * One node's complete configuration file as {@code pgquorum init} writes it: Patroni's layout with a raft
 * section, HTTPS with client certificates on the REST API, mutual TLS on Raft, and pg_hba lines that let the
 * members replicate from (and rewind against) each other. Every value that is text is single-quoted YAML, so a
 * password or path with YAML's special characters reads back as written.
 */
final class NodeConfigYaml {
  private NodeConfigYaml() {}

  /** The files of one node that its configuration names (absolute paths). */
  record NodeFiles(Path dir, Path config, Path caCert, Path cert, Path key) {
    static NodeFiles in(Path dir) {
      return in(dir, "pgquorum.yml");
    }

    /** A witness's: its configuration is {@code witness.yml}, so that it is not taken for a node's. */
    static NodeFiles witnessIn(Path dir) {
      return in(dir, "witness.yml");
    }

    private static NodeFiles in(Path dir, String config) {
      return new NodeFiles(dir, dir.resolve(config), dir.resolve("ca.crt"), dir.resolve("node.crt"),
          dir.resolve("node.key"));
    }
  }

  static Path pgData(InitSpec spec, InitSpec.Member m) {
    return spec.dataRoot().resolve(m.name()).resolve("pgdata");
  }

  static Path raftData(InitSpec spec, InitSpec.Member m) {
    return spec.dataRoot().resolve(m.name()).resolve("raft");
  }

  static String render(InitSpec spec, InitSpec.Member m, NodeFiles files, String superuserPassword,
      String replicationPassword) {
    StringBuilder y = new StringBuilder();
    y.append("# Written by pgquorum init for node ").append(m.name()).append(" of cluster ").append(spec.scope())
        .append(".\n# It holds the PostgreSQL passwords: keep it readable by pgquorum's user only (mode 0600).\n")
        .append("scope: ").append(q(spec.scope())).append('\n')
        .append("name: ").append(q(m.name())).append('\n')
        .append("restapi:\n")
        .append("  listen: ").append(q(m.rest())).append('\n')
        .append("  connect_address: ").append(q(m.rest())).append('\n')
        .append("  certfile: ").append(q(files.cert())).append('\n')
        .append("  keyfile: ").append(q(files.key())).append('\n')
        .append("  cafile: ").append(q(files.caCert())).append('\n')
        // required: every client (peers, pgctl, health checks) shows a certificate from the cluster CA. Use
        // optional instead for health checkers that cannot present one (reads then need none; writes still do).
        .append("  verify_client: required\n")
        .append("ctl:\n")
        .append("  certfile: ").append(q(files.cert())).append('\n')
        .append("  keyfile: ").append(q(files.key())).append('\n')
        .append("  cacert: ").append(q(files.caCert())).append('\n')
        .append("raft:\n")
        .append("  self_addr: ").append(q(m.raft())).append('\n')
        .append("  partner_addrs:\n");
    for (String o : spec.raftAddresses()) {
      if (!o.equals(m.raft())) {
        y.append("    - ").append(q(o)).append('\n');
      }
    }
    y.append("  data_dir: ").append(q(raftData(spec, m))).append('\n')
        .append("  tls:\n")
        .append("    certfile: ").append(q(files.cert())).append('\n')
        .append("    keyfile: ").append(q(files.key())).append('\n')
        .append("    cafile: ").append(q(files.caCert())).append('\n')
        .append("bootstrap:\n")
        .append("  dcs:\n")
        .append("    postgresql:\n")
        .append("      use_pg_rewind: true\n")
        .append("      use_slots: true\n")
        .append("  initdb:\n")
        .append("    - encoding: UTF8\n")
        .append("    - data-checksums\n")
        .append("postgresql:\n")
        .append("  listen: ").append(q(m.pg())).append('\n')
        .append("  connect_address: ").append(q(m.pg())).append('\n')
        .append("  data_dir: ").append(q(pgData(spec, m))).append('\n')
        .append("  bin_dir: ").append(q(spec.binDir())).append('\n')
        .append("  pgpass: ").append(q(spec.dataRoot().resolve(m.name()).resolve("pgpass"))).append('\n')
        .append("  authentication:\n")
        .append("    superuser:\n")
        .append("      username: postgres\n")
        .append("      password: ").append(q(superuserPassword)).append('\n')
        .append("    replication:\n")
        .append("      username: replicator\n")
        .append("      password: ").append(q(replicationPassword)).append('\n')
        // pgquorum admits its roles from this host only; replicas clone and stream from the other members, and
        // pg_rewind connects as the superuser from the member it rewinds.
        .append("  pg_hba:\n");
    java.util.Set<String> hosts = new java.util.LinkedHashSet<>();
    spec.members().forEach(o -> hosts.add(o.hostIsIp() ? o.host() + "/32" : o.host()));
    for (String from : hosts) {
      y.append("    - ").append(q("host replication replicator " + from + " scram-sha-256")).append('\n');
      y.append("    - ").append(q("host all postgres " + from + " scram-sha-256")).append('\n');
    }
    return y.toString();
  }

  /**
   * A witness's file ({@code pgquorum witness}): scope, name, its monitoring endpoint (restapi, with the same TLS
   * and client certificates as a node's) and the raft section with mutual TLS, nothing else (no passwords, so it
   * could be world-readable; init still writes it 0600 like every configuration).
   */
  static String renderWitness(InitSpec spec, InitSpec.Witness w, NodeFiles files) {
    StringBuilder y = new StringBuilder();
    y.append("# Written by pgquorum init for witness ").append(w.name()).append(" of cluster ").append(spec.scope())
        .append(".\n# Run it with: pgquorum witness ").append(files.config())
        .append(" (a DCS member only, no PostgreSQL).\n")
        .append("scope: ").append(q(spec.scope())).append('\n')
        .append("name: ").append(q(w.name())).append('\n')
        .append("restapi:\n")
        .append("  listen: ").append(q(w.rest())).append('\n')
        .append("  connect_address: ").append(q(w.rest())).append('\n')
        .append("  certfile: ").append(q(files.cert())).append('\n')
        .append("  keyfile: ").append(q(files.key())).append('\n')
        .append("  cafile: ").append(q(files.caCert())).append('\n')
        // As a node's: health checks show a certificate from the cluster CA (optional lets ones that cannot read).
        .append("  verify_client: required\n")
        .append("raft:\n")
        .append("  self_addr: ").append(q(w.raft())).append('\n')
        .append("  partner_addrs:\n");
    for (String o : spec.raftAddresses()) {
      if (!o.equals(w.raft())) {
        y.append("    - ").append(q(o)).append('\n');
      }
    }
    y.append("  data_dir: ").append(q(spec.dataRoot().resolve(w.name()).resolve("raft"))).append('\n')
        .append("  tls:\n")
        .append("    certfile: ").append(q(files.cert())).append('\n')
        .append("    keyfile: ").append(q(files.key())).append('\n')
        .append("    cafile: ").append(q(files.caCert())).append('\n');
    return y.toString();
  }

  /** YAML single-quoted scalar: only the quote itself needs escaping (doubled). */
  static String q(Object value) {
    return "'" + String.valueOf(value).replace("'", "''") + "'";
  }
}
