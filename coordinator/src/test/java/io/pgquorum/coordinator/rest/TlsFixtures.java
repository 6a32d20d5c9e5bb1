package io.pgquorum.coordinator.rest;

import io.pgquorum.coordinator.config.CtlConfig;
import io.pgquorum.coordinator.config.HostPort;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.coordinator.config.RestApiConfig;
import io.pgquorum.dcs.testing.TestPki;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;

/**
 * Certificates and clients for the REST API's TLS tests, on the shared test CA ({@link TestPki} from raft-dcs'
 * test jar): its leaf certificates name localhost and 127.0.0.1 and serve as server and client certificates.
 */
final class TlsFixtures {
  private TlsFixtures() {}

  static RestApiConfig config(RestApiConfig.Tls tls) {
    return new RestApiConfig(new HostPort("127.0.0.1", 0), new HostPort("127.0.0.1", 8008), Optional.empty(),
        List.of(), false, Optional.of(tls));
  }

  static RestApiConfig.Tls tls(TestPki.Member server, Optional<Path> ca, RestApiConfig.VerifyClient verify) {
    return new RestApiConfig.Tls(server.certChain(), Optional.of(server.privateKey()), Optional.empty(), ca,
        verify);
  }

  /** A node configuration whose ctl section is {@code ctl} (the rest is irrelevant to clients). */
  static NodeConfig clientConfig(CtlConfig ctl) {
    NodeConfig base = io.pgquorum.coordinator.config.ConfigLoader.parse(String.join("\n",
        "scope: t", "name: n1", "restapi: {listen: 127.0.0.1:8008}",
        "raft: {self_addr: 127.0.0.1:5010, data_dir: /tmp/unused-raft}",
        "postgresql: {listen: 127.0.0.1:5432, data_dir: /tmp/unused-pg, authentication: {superuser: "
            + "{username: postgres, password: 'x'}, replication: {username: r, password: 'y'}}}", ""),
        "test", java.util.Map.of());
    return new NodeConfig(base.scope(), base.namespace(), base.name(), base.restapi(), base.raft(),
        base.bootstrap(), base.postgresql(), base.tags(), base.log(), base.watchdog(), ctl, base.warnings());
  }

  /** A ctl section presenting {@code cert} (or nothing) and trusting {@code ca} (or the JDK's store). */
  static CtlConfig ctl(Optional<TestPki.Member> cert, Optional<Path> ca, boolean insecure) {
    return new CtlConfig(cert.map(TestPki.Member::certChain), cert.map(TestPki.Member::privateKey),
        Optional.empty(), ca, insecure, Optional.empty());
  }

  static HttpClient client(SSLContext tls) {
    return HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5))
        .version(HttpClient.Version.HTTP_1_1).build();
  }

  static HttpResponse<String> send(HttpClient client, String method, String url) throws IOException,
      InterruptedException {
    return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
        .method(method, HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** {@code key} re-written as encrypted PKCS#8 (AES-256-CBC, PBKDF2) with {@code password}. */
  static Path encryptedKey(Path dir, PrivateKey key, String password) throws Exception {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(new JcaPKCS8Generator(key, new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
          .setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider())
          .setPassword(password.toCharArray()).build()));
    }
    return Files.writeString(dir.resolve("encrypted.key"), out.toString());
  }

  /** {@code key} in OpenSSL's traditional format ({@code BEGIN RSA PRIVATE KEY} for an RSA key). */
  static Path traditionalKey(Path dir, PrivateKey key) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(key);
    }
    return Files.writeString(dir.resolve("traditional.key"), out.toString());
  }
}
