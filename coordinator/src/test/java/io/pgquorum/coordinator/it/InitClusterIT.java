package io.pgquorum.coordinator.it;

import static io.pgquorum.coordinator.it.LocalCluster.getHttps;
import static io.pgquorum.coordinator.it.LocalCluster.httpsStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import io.pgquorum.dcs.testing.TestPki;
import io.pgquorum.testkit.RepoRoot;
import io.pgquorum.testkit.net.TlsClients;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, end to end: {@code bin/pgquorum init} writes three loopback nodes' configurations, CA and certificates;
 * every file validates; the three daemons started from exactly those files (nothing edited) form a cluster with
 * one primary and two streaming replicas that answers over HTTPS to a client with the generated CA and a node
 * certificate, and refuses plain HTTP and clients of another CA. Init then refuses to write over its own files.
 */
class InitClusterIT {
  private LocalCluster cluster;

  record Run(int exit, String output) {}

  @AfterEach
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** Runs {@code bin/pgquorum args} without the build's PATRONI_* variables (InitWitnessIT uses it too). */
  static Run pgquorum(List<String> args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(RepoRoot.pgquorumScript().toString());
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("PATRONI_"));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("pgquorum %s finished", args).isTrue();
    return new Run(p.exitValue(), out);
  }

  @Test
  void initWritesAClusterThatRunsOnTlsFromItsFilesAlone() throws Exception {
    // LocalCluster picks the free ports (FreePorts), the directories and the daemons' handling; its own node files
    // are removed, because init writes base/<name>/pgquorum.yml itself and refuses to overwrite a file.
    cluster = new LocalCluster("it-init", 3, 8, false);
    List<String> args = new ArrayList<>(List.of("init", "--scope", cluster.scope));
    for (NodeSpec n : cluster.nodes) {
      Files.delete(n.config());
      args.addAll(List.of("--node", n.name + "=127.0.0.1,rest=" + n.restPort + ",raft=" + n.raftPort
          + ",pg=" + n.pgPort));
    }
    args.addAll(List.of("--output", cluster.base.toString(), "--data-root", cluster.base.toString()));
    Run init = pgquorum(args);
    assertThat(init.exit()).as(init.output()).isZero();
    assertThat(init.output()).contains(cluster.base.resolve("ca.key").toString())
        .doesNotContain("Exception");

    for (NodeSpec n : cluster.nodes) {
      String yaml = Files.readString(n.config());
      // The generated passwords are in the files, and nowhere in what init printed.
      for (String password : passwords(yaml)) {
        assertThat(password).hasSizeGreaterThanOrEqualTo(20);
        assertThat(init.output()).doesNotContain(password);
      }
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(n.config()))).isEqualTo("rw-------");
      Run valid = pgquorum(List.of("--validate-config", n.config().toString()));
      assertThat(valid.exit()).as(valid.output()).isZero();
      assertThat(valid.output()).contains("is valid");
    }

    cluster.startAll();
    NodeSpec node1 = cluster.nodes.get(0);
    Path ca = node1.dir.resolve("ca.crt");
    HttpClient https = TlsClients.mutual(ca, node1.dir.resolve("node.crt"), node1.dir.resolve("node.key"));
    cluster.awaitCondition(Duration.ofSeconds(120), "one primary and two streaming replicas over HTTPS", () ->
        cluster.nodes.stream().filter(n -> httpsStatus(https, n, "/primary") == 200).count() == 1
            && cluster.nodes.stream().filter(n -> httpsStatus(https, n, "/replica?replication_state=streaming") == 200)
            .count() == 2);
    NodeSpec primary = cluster.nodes.stream().filter(n -> httpsStatus(https, n, "/primary") == 200).findFirst()
        .orElseThrow();
    assertThat(getHttps(https, primary, "/cluster").body()).contains("https://127.0.0.1:" + primary.restPort);

    // Plain HTTP gets no answer; a client of another CA is refused whichever side checks: the server's
    // certificate does not verify for it, and its own certificate does not verify for the server.
    assertThat(LocalCluster.get(primary, "/primary").status()).isZero();
    TestPki rogue = TestPki.create(cluster.base.resolve("rogue"), "rogue");
    TestPki.Member stranger = rogue.issue("stranger");
    HttpClient otherCa = TlsClients.mutual(rogue.caCertFile(), stranger.certChain(), stranger.privateKey());
    assertThatThrownBy(() -> getHttps(otherCa, primary, "/primary"))
        .isInstanceOf(IOException.class);
    HttpClient trustsUsWithStrangerCert = TlsClients.mutual(ca, stranger.certChain(), stranger.privateKey());
    assertThatThrownBy(() -> getHttps(trustsUsWithStrangerCert, primary, "/primary"))
        .isInstanceOf(IOException.class);
    assertThatThrownBy(() -> getHttps(TlsClients.trustOnly(ca), primary, "/primary"))
        .isInstanceOf(IOException.class);

    // A second init into the same directory names the first file in the way and writes nothing.
    Run again = pgquorum(args);
    assertThat(again.exit()).as(again.output()).isEqualTo(2);
    assertThat(again.output()).contains(cluster.base.resolve("ca.crt") + " already exists")
        .doesNotContain("Exception");
  }

  private static List<String> passwords(String yaml) {
    List<String> found = new ArrayList<>();
    Matcher m = Pattern.compile("password: '([^']+)'").matcher(yaml);
    while (m.find()) {
      found.add(m.group(1));
    }
    assertThat(found).as("superuser and replication passwords in\n" + yaml).hasSize(2);
    return found;
  }
}
