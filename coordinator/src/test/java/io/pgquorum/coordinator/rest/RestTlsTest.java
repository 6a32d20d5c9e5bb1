package io.pgquorum.coordinator.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgquorum.coordinator.config.ConfigException;
import io.pgquorum.coordinator.config.Credentials;
import io.pgquorum.coordinator.config.HostPort;
import io.pgquorum.coordinator.config.RestApiConfig;
import io.pgquorum.coordinator.config.RestApiConfig.VerifyClient;
import io.pgquorum.coordinator.ha.NodeStatus;
import io.pgquorum.coordinator.ha.PeerView;
import io.pgquorum.dcs.testing.TestPki;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 (hole 7): the REST API serves HTTPS with Patroni's keys, asks for client certificates as
 * verify_client says, and peers (and pgctl) speak TLS to it. Real certificates from the shared test CA, real
 * handshakes on loopback.
 */
class RestTlsTest {
  /** See peersAskEachOtherOverTlsPresentingTheirCertificate. */
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  @TempDir
  Path dir;

  private TestPki pki;
  private TestPki.Member node;
  private TestPki.Member ops;
  private TestPki rogue;
  private final RecordingAdmin admin = new RecordingAdmin();
  private final NodeStatus status = Fixtures.primary();
  private final List<RestServer> servers = new ArrayList<>();

  @BeforeEach
  void pki() {
    pki = TestPki.create(dir.resolve("pki"), "cluster");
    node = pki.issue("node1");
    ops = pki.issue("ops");
    rogue = TestPki.create(dir.resolve("rogue"), "rogue");
  }

  @AfterEach
  void stop() {
    servers.forEach(RestServer::close);
  }

  private RestServer start(RestApiConfig config) {
    RestServer s = RestServer.start(config, () -> status, admin);
    servers.add(s);
    return s;
  }

  private static String url(RestServer s, String path) {
    return "https://127.0.0.1:" + s.port() + path;
  }

  private HttpClient trusting(Optional<TestPki.Member> cert) {
    return TlsFixtures.client(RestTls.client(TlsFixtures.clientConfig(
        TlsFixtures.ctl(cert, Optional.of(pki.caCertFile()), false)), false));
  }

  @Test
  void servesHttpsOnlyAndTheApiUrlSaysSo() throws Exception {
    RestApiConfig config = TlsFixtures.config(TlsFixtures.tls(node, Optional.empty(), VerifyClient.NONE));
    RestServer s = start(config);
    assertThat(config.apiUrl()).startsWith("https://");

    assertThat(TlsFixtures.send(trusting(Optional.empty()), "GET", url(s, "/primary")).statusCode()).isEqualTo(200);
    assertThat(TlsFixtures.send(trusting(Optional.empty()), "GET", url(s, "/patroni")).body())
        .contains("\"role\":\"primary\"");
    // Plain HTTP to the HTTPS port gets nothing.
    assertThatThrownBy(() -> new TestHttp(s.port()).send("GET", "/primary")).isInstanceOf(IOException.class);
    // A client that trusts another CA refuses the server.
    HttpClient wrongCa = TlsFixtures.client(RestTls.client(TlsFixtures.clientConfig(
        TlsFixtures.ctl(Optional.empty(), Optional.of(rogue.caCertFile()), false)), false));
    assertThatThrownBy(() -> TlsFixtures.send(wrongCa, "GET", url(s, "/primary"))).isInstanceOf(IOException.class);
  }

  @Test
  void verifyClientRequiredNeedsACertificateFromTheCaForEveryRequest() throws Exception {
    RestServer s = start(TlsFixtures.config(TlsFixtures.tls(node, Optional.of(pki.caCertFile()),
        VerifyClient.REQUIRED)));
    assertThatThrownBy(() -> TlsFixtures.send(trusting(Optional.empty()), "GET", url(s, "/health")))
        .isInstanceOf(IOException.class);
    TestPki.Member intruder = rogue.issue("intruder");
    assertThatThrownBy(() -> TlsFixtures.send(trusting(Optional.of(intruder)), "GET", url(s, "/health")))
        .isInstanceOf(IOException.class);
    HttpClient withCert = trusting(Optional.of(ops));
    assertThat(TlsFixtures.send(withCert, "GET", url(s, "/health")).statusCode()).isEqualTo(200);
    assertThat(TlsFixtures.send(withCert, "POST", url(s, "/reload")).statusCode()).isEqualTo(202);
  }

