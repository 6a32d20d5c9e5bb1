package io.pgquorum.coordinator.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.coordinator.config.RestApiConfig.VerifyClient;
import io.pgquorum.coordinator.ha.NodeStatus;
import io.pgquorum.dcs.testing.TestPki;
import io.pgquorum.testkit.FreePorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real HAProxy health-checks the HTTPS REST API the way Patroni's docs configure it ({@code option httpchk GET
 * /primary}, {@code check-ssl verify none}, no client certificate), with {@code verify_client: optional}: the
 * node is UP while primary and DOWN once it is not. HAProxy is part of the test environment
 * ({@code .ci/run} installs it).
 */
class HaproxyHealthCheckTest {
  private static final Path HAPROXY = Path.of("/usr/sbin/haproxy");

  @TempDir
  Path dir;

  @Test
  void haproxyWithCheckSslVerifyNoneSeesThePrimaryUpThenDown() throws Exception {
    assertThat(HAPROXY).as("HAProxy is needed for this test (apt-get install haproxy)").isExecutable();
    TestPki pki = TestPki.create(dir.resolve("pki"), "cluster");
    AtomicReference<NodeStatus> status = new AtomicReference<>(Fixtures.primary());
    try (RestServer api = RestServer.start(TlsFixtures.config(TlsFixtures.tls(pki.issue("node1"),
        Optional.of(pki.caCertFile()), VerifyClient.OPTIONAL)), status::get, AdminActions.unsupported())) {
      int stats = FreePorts.next();
      int front = FreePorts.next();
      Path cfg = Files.writeString(dir.resolve("haproxy.cfg"), String.join("\n",
          "defaults",
          "  mode tcp",
          "  timeout connect 2s",
          "  timeout client 5s",
          "  timeout server 5s",
          "frontend stats",
          "  mode http",
          "  bind 127.0.0.1:" + stats,
          "  stats enable",
          "  stats uri /stats",
          "listen primary",
          "  bind 127.0.0.1:" + front,
          "  option httpchk GET /primary",
          "  http-check expect status 200",
          "  default-server inter 200ms fall 2 rise 1",
          "  server node1 127.0.0.1:" + FreePorts.next() + " check port " + api.port() + " check-ssl verify none",
          ""));
      Process haproxy = new ProcessBuilder(HAPROXY.toString(), "-f", cfg.toString(), "-db")
          .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.log").toFile()).start();
      try {
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
            .until(() -> serverStatus(http, stats), s -> s.startsWith("UP"));
        status.set(Fixtures.replica());
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
            .until(() -> serverStatus(http, stats), s -> s.startsWith("DOWN"));
        assertThat(haproxy.isAlive()).as("HAProxy ran throughout; its log: " + dir.resolve("haproxy.log"))
            .isTrue();
      } finally {
        haproxy.destroy();
        if (!haproxy.waitFor(10, TimeUnit.SECONDS)) {
          haproxy.destroyForcibly();
        }
      }
    }
  }

  /** The status column of server node1 in HAProxy's CSV statistics ("UP", "DOWN", "UP 1/2", ...). */
  private static String serverStatus(HttpClient http, int statsPort) throws Exception {
    String csv = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + statsPort + "/stats;csv"))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
    String[] header = csv.lines().findFirst().orElse("").replaceFirst("^# ", "").split(",");
    int column = java.util.Arrays.asList(header).indexOf("status");
    return csv.lines().filter(l -> l.startsWith("primary,node1,")).findFirst()
        .map(l -> l.split(",", -1)[column]).orElse("missing");
  }

}
