package io.pgquorum.coordinator.rest;

import io.pgquorum.coordinator.config.ConfigException;
import io.pgquorum.coordinator.config.CtlConfig;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.coordinator.config.RestApiConfig;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * TLS for the REST API, from Patroni's keys, with the JDK's TLS (1.2 and 1.3, default cipher suites).
 *
 * <ul>
 *   <li>Server ({@link #server}): {@code restapi.certfile} (chain, leaf first), {@code restapi.keyfile} (absent:
 *       the key is in certfile), {@code restapi.keyfile_password}, {@code restapi.cafile} for client certificates,
 *       {@code restapi.verify_client}. The files are read and checked once, at start: a missing file, an
 *       unreadable key or a key that does not belong to the certificate stops the start with the key's name.
 *   <li>Client ({@link #client}): how this node asks its peers during a leader race, and how pgctl talks to a
 *       node. As in Patroni, {@code ctl} settings first, then {@code restapi}'s: the certificate presented is
 *       {@code ctl.certfile} or {@code restapi.certfile} (a peer with verify_client required needs it), the CA
 *       trusted is {@code ctl.cacert} or {@code restapi.cafile} (else the JDK's default trust store), and the
 *       server's certificate and host name are verified unless {@code ctl.insecure}.
 * </ul>
 */
public final class RestTls {
  /** Only ever held in memory, for the JDK's key store API. */
  private static final char[] IN_MEMORY = "pgquorum".toCharArray();

  private RestTls() {}

  /** A server context for {@code tls}; see the class comment. */
  static Server server(RestApiConfig.Tls tls) {
    KeyManager[] keys = keyManagers("restapi.certfile", tls.certfile(),
        tls.keyfile().isPresent() ? "restapi.keyfile" : "restapi.certfile", tls.keySource(), tls.keyfilePassword(),
        "restapi.keyfile_password");
    TrustManager[] trust = tls.cafile().map(ca -> trustManagers("restapi.cafile", ca)).orElse(null);
    return new Server(context(keys, trust), tls.verifyClient());
  }

  /** A server side of TLS: makes one engine per connection. */
  record Server(SSLContext context, RestApiConfig.VerifyClient verifyClient) {
    SSLEngine newEngine() {
      SSLEngine engine = context.createSSLEngine();
      engine.setUseClientMode(false);
      switch (verifyClient) {
        case REQUIRED -> engine.setNeedClientAuth(true);
        case OPTIONAL -> engine.setWantClientAuth(true);
        default -> engine.setWantClientAuth(false);
      }
      return engine;
    }
  }

  /**
   * The client context for REST calls to other nodes (https api_urls); see the class comment.
   *
   * @param insecureOverride pgctl's {@code -k/--insecure}: skip server verification whatever the file says
   */
  public static SSLContext client(NodeConfig config, boolean insecureOverride) {
    CtlConfig ctl = config.ctl();
    Optional<RestApiConfig.Tls> server = config.restapi().tls();
    KeyManager[] keys = null;
    if (ctl.certfile().isPresent()) {
      Path cert = ctl.certfile().get();
      keys = keyManagers("ctl.certfile", cert, ctl.keyfile().isPresent() ? "ctl.keyfile" : "ctl.certfile",
          ctl.keyfile().orElse(cert), ctl.keyfilePassword(), "ctl.keyfile_password");
    } else if (server.isPresent()) {
      RestApiConfig.Tls t = server.get();
      keys = keyManagers("restapi.certfile", t.certfile(), t.keyfile().isPresent() ? "restapi.keyfile"
          : "restapi.certfile", t.keySource(), t.keyfilePassword(), "restapi.keyfile_password");
    }
    TrustManager[] trust;
    if (insecureOverride || ctl.insecure()) {
      trust = new TrustManager[] {new TrustEveryone()};
    } else if (ctl.cacert().isPresent()) {
      trust = trustManagers("ctl.cacert", ctl.cacert().get());
    } else if (server.flatMap(RestApiConfig.Tls::cafile).isPresent()) {
      trust = trustManagers("restapi.cafile", server.get().cafile().get());
    } else {
      trust = null; // the JDK's default trust store (public CAs)
    }
    return context(keys, trust);
  }

  private static KeyManager[] keyManagers(String certKey, Path certFile, String keyKey, Path keyFile,
      Optional<String> password, String passwordKey) {
    List<X509Certificate> chain = PemFiles.certificates(certKey, certFile);
    PrivateKey key = PemFiles.privateKey(keyKey, keyFile, password, passwordKey);
    PemFiles.requireMatch(keyKey, certKey, key, chain.get(0));
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("key", key, IN_MEMORY, chain.toArray(X509Certificate[]::new));
      KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(store, IN_MEMORY);
      return factory.getKeyManagers();
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new ConfigException(certKey, "cannot use the certificate and key: " + e.getMessage());
    }
  }

  private static TrustManager[] trustManagers(String key, Path caFile) {
    List<X509Certificate> cas = PemFiles.certificates(key, caFile);
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      for (int i = 0; i < cas.size(); i++) {
        store.setCertificateEntry("ca-" + i, cas.get(i));
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return factory.getTrustManagers();
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new ConfigException(key, "cannot use " + caFile + " as trusted CA: " + e.getMessage());
    }
  }

  private static SSLContext context(KeyManager[] keys, TrustManager[] trust) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys, trust, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK offers no TLS", e);
    }
  }

  /**
   * {@code ctl.insecure}: accepts any server certificate and skips the host name check. An
   * {@link X509ExtendedTrustManager}, because the JDK wraps a plain X509TrustManager in one that still checks
   * host names.
   */
  private static final class TrustEveryone extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