  @Test
  void verifyClientOptionalServesHealthChecksWithoutACertificateButNotWrites() throws Exception {
    RestApiConfig config = new RestApiConfig(new HostPort("127.0.0.1", 0), new HostPort("127.0.0.1", 8008),
        Optional.of(Credentials.of("admin", "api-Secret")), List.of(), false,
        Optional.of(TlsFixtures.tls(node, Optional.of(pki.caCertFile()), VerifyClient.OPTIONAL)));
    RestServer s = start(config);
    // A load balancer's check: no certificate, and (like HAProxy's check-ssl verify none) no server check.
    HttpClient healthCheck = TlsFixtures.client(RestTls.client(TlsFixtures.clientConfig(
        TlsFixtures.ctl(Optional.empty(), Optional.empty(), true)), false));
    assertThat(TlsFixtures.send(healthCheck, "GET", url(s, "/primary")).statusCode()).isEqualTo(200);
    var noCert = TlsFixtures.send(healthCheck, "POST", url(s, "/reload"));
    assertThat(noCert.statusCode()).isEqualTo(403);
    assertThat(noCert.body()).contains("client certificate required");
    // With a certificate, the next gate is authentication.
    assertThat(TlsFixtures.send(trusting(Optional.of(ops)), "POST", url(s, "/reload")).statusCode())
        .isEqualTo(401);
    assertThat(admin.calls).isEmpty();
  }

  @Test
  void peersAskEachOtherOverTlsPresentingTheirCertificate() throws Exception {
    RestServer s = start(TlsFixtures.config(TlsFixtures.tls(node, Optional.of(pki.caCertFile()),
        VerifyClient.REQUIRED)));
    Map<String, String> urls = Map.of("n2", url(s, "/patroni"));
    // Generous: the connect timeout covers the handshake, and a cold JVM's first handshakes are slow on a busy
    // machine. The race's real bound is tested in PeerClientTest.
    Duration timeout = Duration.ofSeconds(10);
    // The node's own restapi files (certificate and CA) are used when no ctl section says otherwise.
    SSLContext peer = RestTls.client(withServerTls(TlsFixtures.tls(ops, Optional.of(pki.caCertFile()),
        VerifyClient.REQUIRED)), false);
    List<PeerView> views = PeerClient.fetchAll(urls, timeout, peer);
    assertThat(views).singleElement().satisfies(v -> {
      assertThat(v.reachable()).isTrue();
      assertThat(v.role()).contains("primary");
    });
    SSLContext noCertificate = RestTls.client(TlsFixtures.clientConfig(
        TlsFixtures.ctl(Optional.empty(), Optional.of(pki.caCertFile()), false)), false);
    assertThat(PeerClient.fetchAll(urls, timeout, noCertificate).get(0).reachable()).isFalse();
  }

  @Test
  void theHostNameIsCheckedUnlessInsecure() throws Exception {
    RestApiConfig config = new RestApiConfig(new HostPort("0.0.0.0", 0), new HostPort("127.0.0.1", 8008),
        Optional.empty(), List.of(), false, Optional.of(TlsFixtures.tls(node, Optional.empty(), VerifyClient.NONE)));
    RestServer s = start(config);
    // 127.0.0.2 is loopback too, but not in the certificate (localhost, 127.0.0.1, node1).
    Map<String, String> urls = Map.of("n2", "https://127.0.0.2:" + s.port() + "/patroni");
    SSLContext checking = RestTls.client(TlsFixtures.clientConfig(
        TlsFixtures.ctl(Optional.empty(), Optional.of(pki.caCertFile()), false)), false);
    assertThat(PeerClient.fetchAll(urls, TIMEOUT, checking).get(0).reachable()).isFalse();
    SSLContext insecure = RestTls.client(TlsFixtures.clientConfig(
        TlsFixtures.ctl(Optional.empty(), Optional.empty(), true)), false);
    assertThat(PeerClient.fetchAll(urls, TIMEOUT, insecure).get(0).reachable()).isTrue();
    SSLContext minusK = RestTls.client(TlsFixtures.clientConfig(
        TlsFixtures.ctl(Optional.empty(), Optional.of(pki.caCertFile()), false)), true);
    assertThat(PeerClient.fetchAll(urls, TIMEOUT, minusK).get(0).reachable()).isTrue();
  }

