package io.pgquorum.dcs.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgquorum.dcs.ratis.TlsFiles;
import io.pgquorum.dcs.testing.TestPki.KeyType;
import io.pgquorum.dcs.testing.TestPki.Member;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.grpc.GrpcUtil;
import org.apache.ratis.thirdparty.io.netty.buffer.ByteBufAllocator;
import org.apache.ratis.thirdparty.io.netty.handler.ssl.SslContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TestPkiTest {

  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final int SAN_DNS = 2;
  private static final int SAN_IP = 7;
  private static final Duration IO_TIMEOUT = Duration.ofSeconds(10);
  private static final int HELLO = 42;

  @TempDir
  Path dir;

  private ExecutorService executor;

  @BeforeEach
  void startExecutor() {
    executor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "tls-handshake-test");
      t.setDaemon(true);
      return t;
    });
  }

  @AfterEach
  void stopExecutor() throws InterruptedException {
    executor.shutdownNow();
    assertThat(executor.awaitTermination(IO_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
  }

  // ---------------------------------------------------------------------------------------------------------
  // Files

  @ParameterizedTest
  @EnumSource(KeyType.class)
  void writesParsablePemFilesThatChainToTheirOwnCaOnly(KeyType keyType) throws Exception {
    TestPki pki = TestPki.create(dir, "test", keyType);
    TestPki rogue = TestPki.create(dir, "rogue", keyType);
    Member member = pki.issue("n1");

    assertThat(pki.caCertFile()).isEqualTo(dir.resolve("test-ca.crt")).isRegularFile();
    assertThat(rogue.caCertFile()).isEqualTo(dir.resolve("rogue-ca.crt")).isRegularFile();
    assertThat(member.certChain()).isEqualTo(dir.resolve("n1.crt"));
    assertThat(member.privateKey()).isEqualTo(dir.resolve("n1.key"));
    assertThat(member.trustedCa()).isEqualTo(pki.caCertFile());
    assertThat(member.tlsFiles()).isEqualTo(new TlsFiles(member.certChain(), member.privateKey(), member.trustedCa()));
    member.tlsFiles().validate("raft.tls"); // all three readable

    List<X509Certificate> cas = readCertificates(pki.caCertFile());
    List<X509Certificate> rogueCas = readCertificates(rogue.caCertFile());
    List<X509Certificate> chain = readCertificates(member.certChain());
    assertThat(cas).hasSize(1);
    assertThat(rogueCas).hasSize(1);
    assertThat(chain).hasSize(2);
    X509Certificate ca = cas.get(0);
    X509Certificate leaf = chain.get(0);
    assertThat(chain.get(1)).isEqualTo(ca);
    assertThat(ca).isEqualTo(pki.caCertificate());

    // CA: self-signed, a CA, allowed to sign certificates.
    ca.verify(ca.getPublicKey());
    assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
    assertThat(ca.getKeyUsage()[5]).as("keyCertSign").isTrue();
    assertThat(ca.getSubjectX500Principal()).isNotEqualTo(rogueCas.get(0).getSubjectX500Principal());

    // Leaf: signed by this CA, not by the rogue one.
    leaf.verify(ca.getPublicKey());
    assertThatThrownBy(() -> leaf.verify(rogueCas.get(0).getPublicKey()))
        .isInstanceOfAny(SignatureException.class, GeneralSecurityException.class);
    assertThat(leaf.getIssuerX500Principal()).isEqualTo(ca.getSubjectX500Principal());
    assertThat(leaf.getSubjectX500Principal().getName()).contains("CN=n1");
    assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
    assertThat(leaf.getPublicKey().getAlgorithm()).isEqualTo(keyType == KeyType.EC_P256 ? "EC" : "RSA");

    boolean[] keyUsage = leaf.getKeyUsage();
    assertThat(keyUsage[0]).as("digitalSignature").isTrue();
    assertThat(keyUsage[2]).as("keyEncipherment").isTrue();
    assertThat(keyUsage[5]).as("keyCertSign").isFalse();
    assertThat(leaf.getCriticalExtensionOIDs()).contains("2.5.29.15"); // key usage is critical
    assertThat(leaf.getExtendedKeyUsage()).containsExactlyInAnyOrder(SERVER_AUTH, CLIENT_AUTH);
    assertThat(leaf.getSubjectAlternativeNames()).containsExactlyInAnyOrder(
        List.of(SAN_DNS, "localhost"), List.of(SAN_IP, "127.0.0.1"), List.of(SAN_DNS, "n1"));

    Instant now = Instant.now();
    Instant notBefore = leaf.getNotBefore().toInstant();
    Instant notAfter = leaf.getNotAfter().toInstant();
    assertThat(notBefore).isBetween(now.minus(Duration.ofMinutes(65)), now.minus(Duration.ofMinutes(55)));
    assertThat(notAfter).isBetween(now.plus(Duration.ofHours(23)), now.plus(Duration.ofHours(25)));
    leaf.checkValidity();
    assertThat(ca.getNotBefore()).isBeforeOrEqualTo(leaf.getNotBefore());
    assertThat(ca.getNotAfter()).isAfterOrEqualTo(leaf.getNotAfter());

    // PKIX path validation, as a TLS peer does it.
    validatePath(leaf, ca); // does not throw
    assertThatThrownBy(() -> validatePath(leaf, rogueCas.get(0))).isInstanceOf(CertPathValidatorException.class);
    Member rogueMember = rogue.issue("n1-rogue");
    X509Certificate rogueLeaf = readCertificates(rogueMember.certChain()).get(0);
    validatePath(rogueLeaf, rogueCas.get(0));
    assertThatThrownBy(() -> validatePath(rogueLeaf, ca)).isInstanceOf(CertPathValidatorException.class);

    // Key: unencrypted PKCS#8, readable by the plain JDK, and the private half of the leaf's public key.
    String keyPem = Files.readString(member.privateKey(), StandardCharsets.US_ASCII);
    assertThat(keyPem).startsWith("-----BEGIN PRIVATE KEY-----").contains("-----END PRIVATE KEY-----")
        .doesNotContain("ENCRYPTED").doesNotContain("RSA PRIVATE KEY").doesNotContain("EC PRIVATE KEY");
    PrivateKey key = readPrivateKey(member.privateKey(), leaf);
    assertThat(key.getFormat()).isEqualTo("PKCS#8");
    String algorithm = keyType == KeyType.EC_P256 ? "SHA256withECDSA" : "SHA256withRSA";
    byte[] data = "pgquorum".getBytes(StandardCharsets.UTF_8);
    Signature signer = Signature.getInstance(algorithm);
    signer.initSign(key);
    signer.update(data);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance(algorithm);
    verifier.initVerify(leaf.getPublicKey());
    verifier.update(data);
    assertThat(verifier.verify(signature)).as("key matches certificate").isTrue();
  }

  @Test
  void reissuingANameReplacesItsFilesAndNamesAreChecked() throws Exception {
    TestPki pki = TestPki.create(dir.resolve("nested/dir"), "test");
    Member first = pki.issue("node-1.example");
    X509Certificate firstLeaf = readCertificates(first.certChain()).get(0);
    Member second = pki.issue("node-1.example");
    X509Certificate secondLeaf = readCertificates(second.certChain()).get(0);
    assertThat(second).isEqualTo(first);
    assertThat(secondLeaf.getSerialNumber()).isNotEqualTo(firstLeaf.getSerialNumber());
    assertThat(secondLeaf.getSubjectAlternativeNames()).contains(List.of(SAN_DNS, "node-1.example"));

    assertThatThrownBy(() -> pki.issue("../escape")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> pki.issue("under_score")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TestPki.create(dir, "")).isInstanceOf(IllegalArgumentException.class);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Real TLS handshakes with the plain JDK on loopback, key and trust material read back from the PEM files.

  @ParameterizedTest
  @EnumSource(KeyType.class)
  void jdkMutualTlsAcceptsAClientOfTheSameCa(KeyType keyType) throws Exception {
    TestPki pki = TestPki.create(dir, "test", keyType);
    Member server = pki.issue("server");
    Member client = pki.issue("client");

    for (String host : List.of("localhost", "127.0.0.1", "server")) {
      Outcome outcome = jdkHandshake(sslContext(server), sslContext(client), host);
      assertThat(outcome.serverFailure()).as("server side, host %s", host).isNull();
      assertThat(outcome.clientFailure()).as("client side, host %s", host).isNull();
      assertThat(outcome.clientCertSeenByServer()).contains("CN=client");
      assertThat(outcome.serverCertSeenByClient()).contains("CN=server");
      assertThat(outcome.clientRead()).isEqualTo(HELLO);
    }
  }

  @Test
  void jdkMutualTlsRefusesAClientWithARogueCertificate() throws Exception {
    TestPki pki = TestPki.create(dir, "test");
    TestPki rogue = TestPki.create(dir, "rogue");
    Member server = pki.issue("server");
    Member intruder = rogue.issue("intruder");
    // The intruder trusts the real CA, so the only thing wrong is its own certificate.
    Member intruderTrustingRealCa = new Member(intruder.certChain(), intruder.privateKey(), pki.caCertFile());

    Outcome outcome = jdkHandshake(sslContext(server), sslContext(intruderTrustingRealCa), "localhost");

    // The intruder did present its certificate (see InsistingKeyManager), and path validation refused it.
    assertThat(outcome.serverFailure()).as("server refuses the client certificate")
        .isInstanceOf(SSLHandshakeException.class)
        .hasRootCauseInstanceOf(CertPathBuilderException.class);
    assertThat(outcome.clientCertSeenByServer()).isNull();
    // With TLS 1.3 the client finishes its half of the handshake before the server has checked its certificate;
    // it learns of the refusal from the alert on its first read.
    assertThat(outcome.clientRead()).as("client must not receive application data").isNotEqualTo(HELLO);
    if (outcome.clientFailure() == null) {
      assertThat(outcome.clientRead()).isEqualTo(-1);
    } else {
      assertThat(outcome.clientFailure()).isInstanceOf(IOException.class);
    }
  }

  @Test
  void jdkMutualTlsRefusesAServerWithARogueCertificateAndAClientWithoutOne() throws Exception {
    TestPki pki = TestPki.create(dir, "test");
    TestPki rogue = TestPki.create(dir, "rogue");
    Member client = pki.issue("client");
    Member impostor = rogue.issue("impostor");
    Member impostorTrustingRealCa = new Member(impostor.certChain(), impostor.privateKey(), pki.caCertFile());

    Outcome rogueServer = jdkHandshake(sslContext(impostorTrustingRealCa), sslContext(client), "localhost");
    assertThat(rogueServer.clientFailure()).as("client refuses the server certificate")
        .isInstanceOf(SSLHandshakeException.class)
        .hasRootCauseInstanceOf(CertPathBuilderException.class);
    assertThat(rogueServer.serverCertSeenByClient()).isNull();
    assertThat(rogueServer.serverFailure()).isInstanceOf(IOException.class);

    Member server = pki.issue("server");
    SSLContext noClientCert = SSLContext.getInstance("TLS");
    noClientCert.init(null, trustManagerFactory(pki.caCertFile()).getTrustManagers(), null);
    Outcome anonymous = jdkHandshake(sslContext(server), noClientCert, "localhost");
    assertThat(anonymous.serverFailure()).as("needClientAuth").isInstanceOf(SSLHandshakeException.class);
    assertThat(anonymous.clientCertSeenByServer()).isNull();
    assertThat(anonymous.clientRead()).isNotEqualTo(HELLO);
  }

  // ---------------------------------------------------------------------------------------------------------
  // The same files through Ratis: GrpcTlsConfig(File, File, File, true) -> GrpcUtil -> Netty SslContext, as the
  // Ratis gRPC server and its clients build them. Handshake between two Netty engines in memory.

  @ParameterizedTest
  @EnumSource(KeyType.class)
  void ratisFileBasedGrpcTlsConfigAcceptsTheFiles(KeyType keyType) throws Exception {
    TestPki pki = TestPki.create(dir, "test", keyType);
    TestPki rogue = TestPki.create(dir, "rogue", keyType);
    Member server = pki.issue("server");
    Member client = pki.issue("client");
    Member intruder = rogue.issue("intruder");
    Member intruderTrustingRealCa = new Member(intruder.certChain(), intruder.privateKey(), pki.caCertFile());

    SslContext serverContext = GrpcUtil.buildSslContextForServer(grpcTls(server));
    SslContext clientContext = GrpcUtil.buildSslContextForClient(grpcTls(client));
    assertThat(serverContext.isServer()).isTrue();
    assertThat(clientContext.isClient()).isTrue();

    // Mutual TLS succeeds for every name in the certificate, as gRPC checks it against the peer address.
    for (String host : List.of("localhost", "127.0.0.1", "server")) {
      SSLEngine serverEngine = serverContext.newEngine(ByteBufAllocator.DEFAULT);
      SSLEngine clientEngine = grpcLikeClientEngine(clientContext, host);
      engineHandshake(clientEngine, serverEngine);
      assertThat(((X509Certificate) serverEngine.getSession().getPeerCertificates()[0])
          .getSubjectX500Principal().getName()).contains("CN=client");
      assertThat(((X509Certificate) clientEngine.getSession().getPeerCertificates()[0])
          .getSubjectX500Principal().getName()).contains("CN=server");
    }
    // ... and fails for an address the certificate does not name.
    assertThatThrownBy(() -> engineHandshake(grpcLikeClientEngine(clientContext, "elsewhere"),
        serverContext.newEngine(ByteBufAllocator.DEFAULT)))
        .isInstanceOf(SSLHandshakeException.class);

    // A Ratis client with a rogue certificate (trusting the real CA) is refused. Its key manager sends no
    // certificate at all, since the server asks for ones issued by the real CA...
    SslContext intruderContext = GrpcUtil.buildSslContextForClient(grpcTls(intruderTrustingRealCa));
    assertThatThrownBy(() -> engineHandshake(grpcLikeClientEngine(intruderContext, "localhost"),
        serverContext.newEngine(ByteBufAllocator.DEFAULT)))
        .isInstanceOf(SSLHandshakeException.class);
    // ... and a client that presents the rogue certificate anyway fails the server's path validation.
    SSLEngine insisting = sslContext(intruderTrustingRealCa).createSSLEngine("localhost", 9999);
    insisting.setUseClientMode(true);
    assertThatThrownBy(() -> engineHandshake(insisting, serverContext.newEngine(ByteBufAllocator.DEFAULT)))
        .isInstanceOf(SSLHandshakeException.class)
        .hasRootCauseInstanceOf(CertPathBuilderException.class);

    // A Ratis server with a rogue certificate is refused by a Ratis client.
    SslContext impostorContext = GrpcUtil.buildSslContextForServer(grpcTls(intruderTrustingRealCa));
    assertThatThrownBy(() -> engineHandshake(grpcLikeClientEngine(clientContext, "localhost"),
        impostorContext.newEngine(ByteBufAllocator.DEFAULT)))
        .isInstanceOf(SSLHandshakeException.class)
        .hasRootCauseInstanceOf(CertPathBuilderException.class);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Helpers

  private record Outcome(Throwable serverFailure, String clientCertSeenByServer,
      Throwable clientFailure, String serverCertSeenByClient, int clientRead) {}

  private record ServerSide(Throwable failure, String peer) {}

  private record ClientSide(Throwable failure, String peer, int read) {}

  /**
   * One connection: the server requires a client certificate, completes the handshake and writes one byte; the
   * client checks the server's name against {@code host} (as HTTPS and gRPC do) and reads that byte.
   */
  private Outcome jdkHandshake(SSLContext serverContext, SSLContext clientContext, String host) throws Exception {
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    try (SSLServerSocket serverSocket =
        (SSLServerSocket) serverContext.getServerSocketFactory().createServerSocket(0, 1, loopback)) {
      serverSocket.setNeedClientAuth(true);
      serverSocket.setSoTimeout((int) IO_TIMEOUT.toMillis());
      int port = serverSocket.getLocalPort();

      CompletableFuture<ServerSide> server = CompletableFuture.supplyAsync(() -> {
        try (SSLSocket socket = (SSLSocket) serverSocket.accept()) {
          socket.setSoTimeout((int) IO_TIMEOUT.toMillis());
          socket.startHandshake();
          String peer = ((X509Certificate) socket.getSession().getPeerCertificates()[0])
              .getSubjectX500Principal().getName();
          socket.getOutputStream().write(HELLO);
          socket.getOutputStream().flush();
          socket.getInputStream().read(); // wait for the client to close, so the byte is not lost to a reset
          return new ServerSide(null, peer);
        } catch (IOException | RuntimeException e) {
          return new ServerSide(e, null);
        }
      }, executor);

      CompletableFuture<ClientSide> client = CompletableFuture.supplyAsync(() -> {
        String peer = null;
        try (Socket plain = new Socket()) {
          plain.connect(new InetSocketAddress(loopback, port), (int) IO_TIMEOUT.toMillis());
          plain.setSoTimeout((int) IO_TIMEOUT.toMillis());
          try (SSLSocket socket =
              (SSLSocket) clientContext.getSocketFactory().createSocket(plain, host, port, false)) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            peer = ((X509Certificate) socket.getSession().getPeerCertificates()[0])
                .getSubjectX500Principal().getName();
            return new ClientSide(null, peer, socket.getInputStream().read());
          }
        } catch (IOException | RuntimeException e) {
          return new ClientSide(e, peer, Integer.MIN_VALUE);
        }
      }, executor);

      ClientSide c = client.get(2 * IO_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      ServerSide s = server.get(2 * IO_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      return new Outcome(s.failure(), s.peer(), c.failure(), c.peer(), c.read());
    }
  }

  private static SSLContext sslContext(Member member) throws Exception {
    List<X509Certificate> chain = readCertificates(member.certChain());
    PrivateKey key = readPrivateKey(member.privateKey(), chain.get(0));
    char[] password = "unused".toCharArray();
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    keyStore.load(null, null);
    keyStore.setKeyEntry("member", key, password, chain.toArray(X509Certificate[]::new));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keyStore, password);
    KeyManager keyManager = new InsistingKeyManager((X509ExtendedKeyManager) kmf.getKeyManagers()[0]);

    SSLContext context = SSLContext.getInstance("TLS");
    context.init(new KeyManager[] {keyManager}, trustManagerFactory(member.trustedCa()).getTrustManagers(), null);
    return context;
  }

  /**
   * As a client, presents its certificate even when the server's CertificateRequest lists other CAs. A stock key
   * manager would send no certificate at all to a server of another CA, and the refusal would then only prove
   * that a certificate is required, not that a wrong one is rejected.
   */
  private static final class InsistingKeyManager extends X509ExtendedKeyManager {
    private final X509ExtendedKeyManager delegate;

    InsistingKeyManager(X509ExtendedKeyManager delegate) {
      this.delegate = delegate;
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
      return anyClientAlias(keyTypes);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
      return anyClientAlias(keyTypes);
    }

    private String anyClientAlias(String[] keyTypes) {
      for (String keyType : keyTypes) {
        String[] aliases = delegate.getClientAliases(keyType, null);
        if (aliases != null && aliases.length > 0) {
          return aliases[0];
        }
      }
      return null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return delegate.getClientAliases(keyType, issuers);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return delegate.getServerAliases(keyType, issuers);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return delegate.chooseServerAlias(keyType, issuers, socket);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      return delegate.chooseEngineServerAlias(keyType, issuers, engine);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return delegate.getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return delegate.getPrivateKey(alias);
    }
  }

  private static TrustManagerFactory trustManagerFactory(Path caFile) throws Exception {
    KeyStore trustStore = KeyStore.getInstance("PKCS12");
    trustStore.load(null, null);
    int i = 0;
    for (X509Certificate ca : readCertificates(caFile)) {
      trustStore.setCertificateEntry("ca-" + i++, ca);
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trustStore);
    return tmf;
  }

  private static List<X509Certificate> readCertificates(Path pemFile) throws Exception {
    try (InputStream in = Files.newInputStream(pemFile)) {
      return CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
          .map(X509Certificate.class::cast)
          .toList();
    }
  }

  /** Plain-JDK PKCS#8 PEM decoding: what Netty's own PemReader does when BouncyCastle is absent. */
  private static PrivateKey readPrivateKey(Path pemFile, X509Certificate certificate) throws Exception {
    String pem = Files.readString(pemFile, StandardCharsets.US_ASCII);
    String base64 = pem.replace("-----BEGIN PRIVATE KEY-----", "")
        .replace("-----END PRIVATE KEY-----", "")
        .replaceAll("\\s", "");
    byte[] der = Base64.getDecoder().decode(base64);
    return KeyFactory.getInstance(certificate.getPublicKey().getAlgorithm())
        .generatePrivate(new PKCS8EncodedKeySpec(der));
  }

  private static void validatePath(X509Certificate leaf, X509Certificate trustedCa) throws Exception {
    PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(trustedCa, null)));
    parameters.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX").validate(
        CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)), parameters);
  }

  private static GrpcTlsConfig grpcTls(Member member) {
    return new GrpcTlsConfig(member.privateKey().toFile(), member.certChain().toFile(),
        member.trustedCa().toFile(), true);
  }

  /** grpc-netty's ClientTlsHandler: engine for the peer's host and port, HTTPS endpoint identification. */
  private static SSLEngine grpcLikeClientEngine(SslContext context, String host) {
    SSLEngine engine = context.newEngine(ByteBufAllocator.DEFAULT, host, 9999);
    SSLParameters parameters = engine.getSSLParameters();
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    engine.setSSLParameters(parameters);
    return engine;
  }

  /** Drives a TLS handshake between two engines through in-memory buffers; throws if either side fails. */
  private static void engineHandshake(SSLEngine client, SSLEngine server) throws SSLException {
    int packetSize = Math.max(client.getSession().getPacketBufferSize(), server.getSession().getPacketBufferSize());
    int appSize = Math.max(client.getSession().getApplicationBufferSize(),
        server.getSession().getApplicationBufferSize());
    ByteBuffer clientToServer = ByteBuffer.allocate(4 * packetSize);
    ByteBuffer serverToClient = ByteBuffer.allocate(4 * packetSize);
    ByteBuffer appData = ByteBuffer.allocate(appSize);
    client.beginHandshake();
    server.beginHandshake();
    for (int round = 0; round < 200; round++) {
      step(client, serverToClient, clientToServer, appData);
      step(server, clientToServer, serverToClient, appData);
      if (done(client) && done(server)) {
        return; // post-handshake messages (TLS 1.3 session tickets) may stay unread
      }
    }
    throw new SSLException("handshake did not complete: client " + client.getHandshakeStatus()
        + ", server " + server.getHandshakeStatus());
  }

  private static boolean done(SSLEngine engine) {
    HandshakeStatus status = engine.getHandshakeStatus();
    return status == HandshakeStatus.NOT_HANDSHAKING || status == HandshakeStatus.FINISHED;
  }

  /** One step of one engine: run its tasks, write what it wants to send, read what the peer sent. */
  private static void step(SSLEngine engine, ByteBuffer in, ByteBuffer out, ByteBuffer appData)
      throws SSLException {
    Runnable task;
    while ((task = engine.getDelegatedTask()) != null) {
      task.run();
    }
    HandshakeStatus status = engine.getHandshakeStatus();
    // Also wrap when the engine says it is done: an OpenSSL engine may still hold its last flight (e.g. the
    // client Finished) and only hands it out on wrap. With nothing pending, wrap produces nothing.
    if (status != HandshakeStatus.NEED_UNWRAP && status != HandshakeStatus.NEED_TASK) {
      SSLEngineResult result = engine.wrap(ByteBuffer.allocate(0), out);
      closedMeansFailed(result, engine);
    }
    // Unwrap also with nothing to read while the engine wants to: an OpenSSL engine resumes the handshake after
    // a delegated task (here: verifying the peer's certificate) only on its next unwrap call.
    if (in.position() > 0 || engine.getHandshakeStatus() == HandshakeStatus.NEED_UNWRAP) {
      in.flip();
      appData.clear();
      SSLEngineResult result = engine.unwrap(in, appData);
      in.compact();
      closedMeansFailed(result, engine);
    }
  }

  private static void closedMeansFailed(SSLEngineResult result, SSLEngine engine) throws SSLException {
    if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
      throw new SSLException((engine.getUseClientMode() ? "client" : "server") + " closed during handshake");
    }
  }
}
