package io.pgquorum.coordinator.init;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What {@code pgquorum init} generates a cluster for, validated: the scope, the database nodes and the witnesses
 * (DCS members without PostgreSQL; together an odd number of Raft voters, at least three, with at least two
 * database nodes), where the files go and where each member keeps its data.
 *
 * @param output the directory the files are written to (absolute); each node's files go to {@code output/<name>}
 * @param dataRoot each node keeps PostgreSQL's data in {@code dataRoot/<name>/pgdata} and its Raft log in
 *     {@code dataRoot/<name>/raft} (absolute)
 * @param witnesses DCS-only members ({@code pgquorum witness}); their Raft log goes to {@code dataRoot/<name>/raft}
 * @param superuserPassword given by the user, else generated
 * @param replicationPassword given by the user, else generated
 */
public record InitSpec(String scope, List<Member> members, List<Witness> witnesses, Path output, Path dataRoot,
    String binDir, Optional<String> superuserPassword, Optional<String> replicationPassword) {

  public InitSpec {
    members = List.copyOf(members);
    witnesses = List.copyOf(witnesses);
  }

  /** A cluster without witnesses. */
  public InitSpec(String scope, List<Member> members, Path output, Path dataRoot, String binDir,
      Optional<String> superuserPassword, Optional<String> replicationPassword) {
    this(scope, members, List.of(), output, dataRoot, binDir, superuserPassword, replicationPassword);
  }

  /** Every Raft voter's address, the database nodes' first, as the members' {@code partner_addrs} list them. */
  public List<String> raftAddresses() {
    List<String> all = new java.util.ArrayList<>(members.stream().map(Member::raft).toList());
    witnesses.forEach(w -> all.add(w.raft()));
    return all;
  }

  /**
   * A witness: its name, the host the members reach it at, its Raft port and the port of its monitoring endpoint
   * ({@code restapi}: liveness, health, metrics).
   */
  public record Witness(String name, String host, int raftPort, int restPort) {
    public String raft() {
      return host + ":" + raftPort;
    }

    public String rest() {
      return host + ":" + restPort;
    }

    public boolean hostIsIp() {
      return InitArgs.isIpv4(host);
    }
  }

  /** One node: its name, the host other members and clients reach it at, and its three ports. */
  public record Member(String name, String host, int restPort, int raftPort, int pgPort) {
    public String rest() {
      return host + ":" + restPort;
    }

    public String raft() {
      return host + ":" + raftPort;
    }

    public String pg() {
      return host + ":" + pgPort;
    }

    /** Whether {@link #host} is an IPv4 literal (else a DNS name): it decides the kind of the certificate's SAN. */
    public boolean hostIsIp() {
      return InitArgs.isIpv4(host);
    }
  }
}
