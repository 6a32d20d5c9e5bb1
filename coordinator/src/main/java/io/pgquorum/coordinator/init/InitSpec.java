package io.pgquorum.coordinator.init;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What {@code pgquorum init} generates a cluster for, validated: the scope, the members (an odd number, at least
 * three), where the files go and where each node keeps its data.
 *
 * @param output the directory the files are written to (absolute); each node's files go to {@code output/<name>}
 * @param dataRoot each node keeps PostgreSQL's data in {@code dataRoot/<name>/pgdata} and its Raft log in
 *     {@code dataRoot/<name>/raft} (absolute)
 * @param superuserPassword given by the user, else generated
 * @param replicationPassword given by the user, else generated
 */
public record InitSpec(String scope, List<Member> members, Path output, Path dataRoot, String binDir,
    Optional<String> superuserPassword, Optional<String> replicationPassword) {

  public InitSpec {
    members = List.copyOf(members);
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
