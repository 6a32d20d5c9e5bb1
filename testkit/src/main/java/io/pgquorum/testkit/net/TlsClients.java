package io.pgquorum.testkit.net;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * HTTPS clients for the tests that run the REST API on TLS (coordinator's ITs, dist's InstallIT), built from PEM
 * files as the daemons get them: a CA to trust, and optionally a client certificate chain with its unencrypted
 * PKCS#8 EC key.
 */
public final class TlsClients {
  private TlsClients() {}

  /** Trusts {@code caCert} and presents {@code certChain} (leaf first) with {@code key}. */
  public static java.net.http.HttpClient mutual(Path caCert, Path certChain, Path key) throws Exception {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    Certificate[] chain;
    try (InputStream in = Files.newInputStream(certChain)) {
      chain = CertificateFactory.getInstance("X.509").generateCertificates(in).toArray(Certificate[]::new);
    }
    String pem = Files.readString(key).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    PrivateKey privateKey = KeyFactory.getInstance("EC")
        .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
    keys.setKeyEntry("key", privateKey, "x".toCharArray(), chain);
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, "x".toCharArray());
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), trust(caCert).getTrustManagers(), null);
    return java.net.http.HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(5)).build();
  }

  /** Trusts {@code caCert} and presents no certificate. */
  public static java.net.http.HttpClient trustOnly(Path caCert) throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, trust(caCert).getTrustManagers(), null);
    return java.net.http.HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(5)).build();
  }

  private static TrustManagerFactory trust(Path caCert) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(caCert)) {
      trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    return tmf;
  }
}
