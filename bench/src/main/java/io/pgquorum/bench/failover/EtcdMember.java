package io.pgquorum.bench.failover;

import io.pgquorum.bench.dcs.EtcdCluster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One etcd member on 127.0.0.1. The first start forms the cluster from {@code initialCluster}; later starts reuse
 * the data directory (etcd ignores the initial-cluster flags then), as a restarted member would.
 *
 * @param name member name
 * @param clientPort client port
 * @param peerPort peer port
 * @param dataDir data directory
 */
public record EtcdMember(String name, int clientPort, int peerPort, Path dataDir) {

  /** The peer URL other members dial. */
  public String peerUrl() {
    return "http://127.0.0.1:" + peerPort;
  }

  /** The client URL. */
  public String clientUrl() {
    return "http://127.0.0.1:" + clientPort;
  }

  /** The command line: the same as the dcs suite's members ({@link EtcdCluster#memberCommand}). */
  public List<String> command(Path etcd, List<EtcdMember> all, String token) {
    StringBuilder cluster = new StringBuilder();
    for (EtcdMember m : all) {
      cluster.append(cluster.length() == 0 ? "" : ",").append(m.name).append('=').append(m.peerUrl());
    }
    return new ArrayList<>(EtcdCluster.memberCommand(etcd, name, clientPort, peerPort, cluster.toString(),
        dataDir, token));
  }

  /** Starts the process with its output appended to {@code log}. */
  public Process start(Path etcd, List<EtcdMember> all, String token, Path log) throws IOException {
    return new ProcessBuilder(command(etcd, all, token)).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
  }
}
