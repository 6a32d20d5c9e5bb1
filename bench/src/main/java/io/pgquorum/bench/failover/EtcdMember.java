package io.pgquorum.bench.failover;

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

  /** The command line, etcd's own defaults otherwise (heartbeat 100 ms, election timeout 1000 ms). */
  public List<String> command(Path etcd, List<EtcdMember> all, String token) {
    StringBuilder cluster = new StringBuilder();
    for (EtcdMember m : all) {
      cluster.append(cluster.length() == 0 ? "" : ",").append(m.name).append('=').append(m.peerUrl());
    }
    return new ArrayList<>(List.of(etcd.toString(), "--name", name, "--data-dir", dataDir.toString(),
        "--listen-client-urls", clientUrl(), "--advertise-client-urls", clientUrl(),
        "--listen-peer-urls", peerUrl(), "--initial-advertise-peer-urls", peerUrl(),
        "--initial-cluster", cluster.toString(), "--initial-cluster-state", "new",
        "--initial-cluster-token", token));
  }

  /** Starts the process with its output appended to {@code log}. */
  public Process start(Path etcd, List<EtcdMember> all, String token, Path log) throws IOException {
    return new ProcessBuilder(command(etcd, all, token)).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
  }
}
