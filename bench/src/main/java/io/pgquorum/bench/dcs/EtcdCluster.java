package io.pgquorum.bench.dcs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgquorum.testkit.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * N etcd members as processes on 127.0.0.1 with kernel-chosen client and peer ports, one data directory and one
 * log file each under a given directory. Started healthy (every member answers {@code /health} with
 * {@code "true"}, which needs an elected leader), stopped by PID.
 *
 * <p>Durability: etcd's defaults are kept, so every Raft batch is fsynced to the write-ahead log before it is
 * acknowledged (etcd 3.4 has no switch to turn that off).
 */
public final class EtcdCluster implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final MemberProcesses processes = new MemberProcesses("etcd");
  private final List<String> clientUrls = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private EtcdCluster() {}

  /** Starts {@code members} members of the etcd binary {@code etcd} under {@code dir} and waits until healthy. */
  public static EtcdCluster start(Path etcd, int members, Path dir) throws IOException {
    if (!Files.isExecutable(etcd)) {
      throw new IllegalStateException("etcd is not installed at " + etcd
          + " (apt-get install etcd-server, or set PGQUORUM_BENCH_ETCD)");
    }
    int[] ports = FreePorts.take(2 * members);
    String token = "pgquorum-bench-" + Long.toHexString(System.nanoTime());
    List<String> peers = new ArrayList<>();
    for (int i = 0; i < members; i++) {
      peers.add(name(i) + "=http://127.0.0.1:" + ports[2 * i + 1]);
    }
    String initialCluster = String.join(",", peers);
    EtcdCluster cluster = new EtcdCluster();
    try {
      for (int i = 0; i < members; i++) {
        Path home = Files.createDirectories(dir.resolve(name(i)));
        cluster.clientUrls.add("http://127.0.0.1:" + ports[2 * i]);
        cluster.processes.start(memberCommand(etcd, name(i), ports[2 * i], ports[2 * i + 1], initialCluster,
            home.resolve("data"), token), home.resolve("etcd.log"));
      }
      cluster.awaitHealthy(START_TIMEOUT);
    } catch (IOException | RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /** Member name of member {@code i} (0-based). */
  static String name(int i) {
    return "etcd" + (i + 1);
  }

  /**
   * The etcd command line of one member of a new cluster (pure, for tests). The failover suite's etcd members
   * use it too, so etcd runs the same way in every suite.
   */
  public static List<String> memberCommand(Path etcd, String name, int clientPort, int peerPort, String initialCluster,
      Path dataDir, String token) {
    String client = "http://127.0.0.1:" + clientPort;
    String peer = "http://127.0.0.1:" + peerPort;
    return List.of(etcd.toString(),
        "--name", name,
        "--data-dir", dataDir.toString(),
        "--listen-client-urls", client,
        "--advertise-client-urls", client,
        "--listen-peer-urls", peer,
        "--initial-advertise-peer-urls", peer,
        "--initial-cluster", initialCluster,
        "--initial-cluster-token", token,
        "--initial-cluster-state", "new",
        // capnslog is deprecated in 3.4 and warns about it on every start.
        "--logger", "zap",
        "--log-outputs", "stderr");
  }

  /** Client URLs of all members, in member order. */
  public List<String> clientUrls() {
    return List.copyOf(clientUrls);
  }

  /** PIDs of the member processes. */
  public List<Long> pids() {
    return processes.pids();
  }

  /** Whether every member process has exited (after {@link #close()}). */
  public boolean allGone() {
    return processes.allGone();
  }

  /** The client URL of the member that currently leads, asked through etcd's JSON gateway. */
  public String leaderClientUrl() throws IOException {
    String leader = null;
    List<String> ids = new ArrayList<>();
    for (String url : clientUrls) {
      JsonNode status = post(url + "/v3/maintenance/status");
      ids.add(status.path("header").path("member_id").asText());
      leader = status.path("leader").asText(null);
    }
    int i = ids.indexOf(leader);
    if (i < 0) {
      throw new IOException("no etcd member reports being the leader " + leader + " (members " + ids + ")");
    }
    return clientUrls.get(i);
  }

  private void awaitHealthy(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (String url : clientUrls) {
      String last = "no answer";
      while (true) {
        processes.checkAlive();
        try {
          HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/health"))
              .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
          last = r.statusCode() + " " + r.body().strip();
          if (r.statusCode() == 200 && JSON.readTree(r.body()).path("health").asText().equals("true")) {
            break;
          }
        } catch (IOException e) {
          last = e.toString();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while waiting for etcd", e);
        }
        if (System.nanoTime() > deadline) {
          throw new IOException("etcd member " + url + " not healthy within " + timeout.toSeconds() + " s (last: "
              + last + ")");
        }
        pause();
      }
    }
  }

  private JsonNode post(String url) throws IOException {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
          .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IOException(url + " answered " + r.statusCode() + ": " + r.body());
      }
      return JSON.readTree(r.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while asking " + url, e);
    }
  }

  private static void pause() throws IOException {
    try {
      Thread.sleep(100); // polling period while members start; the loop above has the deadline
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for etcd", e);
    }
  }

  @Override
  public void close() {
    processes.close();
  }
}
