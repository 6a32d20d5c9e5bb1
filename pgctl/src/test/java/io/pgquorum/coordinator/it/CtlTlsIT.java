package io.pgquorum.coordinator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import io.pgquorum.dcs.testing.TestPki;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * pgctl against a real daemon whose REST API is served over HTTPS (a certificate of a CA made here) with HTTP
 * Basic authentication, as patronictl users configure it: the node's file has a {@code ctl} section trusting the
 * CA ({@code ctl.cacert}) and the REST credentials ({@code ctl.authentication}). With it, pause/resume (PATCH
 * /config), restart (POST /restart), reload and version work; with a copy of the file trusting another CA they
 * stop with one error line, naming the CA file; with a wrong password the API's 401 is shown in patronictl's
 * words and nothing changes. No password ever reaches pgctl's output.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CtlTlsIT {
  static final int TTL = 8;
  static final String SCOPE = "it-ctltls";
  static final String PASSWORD = "rest-Secret-1";
  static final String WRONG_PASSWORD = "wrong-Secret-2";
  LocalCluster cluster;
  NodeSpec node;
  TestPki rogue;
  Path good;
  Path wrongCa;
  Path wrongPassword;
  /** The real outputs, for the record. */
  Path transcript;

  record Run(int exit, String out, String err) {}

  @BeforeAll
  void start() throws Exception {
    cluster = new LocalCluster(SCOPE, 1, TTL, false);
    node = cluster.nodes.get(0);
    TestPki pki = TestPki.create(cluster.base.resolve("pki"), "cluster");
    rogue = TestPki.create(cluster.base.resolve("pki-rogue"), "rogue");
    TestPki.Member cert = pki.issue(node.name);
    String yaml = Files.readString(node.config()).replace("restapi:\n", "restapi:\n"
        + "  certfile: " + cert.certChain() + "\n"
        + "  keyfile: " + cert.privateKey() + "\n"
        + "  authentication: {username: admin, password: " + PASSWORD + "}\n");
    Files.writeString(node.config(), yaml + "ctl:\n  cacert: " + pki.caCertFile() + "\n"
        + "  authentication: {username: admin, password: " + PASSWORD + "}\n");
    good = node.config();
    wrongCa = node.dir.resolve("ctl-wrong-ca.yml");
    Files.writeString(wrongCa, yaml + "ctl:\n  cacert: " + rogue.caCertFile() + "\n"
        + "  authentication: {username: admin, password: " + PASSWORD + "}\n");
    wrongPassword = node.dir.resolve("ctl-wrong-password.yml");
    Files.writeString(wrongPassword, yaml + "ctl:\n  cacert: " + pki.caCertFile() + "\n"
        + "  authentication: {username: admin, password: " + WRONG_PASSWORD + "}\n");
    transcript = Path.of("target", "ctl-tls-it-pgctl.txt");
    Files.createDirectories(transcript.getParent());
    Files.writeString(transcript, "");
    cluster.startAll();
  }

  @AfterAll
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** {@code pgctl -c FILE ARGS}: pgctl's whole command path, in this JVM (see InProcess). */
  Run pgctl(Path file, String... args) throws IOException {
    List<String> all = new ArrayList<>(List.of("-c", file.toString()));
    all.addAll(List.of(args));
    String[] r = io.pgquorum.pgctl.InProcess.run(all.toArray(String[]::new));
    Run run = new Run(Integer.parseInt(r[0]), r[1], r[2]);
    Files.writeString(transcript, "$ pgctl -c " + file.getFileName() + " " + String.join(" ", args) + "\n"
        + run.out() + run.err() + "(exit " + run.exit() + ")\n\n", StandardCharsets.UTF_8,
        StandardOpenOption.APPEND);
    assertThat(run.out() + run.err()).doesNotContain(PASSWORD, WRONG_PASSWORD);
    return run;
  }

  private String showConfig() throws IOException {
    Run show = pgctl(good, "show-config");
    assertThat(show.exit()).as(show.err()).isZero();
    return show.out();
  }

  @Test
  @Order(1)
  void theLeaderPublishesAnHttpsApiUrl() throws Exception {
    await("a writable primary").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
        .until(() -> LocalCluster.tryExecute(node, "CREATE TABLE IF NOT EXISTS it_ctl (v int)"));
    // The first DCS client of this JVM loads Ratis; on a loaded machine that alone can outlast pgctl's DCS
    // timeout. A read-only command is retried until it gets through (and the leader runs).
    AtomicReference<Run> list = new AtomicReference<>();
    await("pgctl list shows the running leader").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
        .until(() -> {
          list.set(pgctl(good, "list"));
          return list.get().exit() == 0
              && java.util.regex.Pattern.compile("\\| Leader +\\| running +\\|").matcher(list.get().out()).find();
        });
    // The REST API answers plain HTTP no more: what pgctl reaches is the https api_url.
    assertThat(LocalCluster.get(node, "/patroni").status()).isZero();
  }

  @Test
  @Order(2)
  void pauseAndResumeWithTheRightCaAndPassword() throws Exception {
    Run pause = pgctl(good, "pause", "--wait");
    assertThat(pause.exit()).as(pause.err()).isZero();
    assertThat(pause.out()).isEqualTo("'pause' request sent, waiting until it is recognized by all nodes\n"
        + "Success: cluster management is paused\n");
    assertThat(pause.err()).isEmpty();
    assertThat(showConfig()).contains("pause: true\n");
  }

  @Test
  @Order(3)
  void aWrongCaOrPasswordChangesNothing() throws Exception {
    Run untrusted = pgctl(wrongCa, "resume");
    assertThat(untrusted.exit()).isEqualTo(1);
    assertThat(untrusted.out()).isEmpty();
    assertThat(untrusted.err()).isEqualTo("TLS handshake with https://127.0.0.1:" + node.restPort + " failed: its "
        + "certificate is not signed by a trusted CA (trusted: ctl.cacert " + rogue.caCertFile() + "; -k skips "
        + "the check)\nMember " + node.name + " is not accessible\n"
        + "Error: Can not find accessible cluster member\n");

    Run refused = pgctl(wrongPassword, "resume");
    assertThat(refused.exit()).isZero(); // patronictl's exit status for a refused pause/resume
    assertThat(refused.out()).isEqualTo("Failed: resume cluster management status code=401, (authentication "
        + "required)\n");
    assertThat(showConfig()).contains("pause: true\n");

    Run restartUntrusted = pgctl(wrongCa, "restart", SCOPE, "--force");
    assertThat(restartUntrusted.exit()).isEqualTo(1);
    assertThat(restartUntrusted.err()).isEqualTo("Error: TLS handshake with https://127.0.0.1:" + node.restPort
        + " failed: its certificate is not signed by a trusted CA (trusted: ctl.cacert " + rogue.caCertFile()
        + "; -k skips the check)\n");
    Run restartRefused = pgctl(wrongPassword, "restart", SCOPE, "--force");
    assertThat(restartRefused.exit()).isZero();
    assertThat(restartRefused.out()).endsWith("Failed: restart for member " + node.name + ", status code=401, "
        + "(authentication required)\n");

    Run version = pgctl(wrongCa, "version", SCOPE);
    assertThat(version.out()).contains(node.name + ": failed to get version: TLS handshake with https://127.0.0.1:"
        + node.restPort + " failed: its certificate is not signed by a trusted CA");

    // -k (patronictl's --insecure) skips the server check: the right password then gets through.
    Run insecure = pgctl(wrongCa, "-k", "resume");
    assertThat(insecure.exit()).as(insecure.err()).isZero();
    assertThat(insecure.out()).isEqualTo("Success: cluster management is resumed\n");
    assertThat(showConfig()).doesNotContain("pause");
  }

  @Test
  @Order(4)
  void restartAndReloadWithTheRightCaAndPassword() throws Exception {
    String started = startTime();
    assertThat(started).isNotEmpty();
    Run restart = pgctl(good, "restart", SCOPE, "--force");
    assertThat(restart.exit()).as(restart.err()).isZero();
    assertThat(restart.out()).endsWith("Success: restart on member " + node.name + "\n");
    assertThat(restart.err()).isEmpty();
    await("PostgreSQL restarted").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
        .until(() -> !started.equals(startTime()));

    Run version = pgctl(good, "version", SCOPE);
    assertThat(version.exit()).as(version.err()).isZero();
    assertThat(version.out()).containsPattern(node.name + ": pgquorum \\S+ PostgreSQL 15\\.\\d+\n");

    Run reload = pgctl(good, "reload", SCOPE, "--force");
    assertThat(reload.exit()).as(reload.err()).isZero();
    assertThat(reload.out()).containsPattern("(No changes to apply on member " + node.name + "|Reload request "
        + "received for member " + node.name + " and will be processed within \\d+ seconds)\n$");
  }

  /** The postmaster's start time as PostgreSQL reports it ("" while it does not answer). */
  private String startTime() {
    try (var c = LocalCluster.connect(node); var s = c.createStatement();
        var r = s.executeQuery("SELECT pg_postmaster_start_time()::text")) {
      return r.next() ? r.getString(1) : "";
    } catch (java.sql.SQLException e) {
      return "";
    }
  }
}
