package io.pgquorum.dcs.ratis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pgquorum.dcs.api.DcsUnavailableException;
import io.pgquorum.dcs.api.KeyValue;
import io.pgquorum.dcs.testing.RatisTestCluster;
import io.pgquorum.dcs.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mutual TLS on every DCS connection: members and clients with the group's CA work, others are refused. */
class TlsGroupTest {

  @Test
  void aGroupRunsOverMutualTlsAndRefusesPeersWithAWrongCertificate(@TempDir Path dir) throws Exception {
    TestPki pki = TestPki.create(dir.resolve("pki"), "cluster");
    TestPki rogue = TestPki.create(dir.resolve("rogue"), "rogue");
    // m3 carries a certificate from a CA the others do not trust: it must never join the majority.
    try (RatisTestCluster cluster = RatisTestCluster.create("tls-" + System.nanoTime(), 3, DcsTuning.defaults(),
        name -> (name.equals("m3") ? rogue : pki).issue(name).tlsFiles())) {
      // m3 cannot talk to anyone, so it never learns whether the group is new: its start keeps waiting.
      CompletableFuture<DcsServer> rogueStart = cluster.startMemberAsync("m3");
      cluster.startConcurrently(List.of("m1", "m2"));
      String leader = cluster.awaitLeader(Duration.ofSeconds(30));
      assertThat(leader).isIn("m1", "m2");

      RatisDcsClient good = cluster.client("good", "m1", Duration.ofSeconds(10));
      long rev = good.put("/tls", "works").revision();
      assertThat(good.get("/tls")).map(KeyValue::value).contains("works");
      // m2 got the entry over TLS; m3 (rogue certificate) never receives anything: it is still waiting to
      // hear from a majority, with no division of the group.
      await().atMost(Duration.ofSeconds(10)).until(() -> cluster.member("m2").lastAppliedIndex() >= rev);
      assertThat(rogueStart).isNotDone();
      assertThat(cluster.member("m3")).isNull();

      // A client with a rogue certificate is refused by the members.
      RatisDcsClient intruder = RatisDcsClient.connect(DcsClientConfig.builder()
          .groupName(cluster.group())
          .members(List.of(cluster.address("m1"), cluster.address("m2")))
          .tls(rogue.issue("intruder").tlsFiles())
          .operationTimeout(Duration.ofSeconds(2))
          .build(), "intruder");
      try (intruder) {
        assertThatThrownBy(() -> intruder.put("/tls", "hijacked")).isInstanceOf(DcsUnavailableException.class);
      }
      // So is a plaintext client.
      RatisDcsClient plaintext = RatisDcsClient.connect(DcsClientConfig.builder()
          .groupName(cluster.group())
          .members(List.of(cluster.address("m1"), cluster.address("m2")))
          .operationTimeout(Duration.ofSeconds(2))
          .build(), "plaintext");
      try (plaintext) {
        assertThatThrownBy(() -> plaintext.get("/tls")).isInstanceOf(DcsUnavailableException.class);
      }
      assertThat(good.get("/tls")).map(KeyValue::value).contains("works");
    }
  }

  @Test
  void missingTlsFilesAreNamedInTheError(@TempDir Path dir) {
    Path missing = dir.resolve("nope.crt");
    assertThatThrownBy(() -> DcsServerConfig.builder().groupName("g").selfAddr("127.0.0.1:7001")
        .dataDir(dir).tls(new TlsFiles(missing, missing, missing)).build())
        .hasMessageContaining("raft.tls.certfile").hasMessageContaining(missing.toString());
    assertThat(Files.exists(missing)).isFalse();
  }
}
