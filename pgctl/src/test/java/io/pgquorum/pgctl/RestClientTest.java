package io.pgquorum.pgctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.pgquorum.coordinator.config.Credentials;
import io.pgquorum.coordinator.config.CtlConfig;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.coordinator.config.RestApiConfig;
import io.pgquorum.coordinator.rest.RestTls;
import io.pgquorum.dcs.testing.TestPki;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pgctl's one REST client against a real HTTPS server (the JDK's, with a certificate of the shared test CA):
 * patronictl's settings (ctl.cacert else restapi.cafile, -k / ctl.insecure, ctl.authentication else
 * restapi.authentication), and failures said in the operator's terms, naming the key, never a secret.
 */
class RestClientTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  @TempDir
  static Path dir;
  private static TestPki pki;
  private static TestPki rogue;
  private static HttpsServer server;
  private static final List<String> AUTHORIZATIONS = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    pki = TestPki.create(dir, "cluster");
    rogue = TestPki.create(dir, "rogue");
    TestPki.Member cert = pki.issue("node1");
    // A context holding the server's certificate and key: the client builder reads the PEM files the same way.
    NodeConfig serverSide = TestConfigs.withRestClient(base(), Optional.empty(), new CtlConfig(
        Optional.of(cert.certChain()), Optional.of(cert.privateKey()), Optional.empty(), Optional.empty(), true,
        Optional.empty()));
    server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(RestTls.client(serverSide, true)));
    server.createContext("/", x -> {
      AUTHORIZATIONS.add(String.valueOf(x.getRequestHeaders().getFirst("Authorization")));
      byte[] body = (x.getRequestMethod() + " " + x.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8);
      x.sendResponseHeaders(200, body.length);
      try (OutputStream out = x.getResponseBody()) {
        out.write(body);
      }
      x.close();
    });
    server.start();
  }

  @AfterAll
  static void stop() {
    server.stop(0);
  }

  private static NodeConfig base() {
    return TestConfigs.node("demo", "127.0.0.1:7001", List.of());
  }

  private static String url(String scheme) {
    return scheme + "://127.0.0.1:" + server.getAddress().getPort() + "/restart";
  }

  private static CtlConfig ctl(Optional<Path> cacert, Optional<Credentials> auth) {
    return new CtlConfig(Optional.empty(), Optional.empty(), Optional.empty(), cacert, false, auth);
  }

  @Test
  void ctlCacertIsTrustedAndTheCtlCredentialsAreSent() throws Exception {
    NodeConfig config = TestConfigs.withRestClient(base(), Optional.of(Credentials.of("node", "node-Secret")),
        ctl(Optional.of(pki.caCertFile()), Optional.of(Credentials.of("ops", "ops-Secret"))));
    AUTHORIZATIONS.clear();
    RestClient.Reply r = RestClient.of(config, false).send(url("https"), "POST", "{}", TIMEOUT);
    assertThat(r).isEqualTo(new RestClient.Reply(200, "POST /restart"));
    assertThat(AUTHORIZATIONS).containsExactly("Basic " + Base64.getEncoder().encodeToString(
        "ops:ops-Secret".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void withoutCtlCacertRestapiCafileIsTrustedAndRestapiCredentialsSent() throws Exception {
    TestPki.Member own = pki.issue("own");
    NodeConfig config = TestConfigs.withRestClient(base(), Optional.of(Credentials.of("node", "node-Secret")),
        CtlConfig.none());
    RestApiConfig r = config.restapi();
    config = new NodeConfig(config.scope(), config.namespace(), config.name(), new RestApiConfig(r.listen(),
        r.connectAddress(), r.authentication(), r.allowlist(), false, Optional.of(new RestApiConfig.Tls(
            own.certChain(), Optional.of(own.privateKey()), Optional.empty(), Optional.of(pki.caCertFile()),
            RestApiConfig.VerifyClient.NONE))), config.raft(), config.bootstrap(), config.postgresql(),
        config.tags(), config.log(), config.watchdog(), config.ctl(), config.warnings());
    AUTHORIZATIONS.clear();
    // GETs carry the credentials too: patronictl puts them in its pool's headers.
    assertThat(RestClient.of(config, false).send(url("https"), "GET", null, TIMEOUT).status()).isEqualTo(200);
    assertThat(AUTHORIZATIONS).containsExactly("Basic " + Base64.getEncoder().encodeToString(
        "node:node-Secret".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void aServerOfAnotherCaIsAHandshakeFailureNamingTheTrustedCa() {
    NodeConfig config = TestConfigs.withRestClient(base(), Optional.empty(),
        ctl(Optional.of(rogue.caCertFile()), Optional.empty()));
    assertThatThrownBy(() -> RestClient.of(config, false).send(url("https"), "POST", "{}", TIMEOUT))
        .isInstanceOfSatisfying(RestClient.Failure.class, f -> assertThat(f.tls()).isTrue())
        .hasMessage("TLS handshake with https://127.0.0.1:" + server.getAddress().getPort() + " failed: its "
            + "certificate is not signed by a trusted CA (trusted: ctl.cacert " + rogue.caCertFile()
            + "; -k skips the check)");
  }

  @Test
  void insecureSkipsTheCheck() throws Exception {
    NodeConfig config = TestConfigs.withRestClient(base(), Optional.empty(),
        ctl(Optional.of(rogue.caCertFile()), Optional.empty()));
    assertThat(RestClient.of(config, true).send(url("https"), "POST", "{}", TIMEOUT).status()).isEqualTo(200);
    NodeConfig insecureInFile = TestConfigs.withRestClient(base(), Optional.empty(), new CtlConfig(
        Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(rogue.caCertFile()), true,
        Optional.empty()));
    assertThat(RestClient.of(insecureInFile, false).send(url("https"), "POST", "{}", TIMEOUT).status())
        .isEqualTo(200);
  }

  @Test
  void noCaConfiguredMeansTheJdkStoreAndTheMessageSaysSo() {
    assertThatThrownBy(() -> RestClient.of(base(), false).send(url("https"), "GET", null, TIMEOUT))
        .hasMessageEndingWith("its certificate is not signed by a trusted CA (trusted: the JDK's trust store, as "
            + "neither ctl.cacert nor restapi.cafile is set; -k skips the check)");
  }

  @Test
  void plainHttpToAnHttpsServerIsNotATlsFailureAndHints() {
    assertThatThrownBy(() -> RestClient.of(base(), false).send(url("http"), "GET", null, TIMEOUT))
        .isInstanceOfSatisfying(RestClient.Failure.class, f -> assertThat(f.tls()).isFalse())
        .hasMessageStartingWith("no HTTP answer from http://127.0.0.1:" + server.getAddress().getPort()
            + "/restart: ")
        .hasMessageEndingWith("(does it serve HTTPS only? then its api_url should be https)");
  }

  @Test
  void aMissingCaFileNamesTheKey() {
    Path missing = dir.resolve("nope-ca.crt");
    NodeConfig config = TestConfigs.withRestClient(base(), Optional.empty(), ctl(Optional.of(missing),
        Optional.empty()));
    assertThatThrownBy(() -> RestClient.of(config, false).send(url("https"), "GET", null, TIMEOUT))
        .isInstanceOf(CtlException.class)
        .hasMessageStartingWith("cannot use the TLS settings for REST calls: ctl.cacert: ")
        .hasMessageContaining(missing.toString());
  }

  @Test
  void anUnreadableKeyNamesTheKeyAndNeverThePassword() throws Exception {
    TestPki.Member cert = pki.issue("client");
    Path notAKey = dir.resolve("not-a-key.pem");
    Files.writeString(notAKey, "this is no key\n");
    NodeConfig config = TestConfigs.withRestClient(base(), Optional.empty(), new CtlConfig(
        Optional.of(cert.certChain()), Optional.of(notAKey), Optional.of("key-Secret"),
        Optional.of(pki.caCertFile()), false, Optional.of(Credentials.of("ops", "ops-Secret"))));
    assertThatThrownBy(() -> RestClient.of(config, false).send(url("https"), "GET", null, TIMEOUT))
        .isInstanceOf(CtlException.class)
        .hasMessageStartingWith("cannot use the TLS settings for REST calls: ctl.keyfile: ")
        .hasMessageContaining(notAKey.toString())
        .message().doesNotContain("key-Secret", "ops-Secret");
  }

  @Test
  void aPlainHttpClusterNeverReadsTheTlsFiles() {
    // urllib3 reads the files for https connections only: a broken ctl.cacert does not stop http calls.
    NodeConfig config = TestConfigs.withRestClient(base(), Optional.empty(), ctl(Optional.of(
        dir.resolve("absent.crt")), Optional.empty()));
    assertThatThrownBy(() -> RestClient.of(config, false).send("http://127.0.0.1:1/patroni", "GET", null,
        TIMEOUT)).isInstanceOfSatisfying(RestClient.Failure.class, f -> assertThat(f.tls()).isFalse())
        .hasMessageStartingWith("cannot connect to http://127.0.0.1:1");
  }
}