  @Test
  void keyFormatsPatroniUsersHave() throws Exception {
    PrivateKeyHolder key = new PrivateKeyHolder(node.privateKey());
    // certfile holding the key too, no keyfile (Patroni allows it).
    Path combined = Files.writeString(dir.resolve("combined.pem"), Files.readString(node.certChain())
        + Files.readString(node.privateKey()));
    assertServes(new RestApiConfig.Tls(combined, Optional.empty(), Optional.empty(), Optional.empty(),
        VerifyClient.NONE));
    // Encrypted PKCS#8 with keyfile_password.
    Path encrypted = TlsFixtures.encryptedKey(dir, key.get(), "key-Secret-1");
    assertServes(new RestApiConfig.Tls(node.certChain(), Optional.of(encrypted), Optional.of("key-Secret-1"),
        Optional.empty(), VerifyClient.NONE));
    // PKCS#1 RSA ("BEGIN RSA PRIVATE KEY"), what older openssl genrsa writes.
    TestPki rsa = TestPki.create(dir.resolve("rsa"), "rsa", TestPki.KeyType.RSA_2048);
    TestPki.Member rsaNode = rsa.issue("node1");
    Path traditional = TlsFixtures.traditionalKey(dir, new PrivateKeyHolder(rsaNode.privateKey()).get());
    assertThat(Files.readString(traditional)).startsWith("-----BEGIN RSA PRIVATE KEY-----");
    assertServes(new RestApiConfig.Tls(rsaNode.certChain(), Optional.of(traditional), Optional.empty(),
        Optional.empty(), VerifyClient.NONE));
  }

  @Test
  void unusableFilesStopTheStartNamingTheKeyAndNeverThePassword() throws Exception {
    Path encrypted = TlsFixtures.encryptedKey(dir, new PrivateKeyHolder(node.privateKey()).get(), "key-Secret-2");
    assertRefused(new RestApiConfig.Tls(node.certChain(), Optional.of(encrypted), Optional.of("wrong-Secret-3"),
        Optional.empty(), VerifyClient.NONE), "restapi.keyfile: ", "cannot decrypt the key (wrong "
            + "restapi.keyfile_password");
    assertRefused(new RestApiConfig.Tls(node.certChain(), Optional.of(encrypted), Optional.empty(),
        Optional.empty(), VerifyClient.NONE), "restapi.keyfile: ", "holds an encrypted key: set "
            + "restapi.keyfile_password");
    assertRefused(new RestApiConfig.Tls(node.certChain(), Optional.of(ops.privateKey()), Optional.empty(),
        Optional.empty(), VerifyClient.NONE), "restapi.keyfile: ", "is not the private key of the certificate in "
            + "restapi.certfile");
    assertRefused(new RestApiConfig.Tls(dir.resolve("missing.crt"), Optional.of(node.privateKey()),
        Optional.empty(), Optional.empty(), VerifyClient.NONE), "restapi.certfile: ", "missing.crt does not exist");
    assertRefused(new RestApiConfig.Tls(node.privateKey(), Optional.of(node.privateKey()), Optional.empty(),
        Optional.empty(), VerifyClient.NONE), "restapi.certfile: ", "holds no PEM certificate");
    assertRefused(new RestApiConfig.Tls(node.certChain(), Optional.of(node.privateKey()), Optional.empty(),
        Optional.of(node.privateKey()), VerifyClient.OPTIONAL), "restapi.cafile: ", "holds no PEM certificate");
  }

  private void assertServes(RestApiConfig.Tls tls) throws Exception {
    RestServer s = start(TlsFixtures.config(tls));
    HttpClient insecure = TlsFixtures.client(RestTls.client(TlsFixtures.clientConfig(
        TlsFixtures.ctl(Optional.empty(), Optional.empty(), true)), false));
    assertThat(TlsFixtures.send(insecure, "GET", url(s, "/health")).statusCode()).isEqualTo(200);
  }

  private void assertRefused(RestApiConfig.Tls tls, String key, String text) {
    assertThatThrownBy(() -> start(TlsFixtures.config(tls))).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(key).hasMessageContaining(text).hasMessageNotContaining("Secret");
  }

  private io.pgquorum.coordinator.config.NodeConfig withServerTls(RestApiConfig.Tls tls) {
    io.pgquorum.coordinator.config.NodeConfig base = TlsFixtures.clientConfig(
        io.pgquorum.coordinator.config.CtlConfig.none());
    RestApiConfig api = new RestApiConfig(base.restapi().listen(), base.restapi().connectAddress(),
        Optional.empty(), List.of(), false, Optional.of(tls));
    return new io.pgquorum.coordinator.config.NodeConfig(base.scope(), base.namespace(), base.name(), api,
        base.raft(), base.bootstrap(), base.postgresql(), base.tags(), base.log(), base.watchdog(), base.ctl(),
        base.warnings());
  }

  /** Reads a PKCS#8 key file back with the code under test's reader. */
  private record PrivateKeyHolder(Path file) {
    java.security.PrivateKey get() {
      return PemFiles.privateKey("test", file, Optional.empty(), "test");
    }
  }
}
