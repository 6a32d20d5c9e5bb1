package io.pgquorum.bench.switchover;

import io.pgquorum.bench.failover.HaCluster.Endpoint;
import io.pgquorum.testkit.FreePorts;
import io.pgquorum.testkit.proc.Deadline;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real HAProxy in front of a bench cluster, configured from the repository's sample ({@code conf/haproxy.cfg}):
 * its {@code global}, {@code defaults} and {@code listen primary} sections as written there (so the bench measures
 * exactly the check settings users copy), with the sample's {@code bind} and {@code server} lines replaced by a free
 * local port and the cluster's nodes. The other sections (stats, replicas) are left out: the switchover suite
 * writes through the primary frontend only.
 */
final class HaproxyFront implements AutoCloseable {
  static final Path HAPROXY = Path.of("/usr/sbin/haproxy");

  private final Process process;
  private final Endpoint front;
  private final Path log;

  private HaproxyFront(Process process, Endpoint front, Path log) {
    this.process = process;
    this.front = front;
    this.log = log;
  }

  static boolean installed() {
    return Files.isExecutable(HAPROXY);
  }

  /** Writes the configuration under {@code dir}, starts HAProxy and waits until its frontend accepts. */
  static HaproxyFront start(Path sample, Path dir, List<Endpoint> postgres, List<Endpoint> rest) throws IOException {
    Files.createDirectories(dir);
    int port = FreePorts.next();
    Path cfg = Files.writeString(dir.resolve("haproxy.cfg"),
        config(Files.readAllLines(sample), port, postgres, rest));
    Path log = dir.resolve("haproxy.log");
    Process p = new ProcessBuilder(HAPROXY.toString(), "-f", cfg.toString(), "-db")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    HaproxyFront f = new HaproxyFront(p, new Endpoint("127.0.0.1", port), log);
    try {
      Deadline.await("HAProxy accepting on port " + port, Duration.ofSeconds(20), Duration.ofMillis(50),
          () -> p.isAlive() && accepts(port), () -> p.isAlive() ? "not accepting" : "exited; see " + log);
      return f;
    } catch (RuntimeException e) {
      f.close();
      throw e;
    }
  }

  /**
   * The sample's global, defaults and primary sections with the bind and server lines replaced; package-private
   * for its test.
   */
  static String config(List<String> sample, int port, List<Endpoint> postgres, List<Endpoint> rest) {
    StringBuilder out = new StringBuilder();
    String section = "";
    boolean serversWritten = false;
    for (String line : sample) {
      String t = line.trim();
      if (t.startsWith("#")) {
        continue;
      }
      if (!line.isEmpty() && !Character.isWhitespace(line.charAt(0))) {
        section = t;
        serversWritten = false;
      }
      boolean keep = section.equals("global") || section.equals("defaults") || section.equals("listen primary");
      if (!keep) {
        continue;
      }
      if (t.startsWith("bind ")) {
        out.append("    bind 127.0.0.1:").append(port).append('\n');
      } else if (t.startsWith("server ")) {
        if (!serversWritten) {
          for (int i = 0; i < postgres.size(); i++) {
            out.append("    server node").append(i + 1).append(' ').append(postgres.get(i)).append(" check addr ")
                .append(rest.get(i).host()).append(" port ").append(rest.get(i).port()).append('\n');
          }
          serversWritten = true;
        }
      } else {
        out.append(line).append('\n');
        if (t.equals("global")) {
          // Server state changes and connections with millisecond times in haproxy.log, to tell where a client
          // outage goes.
          out.append("    log stderr format iso local0\n");
        } else if (t.equals("defaults")) {
          out.append("    log global\n");
        }
      }
    }
    if (!out.toString().contains("listen primary")) {
      throw new IllegalArgumentException("the HAProxy sample has no 'listen primary' section");
    }
    return out.toString();
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  Endpoint front() {
    return front;
  }

  Path log() {
    return log;
  }

  /** Stops the HAProxy this front started (by its own process handle). */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
