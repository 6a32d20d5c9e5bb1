package io.pgquorum.pgctl;

import io.pgquorum.coordinator.config.ConfigException;
import io.pgquorum.coordinator.config.Credentials;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.coordinator.config.RestApiConfig;
import io.pgquorum.coordinator.rest.RestTls;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * The one client of every pgctl request to a member's REST API, as patronictl's {@code PatroniRequest}: built once
 * per command from the node's configuration file.
 *
 * <ul>
 *   <li>HTTP Basic credentials: {@code ctl.authentication}, else {@code restapi.authentication}, on every request
 *       (patronictl puts them in its pool's headers, so reads carry them too).
 *   <li>TLS for https api_urls: {@link RestTls#client} ({@code ctl.cacert}, else {@code restapi.cafile}, else the
 *       JDK's trust store; {@code ctl.certfile}/{@code keyfile}/{@code keyfile_password}, else the restapi ones;
 *       {@code ctl.insecure} or {@code -k}: no verification). Built on the first https request only, so a cluster
 *       served over plain HTTP is not refused for a TLS file it never needs (urllib3 also reads them lazily).
 *   <li>Failures are {@link Failure}s whose message says what went wrong in the operator's terms (which key to
 *       check); a bad TLS file is a {@link CtlException} naming the key. No message carries a password.
 * </ul>
 */
final class RestClient {
  /** A member that does not accept the connection within this is unreachable; urllib3's pool is similar. */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  private final NodeConfig config;
  private final boolean insecure;
  private final Optional<String> authorization;
  private HttpClient plain;
  private HttpClient tls;

  private RestClient(NodeConfig config, boolean insecure) {
    this.config = config;
    this.insecure = insecure;
    this.authorization = credentials(config).map(Credentials::basicAuthorization);
  }

  /** The client for {@code config}; {@code insecure} is pgctl's {@code -k/--insecure}. */
  static RestClient of(NodeConfig config, boolean insecure) {
    return new RestClient(config, insecure);
  }

  /** patronictl's order: {@code ctl.authentication}, else the REST API's own credentials. */
  static Optional<Credentials> credentials(NodeConfig config) {
    return config.ctl().authentication().or(() -> config.restapi().authentication());
  }

  /** An HTTP answer. */
  record Reply(int status, String body) {}

  /**
   * A request that got no HTTP answer. {@link #tls()}: the TLS handshake failed, a configuration problem the
   * same for every member rather than one member being down.
   */
  static final class Failure extends IOException {
    private static final long serialVersionUID = 1L;
    private final boolean tls;

    Failure(String message, boolean tls) {
      super(message);
      this.tls = tls;
    }

    boolean tls() {
      return tls;
    }
  }

  /**
   * Sends one request.
   *
   * @param url the full URL ({@code https://host:port/restart})
   * @param method GET, POST, PATCH, DELETE, ...
   * @param body a JSON body, or null for none
   * @param timeout how long the answer may take (a switchover waits for its outcome)
   * @throws Failure when there is no HTTP answer (message: why, and which key to check)
   * @throws CtlException when a TLS file of the configuration cannot be used (message: the key and the file)
   */
  Reply send(String url, String method, String body, Duration timeout) throws Failure {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new Failure("invalid REST API address '" + url + "'", false);
    }
    boolean https = "https".equalsIgnoreCase(uri.getScheme());
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    authorization.ifPresent(a -> request.header("Authorization", a));
    try {
      HttpResponse<String> r = client(https).send(request.build(),
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return new Reply(r.statusCode(), r.body());
    } catch (IOException e) {
      throw explain(uri, https, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure("interrupted", false);
    }
  }

  private synchronized HttpClient client(boolean https) {
    if (!https) {
      if (plain == null) {
        plain = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
      }
      return plain;
    }
    if (tls == null) {
      try {
        tls = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).sslContext(RestTls.client(config, insecure))
            .build();
      } catch (ConfigException e) {
        throw CtlException.failure("cannot use the TLS settings for REST calls: "
            + String.join("; ", e.problems()));
      }
    }
    return tls;
  }

  /** The operator's view of a failed request: what failed, and which setting decides it. */
  private Failure explain(URI uri, boolean https, IOException e) {
    String where = uri.getScheme() + "://" + uri.getRawAuthority();
    Throwable ssl = cause(e, SSLException.class);
    if (ssl != null) {
      return new Failure("TLS handshake with " + where + " failed: " + tlsReason(uri, firstLine(ssl)), true);
    }
    if (e instanceof HttpTimeoutException) {
      return new Failure("no answer from " + uri + ": " + firstLine(e), false);
    }
    if (cause(e, ConnectException.class) != null) {
      return new Failure("cannot connect to " + uri + " (" + firstLine(e) + ")", false);
    }
    String hint = https ? "" : " (does it serve HTTPS only? then its api_url should be https)";
    return new Failure("no HTTP answer from " + uri + ": " + e.getClass().getSimpleName()
        + (e.getMessage() == null ? "" : ": " + firstLine(e)) + hint, false);
  }

  /** The JDK's handshake messages, said as what to check. */
  private String tlsReason(URI uri, String jdk) {
    String lower = jdk.toLowerCase(Locale.ROOT);
    if (lower.contains("pkix") || lower.contains("certification path") || lower.contains("unable to find valid")) {
      return "its certificate is not signed by a trusted CA (trusted: " + trusted() + "; -k skips the check)";
    }
    if (lower.contains("subject alternative") || lower.contains("no name matching")) {
      return "its certificate does not name " + uri.getHost() + " (" + jdk + ")";
    }
    if (lower.contains("bad_certificate") || lower.contains("certificate_required")
        || lower.contains("unknown_ca") || lower.contains("certificate_unknown")) {
      return "the server refused pgctl's client certificate (" + presented() + "): " + jdk;
    }
    return jdk;
  }

  /** Which CA the server's certificate had to chain to, as {@link RestTls#client} picks it. */
  private String trusted() {
    if (config.ctl().cacert().isPresent()) {
      return "ctl.cacert " + config.ctl().cacert().get();
    }
    Optional<java.nio.file.Path> cafile = config.restapi().tls().flatMap(RestApiConfig.Tls::cafile);
    return cafile.map(f -> "restapi.cafile " + f).orElse("the JDK's trust store, as neither ctl.cacert nor "
        + "restapi.cafile is set");
  }

  private String presented() {
    if (config.ctl().certfile().isPresent()) {
      return "ctl.certfile " + config.ctl().certfile().get();
    }
    return config.restapi().tls().map(t -> "restapi.certfile " + t.certfile())
        .orElse("none: neither ctl.certfile nor restapi.certfile is set");
  }

  private static Throwable cause(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return t;
      }
    }
    return null;
  }

  private static String firstLine(Throwable e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse("");
  }

}
