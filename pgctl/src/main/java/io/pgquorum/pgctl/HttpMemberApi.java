package io.pgquorum.pgctl;

import io.pgquorum.coordinator.config.Credentials;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.coordinator.rest.RestTls;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * {@link MemberApi} over HTTP(S): TLS as the {@code ctl} and {@code restapi} sections say ({@link RestTls#client},
 * {@code -k} skips server verification), HTTP Basic credentials from {@code ctl.authentication}, else
 * {@code restapi.authentication} (the node's own, as patronictl falls back to them), on state-changing requests.
 */
final class HttpMemberApi implements MemberApi {
  /** A member that does not answer within this is reported unreachable; patronictl's urllib3 default is similar. */
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final boolean insecure;

  HttpMemberApi(boolean insecure) {
    this.insecure = insecure;
  }

  @Override
  public Response send(NodeConfig config, String apiUrl, String method, String endpoint) {
    URI uri;
    try {
      URI base = URI.create(apiUrl);
      uri = endpoint == null ? base
          : new URI(base.getScheme(), base.getRawAuthority(), "/" + endpoint, null, null);
    } catch (IllegalArgumentException | java.net.URISyntaxException e) {
      throw CtlException.failure("invalid api_url '" + apiUrl + "'");
    }
    HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(TIMEOUT);
    if ("https".equalsIgnoreCase(uri.getScheme())) {
      try {
        client.sslContext(RestTls.client(config, insecure));
      } catch (RuntimeException e) {
        throw CtlException.failure(DcsClusterSource.firstLine(e));
      }
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
        .method(method, HttpRequest.BodyPublishers.noBody());
    if (!method.equals("GET")) {
      Optional<Credentials> auth = config.ctl().authentication().or(() -> config.restapi().authentication());
      auth.ifPresent(c -> request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
          (c.username() + ":" + c.password().orElse("")).getBytes(StandardCharsets.UTF_8))));
    }
    try {
      HttpResponse<String> r = client.build().send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.body());
    } catch (IOException e) {
      throw CtlException.failure(e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + DcsClusterSource.firstLine(e)) + " (" + uri + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CtlException.failure("interrupted");
    }
  }
}
